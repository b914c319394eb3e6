import Decode
import DeviceModel
import TestSupport
import Testing

@Suite("Zigbee2MQTT profile (Devices/zigbee2mqtt.toml)")
struct Zigbee2MQTTTests {
  static let env101 = DeviceIdentity(id: "env-101", kind: .envSensor, room: nil, profile: "zigbee2mqtt")

  @Test("an air-quality sensor's state: mapped fields in profile order, the others ignored")
  func airQualitySensor() throws {
    // A Tuya/Aqara-style air box: pressure, formaldehyd, update and device are not mapped.
    let payload = #"""
      {"battery":97,"co2":640,"formaldehyd":3,"humidity":51.2,"linkquality":142,"pm25":12,
       "pressure":1008.4,"temperature":22.5,"voc":110,"noise":47.5,
       "update":{"installed_version":587,"latest_version":587,"state":"idle"},
       "device":{"friendlyName":"env-101","model":"TS0601"}}
      """#
    #expect(
      try decode("zigbee2mqtt/env-101", payload, profile: "zigbee2mqtt")
        == telemetry(
          Self.env101,
          received([
            "temperature": 22.5, "humidity": 51.2, "co2": 640, "voc": 110, "pm25": 12, "noise": 47.5,
            "battery": 97, "linkquality": 142,
          ])))
  }

  @Test("optional fields missing: a plain temperature/humidity sensor gives only what it sends")
  func optionalFieldsMissing() throws {
    #expect(
      try decode(
        "zigbee2mqtt/0x00158d0001a2b3c4", #"{"temperature":27.34,"humidity":44.72}"#, profile: "zigbee2mqtt")
        == telemetry(
          DeviceIdentity(id: "0x00158d0001a2b3c4", kind: .envSensor, room: nil, profile: "zigbee2mqtt"),
          received(["temperature": 27.34, "humidity": 44.72])))
  }

  @Test("occupancy and illuminance of a motion sensor: true/false → 1/0; illuminance is lux")
  func motionSensor() throws {
    let topic = "zigbee2mqtt/motion-102"
    let device = DeviceIdentity(id: "motion-102", kind: .envSensor, room: nil, profile: "zigbee2mqtt")
    #expect(
      try decode(
        topic, #"{"occupancy":true,"illuminance":320,"battery":100,"linkquality":87}"#, profile: "zigbee2mqtt"
      )
        == telemetry(
          device, received(["illuminance": 320, "occupancy": 1, "battery": 100, "linkquality": 87])))
    #expect(
      try decode(topic, #"{"occupancy":false,"battery":100}"#, profile: "zigbee2mqtt")
        == telemetry(device, received(["occupancy": 0, "battery": 100])))
    // Zigbee2MQTT 1.x, a sensor that only sends illuminance_lux.
    #expect(
      try decode(topic, #"{"illuminance_lux":43,"occupancy":false}"#, profile: "zigbee2mqtt")
        == telemetry(device, received(["illuminance": 43, "occupancy": 0])))
  }

  @Test("a metering plug: state ON/OFF → power_on, with power, energy, voltage and current")
  func meteringPlug() throws {
    let device = DeviceIdentity(id: "plug-102", kind: .envSensor, room: nil, profile: "zigbee2mqtt")
    let payload = #"""
      {"state":"ON","power":143.2,"energy":12.75,"voltage":229,"current":0.63,"linkquality":120,
       "child_lock":"UNLOCK","power_outage_memory":"restore","indicator_mode":"off"}
      """#
    #expect(
      try decode("zigbee2mqtt/plug-102", payload, profile: "zigbee2mqtt")
        == telemetry(
          device,
          received([
            "linkquality": 120, "power_on": 1, "power": 143.2, "energy": 12.75, "voltage": 229,
            "current": 0.63,
          ])))
    #expect(
      try decode("zigbee2mqtt/plug-102", #"{"state":"OFF","power":0}"#, profile: "zigbee2mqtt")
        == telemetry(device, received(["power_on": 0, "power": 0])))
  }

  @Test(
    "state texts are matched case-insensitively",
    arguments: [("ON", 1.0), ("on", 1), ("On", 1), ("OFF", 0), ("off", 0), ("oFf", 0)])
  func stateCaseInsensitive(text: String, value: Double) throws {
    #expect(
      try readings(decode("zigbee2mqtt/plug-102", #"{"state":"\#(text)"}"#, profile: "zigbee2mqtt"))
        == received(["power_on": value]))
  }

  @Test("the inventory makes a Zigbee plug a plug, in its room, with its name")
  func inventoryLabelsThePlug() throws {
    let result = try decodeChain(
      "zigbee2mqtt/plug-102", #"{"state":"ON","power":35.5}"#, inventory: demoInventory())
    #expect(
      result
        == telemetry(
          DeviceIdentity(
            id: "plug-102", kind: .plug, room: "102", profile: "zigbee2mqtt", name: "Fan plug, 102"),
          received(["power_on": 1, "power": 35.5])))
  }

  @Test("last_seen is the reading time: ISO 8601 UTC, ISO 8601 with offset, epoch milliseconds")
  func lastSeen() throws {
    let time: EpochMillis = 1_764_403_198_250  // 2025-11-29T07:59:58.250Z
    for lastSeen in [#""2025-11-29T07:59:58.250Z""#, #""2025-11-29T14:59:58.250+07:00""#, "1764403198250"] {
      #expect(
        try decode("zigbee2mqtt/env-101", #"{"co2":812,"last_seen":\#(lastSeen)}"#, profile: "zigbee2mqtt")
          == telemetry(Self.env101, at(time, ["co2": 812])), "\(lastSeen)")
    }
    // ISO_8601_local without an offset would be ambiguous: refused, not guessed.
    #expect(
      try deadLetter(
        decode(
          "zigbee2mqtt/env-101", #"{"co2":812,"last_seen":"2025-11-29T14:59:58"}"#, profile: "zigbee2mqtt"))?
        .code
        == .invalidTimestamp)
  }

  @Test("null fields are skipped; a state with no mapped field still marks the device as seen")
  func nullAndNothingMapped() throws {
    #expect(
      try decode("zigbee2mqtt/env-101", #"{"co2":null,"temperature":23}"#, profile: "zigbee2mqtt")
        == telemetry(Self.env101, received(["temperature": 23])))
    // A wireless button only sends an action.
    #expect(
      try decode("zigbee2mqtt/button-101", #"{"action":"single","battery":null}"#, profile: "zigbee2mqtt")
        == telemetry(
          DeviceIdentity(id: "button-101", kind: .envSensor, room: nil, profile: "zigbee2mqtt"), []))
  }

  @Test("a state text the profile does not map is a dead letter naming the field")
  func unmappableState() throws {
    // A curtain motor (cover): OPEN/CLOSE/STOP are not power states.
    for text in ["OPEN", "TOGGLE", ""] {
      #expect(
        try deadLetter(
          decode("zigbee2mqtt/blind-101", #"{"state":"\#(text)","position":100}"#, profile: "zigbee2mqtt"))
          == DeadLetterReason(.invalidValue, "field 'state' has a value the profile does not map"), "\(text)")
    }
  }

  @Test("a numeric field that is text or an object is a dead letter naming the field")
  func wrongTypes() throws {
    #expect(
      try deadLetter(decode("zigbee2mqtt/env-101", #"{"temperature":"22.5"}"#, profile: "zigbee2mqtt"))
        == DeadLetterReason(.invalidValue, "field 'temperature' has a value the profile does not map"))
    #expect(
      try deadLetter(decode("zigbee2mqtt/env-101", #"{"co2":{"value":640}}"#, profile: "zigbee2mqtt"))
        == DeadLetterReason(.wrongType, "field 'co2' must be a number"))
    #expect(
      try deadLetter(decode("zigbee2mqtt/env-101", #"{"humidity":[51]}"#, profile: "zigbee2mqtt"))
        == DeadLetterReason(.wrongType, "field 'humidity' must be a number"))
  }

  @Test("malformed JSON on the state topic is a malformedPayload with the parser's reason")
  func malformedJSON() throws {
    for payload in [#"{"temperature":22.5"#, #"{"temperature":22.5,}"#, "temperature=22.5", ""] {
      let reason = try deadLetter(decode("zigbee2mqtt/env-101", payload, profile: "zigbee2mqtt"))
      #expect(reason?.code == .malformedPayload, "\(payload)")
      #expect(reason?.detail.hasPrefix("invalid JSON: ") == true, "\(payload)")
    }
    #expect(
      try deadLetter(decode("zigbee2mqtt/env-101", #"{"temperature":22.5"#, profile: "zigbee2mqtt"))
        == DeadLetterReason(.malformedPayload, "invalid JSON: unexpected end of input at byte 19"))
  }

  @Test(
    "availability: JSON {\"state\":…} and the legacy plain text, any case and spacing",
    arguments: [
      (#"{"state":"online"}"#, DeviceStatus.online), (#"{"state":"offline"}"#, .offline),
      ("online", .online), ("offline", .offline), ("OFFLINE\n", .offline), (" Online ", .online),
      (#""online""#, .online),
    ])
  func availability(payload: String, expected: DeviceStatus) throws {
    #expect(
      try decode("zigbee2mqtt/env-101/availability", payload, profile: "zigbee2mqtt")
        == status(Self.env101, expected))
  }

  @Test("an availability payload that is neither online nor offline is a dead letter")
  func badAvailability() throws {
    for payload in [#"{"state":"unknown"}"#, "1", "", #"{"availability":"online"}"#] {
      #expect(
        try deadLetter(decode("zigbee2mqtt/env-101/availability", payload, profile: "zigbee2mqtt"))
          == DeadLetterReason(.invalidValue, "availability must be one of online, offline"), "\(payload)")
    }
  }

  @Test(
    "the bridge's own topics are ignored, before any device rule",
    arguments: [
      ("zigbee2mqtt/bridge/state", #"{"state":"online"}"#),
      ("zigbee2mqtt/bridge/state", "online"),
      ("zigbee2mqtt/bridge/info", #"{"version":"2.1.3","coordinator":{"type":"zStack3x0"}}"#),
      ("zigbee2mqtt/bridge/devices", #"[{"ieee_address":"0x00158d0001a2b3c4","friendly_name":"env-101"}]"#),
      ("zigbee2mqtt/bridge/groups", "[]"),
      (
        "zigbee2mqtt/bridge/logging",
        #"{"level":"info","message":"MQTT publish: topic 'zigbee2mqtt/env-101'"}"#
      ),
      (
        "zigbee2mqtt/bridge/event", #"{"type":"device_joined","data":{"friendly_name":"0x0017880104e45517"}}"#
      ),
      ("zigbee2mqtt/bridge/request/permit_join", #"{"time":254}"#),
      ("zigbee2mqtt/bridge/response/permit_join", #"{"status":"ok"}"#),
      ("zigbee2mqtt/bridge", "not json"),
    ])
  func bridgeIgnored(topic: String, payload: String) throws {
    #expect(try decode(topic, payload, profile: "zigbee2mqtt") == .ignored)
    #expect(try decodeChain(topic, payload) == .ignored)
  }

  @Test("a friendly name with a space is not a device id: invalidDeviceID")
  func invalidFriendlyName() throws {
    #expect(
      try deadLetter(decode("zigbee2mqtt/Room 101 CO2", #"{"co2":640}"#, profile: "zigbee2mqtt"))
        == DeadLetterReason(.invalidDeviceID, "device id is not a valid identifier"))
  }

  @Test("command topics (/set, /get) and nested names are not claimed and not subscribed")
  func commandTopicsNotClaimed() throws {
    let filters = try shippedSet().filters
    for topic in [
      "zigbee2mqtt/plug-102/set", "zigbee2mqtt/plug-102/get", "zigbee2mqtt/plug-102/set/state",
      "zigbee2mqtt/room101/env",
    ] {
      #expect(try decode(topic, #"{"state":"ON"}"#, profile: "zigbee2mqtt") == nil, "\(topic)")
      #expect(try !isSubscribed(topic, by: filters), "\(topic)")
    }
  }
}
