import Decode
import DeviceModel
import TestSupport
import Testing

/// Payloads: https://shelly-api-docs.shelly.cloud/gen2/ComponentsAndServices/Mqtt (topics, <id>/online,
/// events/rpc, status/<component>), https://shelly-api-docs.shelly.cloud/gen2/General/Notifications
/// (NotifyStatus, NotifyFullStatus, NotifyEvent), and the component status objects:
/// …/ComponentsAndServices/Switch, …/PM1, …/EM1, …/EM1Data, …/EM, …/Temperature, …/Humidity,
/// …/DevicePower, …/WiFi (all under https://shelly-api-docs.shelly.cloud/gen2/).
@Suite("Shelly Gen2+ profile (Devices/shelly-gen2.toml): factory <id>/… topics and the shelly/<id> prefix")
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
    // The relay's own temperature (switch:0.temperature.tC) is not the room's: chip_temperature.
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
          at(
            Self.ts,
            [
              "power_on": 1, "power": 45.2, "voltage": 230.1, "current": 0.202, "energy": 1.2345,
              "chip_temperature": 41.3,
            ])))
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
    let readings = at(
      time, ["temperature": 21.8, "humidity": 48.5, "battery": 88, "battery_voltage": 5.9, "rssi": -61])
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
            [
              "power_on": 1, "power": 0, "voltage": 229.4, "current": 0, "energy": 0.0165,
              "chip_temperature": 38.9,
              "rssi": -55,
            ])))
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
          received([
            "power_on": 1, "power": 45.2, "voltage": 230.1, "current": 0.202, "frequency": 50,
            "energy": 4.52125,
            "chip_temperature": 41.3,
          ])))
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
        == telemetry(ht, received(["battery": 92, "battery_voltage": 5.8])))
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
          .invalidValue, "field 'params.switch:{channel}.aenergy.total' has a value the profile does not map")
    )
  }

  @Test("factory topics (the bare device id as prefix) work with no site profile")
  func factoryTopics() throws {
    // The example of issue 14: a Plus 1PM with Shelly's default topic_prefix.
    let device = DeviceIdentity(
      id: "shellyplus1pm-441793d69718", kind: .plug, room: nil, profile: "shelly_gen2")
    #expect(try decodeChain("shellyplus1pm-441793d69718/online", "true") == status(device, .online))
    #expect(
      try decodeChain(
        "shellyplus1pm-441793d69718/events/rpc",
        #"{"src":"shellyplus1pm-441793d69718","dst":"shellyplus1pm-441793d69718/events","method":"NotifyStatus","params":{"ts":1764403195.12,"switch:0":{"id":0,"apower":45.2}}}"#
      ) == telemetry(device, at(Self.ts, ["power": 45.2])))
    #expect(
      try decodeChain("shellyplus1pm-441793d69718/status/switch:0", #"{"id":0,"output":true}"#)
        == telemetry(device, received(["power_on": 1])))
    // Other components' status (sys, input:0, cloud…) is known and not stored.
    #expect(try decodeChain("shellyplus1pm-441793d69718/status/sys", #"{"uptime":12}"#) == .ignored)
  }

  @Test("a Shelly Plus 2PM's switch:1 is the channel device <id>.1; a switch:0-only message is the device")
  func twoChannels() throws {
    let device = DeviceIdentity(
      id: "shellyplus2pm-c4d8d5561234", kind: .plug, room: nil, profile: "shelly_gen2")
    #expect(
      try decodeChain(
        "shellyplus2pm-c4d8d5561234/events/rpc",
        #"{"method":"NotifyStatus","params":{"ts":1764403195.12,"switch:0":{"id":0,"apower":20.5},"switch:1":{"id":1,"output":true,"apower":61.2}}}"#
      )
        == telemetry(
          device, at(Self.ts, ["power": 20.5]),
          channels: [channel(device, "1", at(Self.ts, ["power_on": 1, "power": 61.2]))]))
    #expect(
      try decodeChain("shellyplus2pm-c4d8d5561234/status/switch:1", #"{"id":1,"output":false,"apower":0}"#)
        == telemetry(device, [], channels: [channel(device, "1", received(["power_on": 0, "power": 0]))]))
  }

  @Test("pm1:0 (Plus PM Mini, Plug PM Gen3), em1:0/em1:1 with em1data (Pro EM), em:0 totals (Pro 3EM)")
  func meters() throws {
    let mini = DeviceIdentity(
      id: "shellypmminig3-84fce6361234", kind: .plug, room: nil, profile: "shelly_gen2")
    #expect(
      try decodeChain(
        "shellypmminig3-84fce6361234/status/pm1:0",
        #"{"id":0,"voltage":231.4,"current":0.185,"apower":38.6,"freq":50,"aenergy":{"total":5120.3,"by_minute":[643.2,640.1,641.7],"minute_ts":1764403140},"ret_aenergy":{"total":0,"by_minute":[0,0,0],"minute_ts":1764403140}}"#
      )
        == telemetry(
          mini,
          received(["power": 38.6, "voltage": 231.4, "current": 0.185, "frequency": 50, "energy": 5.1203])))
    let em = DeviceIdentity(id: "shellyproem50-08f9e0e51234", kind: .plug, room: nil, profile: "shelly_gen2")
    #expect(
      try decodeChain(
        "shellyproem50-08f9e0e51234/events/rpc",
        #"{"method":"NotifyStatus","params":{"ts":1764403195.12,"em1:0":{"id":0,"act_power":470.1,"aprt_power":493.4,"current":2.146,"voltage":229.8,"pf":0.95,"freq":50},"em1:1":{"id":1,"act_power":12,"current":0.07},"em1data:0":{"id":0,"total_act_energy":120458.53,"total_act_ret_energy":0}}}"#
      )
        == telemetry(
          em,
          at(
            Self.ts,
            [
              "power": 470.1, "apparent_power": 493.4, "voltage": 229.8, "current": 2.146,
              "power_factor": 0.95,
              "frequency": 50, "energy": 120.45853,
            ]),
          channels: [channel(em, "1", at(Self.ts, ["power": 12, "current": 0.07]))]))
    let three = DeviceIdentity(
      id: "shellypro3em-0cb815fc1234", kind: .plug, room: nil, profile: "shelly_gen2")
    #expect(
      try decodeChain(
        "shellypro3em-0cb815fc1234/status/em:0",
        #"{"id":0,"a_current":2.1,"a_voltage":230.2,"a_act_power":450.3,"a_aprt_power":470,"a_pf":0.96,"a_freq":50,"b_current":2.2,"b_voltage":231,"b_act_power":470,"b_aprt_power":490,"b_pf":0.96,"b_freq":50,"c_current":2,"c_voltage":229.5,"c_act_power":519.9,"c_aprt_power":538,"c_pf":0.97,"c_freq":50,"n_current":null,"total_current":6.3,"total_act_power":1440.2,"total_aprt_power":1498}"#
      )
        == telemetry(three, received(["power": 1440.2, "apparent_power": 1498, "current": 6.3])))
  }

  @Test("a field the profile does not map is noted (not mapped), not dropped silently")
  func notMappedNoted() throws {
    #expect(
      try decode(
        Self.rpc,
        #"{"method":"NotifyStatus","params":{"ts":1764403195.12,"voltmeter:100":{"id":100,"voltage":3.2}}}"#,
        profile: "shelly_gen2")
        == telemetry(Self.pm, [], notes: notMapped("params.voltmeter:100.voltage")))
  }

  @Test("channels are numbers, at most 16 per message: a hostile payload cannot mint devices")
  func hostileChannels() throws {
    var components: [String] = []
    for index in 1...40 { components.append(#""switch:\#(index)":{"id":\#(index),"apower":1}"#) }
    let payload =
      #"{"method":"NotifyStatus","params":{"ts":1764403195.12,"#
      + components.joined(separator: ",") + "}}"
    let decoded = try #require(message(decode(Self.rpc, payload, profile: "shelly_gen2")))
    #expect(decoded.channels.count == 16)
    #expect(decoded.channels.last?.device.id == "\(Self.id).16")
    #expect(decoded.notes.contains(FieldNote(field: "channel 17", reason: .notMapped)))
    #expect(decoded.notes.count == ProfileDecoder.maxNotesPerMessage)
    let lettered = try #require(
      message(
        decode(
          Self.rpc, #"{"method":"NotifyStatus","params":{"switch:x":{"apower":2}}}"#, profile: "shelly_gen2"))
    )
    #expect(lettered.channels.isEmpty && lettered.notes == notMapped("channel x"))
  }

  @Test("other topics and Gen1 topics are not claimed")
  func otherTopics() throws {
    let filters = try shippedSet().filters
    for topic in ["shelly/\(Self.id)/rpc", "shellies/shelly1-ABC123/relay/0"] {
      #expect(try decode(topic, "true", profile: "shelly_gen2") == nil, "\(topic)")
      #expect(try !isSubscribed(topic, by: filters), "\(topic)")
      #expect(try deadLetter(decodeChain(topic, "true"))?.code == .unknownTopic, "\(topic)")
    }
  }
}
