import Decode
import DeviceModel
import TestSupport
import Testing

@Suite("Shelly Gen2+ profile (Devices/shelly-gen2.toml, MQTT prefix shelly/<device id>)")
struct ShellyTests {
  static let id = "shellyplus1pm-a8032ab12345"
  static let pm = DeviceIdentity(id: id, kind: .plug, room: nil, profile: "shelly_gen2")
  static let rpc = "shelly/\(id)/events/rpc"
  /// params.ts of the notifications below: 4.88 s before the receipt time.
  static let ts: EpochMillis = 1_764_403_195_120

  @Test("online: plain text true/false, any case and spacing")
  func online() throws {
    for (payload, expected) in [
      ("true", DeviceStatus.online), ("false", .offline), ("TRUE", .online), ("false\n", .offline),
    ] {
      #expect(
        try decode("shelly/\(Self.id)/online", payload, profile: "shelly_gen2") == status(Self.pm, expected))
    }
    #expect(
      try deadLetter(decode("shelly/\(Self.id)/online", "1", profile: "shelly_gen2"))
        == DeadLetterReason(.invalidValue, "availability must be one of true, false"))
  }

  @Test("NotifyStatus of switch:0: output, apower, voltage, current, aenergy.total Wh → kWh at params.ts")
  func notifyStatusSwitch() throws {
    // The relay's own temperature (switch:0.temperature.tC) is not the room's: not mapped.
    let payload = #"""
      {"src":"shellyplus1pm-a8032ab12345","dst":"shelly/shellyplus1pm-a8032ab12345/events","method":"NotifyStatus",
       "params":{"ts":1764403195.12,"switch:0":{"id":0,"output":true,"apower":45.2,"voltage":230.1,"current":0.202,
       "aenergy":{"total":1234.5,"by_minute":[760.4,752.1,748.9],"minute_ts":1764403140},
       "temperature":{"tC":41.3,"tF":106.3}}}}
      """#
    #expect(
      try decode(Self.rpc, payload, profile: "shelly_gen2")
        == telemetry(
          Self.pm,
          at(Self.ts, ["power_on": 1, "power": 45.2, "voltage": 230.1, "current": 0.202, "energy": 1.2345])))
  }

  @Test("NotifyStatus carries only what changed: a lone apower, a lone output")
  func notifyStatusPartial() throws {
    #expect(
      try decode(
        Self.rpc,
        #"{"method":"NotifyStatus","params":{"ts":1764403195.12,"switch:0":{"id":0,"apower":3.1}}}"#,
        profile: "shelly_gen2")
        == telemetry(Self.pm, at(Self.ts, ["power": 3.1])))
    #expect(
      try decode(
        Self.rpc,
        #"{"method":"NotifyStatus","params":{"ts":1764403195.5,"switch:0":{"id":0,"output":false,"source":"button"}}}"#,
        profile: "shelly_gen2")
        == telemetry(Self.pm, at(1_764_403_195_500, ["power_on": 0])))
    #expect(
      try decode(
        Self.rpc,
        #"{"method":"NotifyStatus","params":{"ts":1764403195.12,"switch:0":{"id":0,"aenergy":{"total":2500,"minute_ts":1764403140}}}}"#,
        profile: "shelly_gen2")
        == telemetry(Self.pm, at(Self.ts, ["energy": 2.5])))
  }

  @Test("NotifyStatus of an add-on's temperature:0 and humidity:0, and of the Wi-Fi signal")
  func notifyStatusSensors() throws {
    let payload = #"""
      {"src":"shellyplus1pm-a8032ab12345","method":"NotifyStatus",
       "params":{"ts":1764403195.12,"temperature:0":{"id":0,"tC":24.6,"tF":76.3},"humidity:0":{"id":0,"rh":58.2},
       "wifi":{"rssi":-67}}}
      """#
    #expect(
      try decode(Self.rpc, payload, profile: "shelly_gen2")
        == telemetry(Self.pm, at(Self.ts, ["temperature": 24.6, "humidity": 58.2, "rssi": -67])))
  }

  @Test("NotifyFullStatus of an H&T Gen3 waking up: same shapes; the inventory makes it an env_sensor")
  func notifyFullStatus() throws {
    let payload = #"""
      {"src":"shellyhtg3-d4d4da112233","dst":"shelly/shellyhtg3-d4d4da112233/events","method":"NotifyFullStatus",
       "params":{"ts":1764403180.37,"ble":{},"cloud":{"connected":false},
       "devicepower:0":{"id":0,"battery":{"V":5.9,"percent":88},"external":{"present":false}},
       "humidity:0":{"id":0,"rh":48.5},"mqtt":{"connected":true},
       "sys":{"mac":"D4D4DA112233","restart_required":false,"time":null,"uptime":2,"wakeup_reason":{"boot":"deepsleep_wake","cause":"periodic"}},
       "temperature:0":{"id":0,"tC":21.8,"tF":71.2},
       "wifi":{"sta_ip":"10.0.1.23","status":"got ip","ssid":"School","rssi":-61}}}
      """#
    let time: EpochMillis = 1_764_403_180_370
    let readings = at(time, ["temperature": 21.8, "humidity": 48.5, "battery": 88, "rssi": -61])
    #expect(
      try decode("shelly/shellyhtg3-d4d4da112233/events/rpc", payload, profile: "shelly_gen2")
        == telemetry(
          DeviceIdentity(id: "shellyhtg3-d4d4da112233", kind: .plug, room: nil, profile: "shelly_gen2"),
          readings))
    #expect(
      try decodeChain("shelly/shellyhtg3-d4d4da112233/events/rpc", payload, inventory: demoInventory())
        == telemetry(
          DeviceIdentity(
            id: "shellyhtg3-d4d4da112233", kind: .envSensor, room: "library", profile: "shelly_gen2",
            name: "Reading room climate"),
          readings))
  }

  @Test("NotifyFullStatus of a Plus 1PM maps switch:0 like NotifyStatus")
  func notifyFullStatusSwitch() throws {
    let payload = #"""
      {"method":"NotifyFullStatus","params":{"ts":1764403195.12,
       "switch:0":{"id":0,"source":"init","output":true,"apower":0,"voltage":229.4,"current":0,
       "aenergy":{"total":16.5,"by_minute":[0,0,0],"minute_ts":1764403140},"temperature":{"tC":38.9,"tF":102}},
       "sys":{"uptime":12},"wifi":{"rssi":-55}}}
      """#
    #expect(
      try decode(Self.rpc, payload, profile: "shelly_gen2")
        == telemetry(
          Self.pm,
          at(
            Self.ts,
            ["power_on": 1, "power": 0, "voltage": 229.4, "current": 0, "energy": 0.0165, "rssi": -55])))
  }

  @Test("NotifyEvent (button presses…) is ignored")
  func notifyEvent() throws {
    let payload = #"""
      {"src":"shellyplus1pm-a8032ab12345","method":"NotifyEvent",
       "params":{"ts":1764403195.12,"events":[{"component":"input:0","id":0,"event":"single_push","ts":1764403195.12}]}}
      """#
    #expect(try decode(Self.rpc, payload, profile: "shelly_gen2") == .ignored)
    #expect(try decodeChain(Self.rpc, payload) == .ignored)
  }

  @Test("a method Shelly does not document on events/rpc is not claimed: unknownTopic in the chain")
  func otherMethod() throws {
    let payload = #"{"method":"NotifySomethingNew","params":{"ts":1764403195.12}}"#
    #expect(try decode(Self.rpc, payload, profile: "shelly_gen2") == nil)
    #expect(
      try deadLetter(decodeChain(Self.rpc, payload))
        == DeadLetterReason(.unknownTopic, "no profile matches this topic"))
    // The condition compares the exact text.
    #expect(try decode(Self.rpc, #"{"method":"notifystatus","params":{}}"#, profile: "shelly_gen2") == nil)
  }

  @Test("a NotifyStatus without params.ts uses the receipt time; a clock 1 h ahead is refused")
  func timestamps() throws {
    #expect(
      try decode(
        Self.rpc, #"{"method":"NotifyStatus","params":{"switch:0":{"apower":12}}}"#, profile: "shelly_gen2")
        == telemetry(Self.pm, received(["power": 12])))
    #expect(
      try deadLetter(
        decode(
          Self.rpc, #"{"method":"NotifyStatus","params":{"ts":1764406800,"switch:0":{"apower":12}}}"#,
          profile: "shelly_gen2"))
        == DeadLetterReason(.invalidTimestamp, "'ts' is 3600 s in the future"))
  }

  @Test("status/switch:0 (status_ntf): the full switch status at the receipt time")
  func statusSwitch() throws {
    let payload = #"""
      {"id":0,"source":"init","output":true,"apower":45.2,"voltage":230.1,"freq":50.0,"current":0.202,
       "aenergy":{"total":4521.25,"by_minute":[760.4,752.1,748.9],"minute_ts":1764403140},
       "ret_aenergy":{"total":0,"by_minute":[0,0,0],"minute_ts":1764403140},
       "temperature":{"tC":41.3,"tF":106.3}}
      """#
    #expect(
      try decode("shelly/\(Self.id)/status/switch:0", payload, profile: "shelly_gen2")
        == telemetry(
          Self.pm,
          received(["power_on": 1, "power": 45.2, "voltage": 230.1, "current": 0.202, "energy": 4.52125])))
    #expect(
      try decode("shelly/\(Self.id)/status/switch:0", #"{"id":0,"output":false}"#, profile: "shelly_gen2")
        == telemetry(Self.pm, received(["power_on": 0])))
  }

  @Test("status/temperature:0, humidity:0, devicepower:0 and wifi")
  func statusSensors() throws {
    let ht = DeviceIdentity(id: "shellyhtg3-d4d4da112233", kind: .plug, room: nil, profile: "shelly_gen2")
    let base = "shelly/shellyhtg3-d4d4da112233/status/"
    #expect(
      try decode(base + "temperature:0", #"{"id":0,"tC":22.5,"tF":72.5}"#, profile: "shelly_gen2")
        == telemetry(ht, received(["temperature": 22.5])))
    #expect(
      try decode(base + "humidity:0", #"{"id":0,"rh":45.1}"#, profile: "shelly_gen2")
        == telemetry(ht, received(["humidity": 45.1])))
    #expect(
      try decode(
        base + "devicepower:0", #"{"id":0,"battery":{"V":5.8,"percent":92},"external":{"present":false}}"#,
        profile: "shelly_gen2")
        == telemetry(ht, received(["battery": 92])))
    #expect(
      try decode(
        base + "wifi", #"{"sta_ip":"10.0.1.23","status":"got ip","ssid":"School","rssi":-58}"#,
        profile: "shelly_gen2")
        == telemetry(ht, received(["rssi": -58])))
    // A temperature sensor with an error reports tC null: skipped, the device is still seen.
    #expect(
      try decode(
        base + "temperature:0", #"{"id":0,"tC":null,"tF":null,"errors":["read"]}"#, profile: "shelly_gen2")
        == telemetry(ht, []))
  }

  @Test("malformed JSON on a status topic is a malformedPayload")
  func malformed() throws {
    let reason = try deadLetter(
      decode("shelly/\(Self.id)/status/switch:0", #"{"id":0,"apower":45.2"#, profile: "shelly_gen2"))
    #expect(reason?.code == .malformedPayload)
    #expect(reason?.detail.hasPrefix("invalid JSON: ") == true)
  }

  @Test("a text value in a mapped Shelly field is a dead letter naming the field")
  func unmappableValue() throws {
    #expect(
      try deadLetter(
        decode(
          "shelly/\(Self.id)/status/switch:0", #"{"id":0,"output":"on","apower":45.2}"#,
          profile: "shelly_gen2"))
        == DeadLetterReason(.invalidValue, "field 'output' has a value the profile does not map"))
    #expect(
      try deadLetter(
        decode(
          Self.rpc, #"{"method":"NotifyStatus","params":{"switch:0":{"aenergy":{"total":"n/a"}}}}"#,
          profile: "shelly_gen2"))
        == DeadLetterReason(
          .invalidValue, "field 'params.switch:0.aenergy.total' has a value the profile does not map"))
  }

  @Test("topics with Shelly's default prefix (bare device id) and other components are not claimed")
  func otherTopics() throws {
    let filters = try shippedSet().filters
    for topic in [
      "\(Self.id)/online", "\(Self.id)/events/rpc", "shelly/\(Self.id)/status/switch:1",
      "shelly/\(Self.id)/status/sys", "shelly/\(Self.id)/rpc", "shellies/shelly1-ABC123/relay/0",
    ] {
      #expect(try decode(topic, "true", profile: "shelly_gen2") == nil, "\(topic)")
      #expect(try !isSubscribed(topic, by: filters), "\(topic)")
      #expect(try deadLetter(decodeChain(topic, "true"))?.code == .unknownTopic, "\(topic)")
    }
  }
}
