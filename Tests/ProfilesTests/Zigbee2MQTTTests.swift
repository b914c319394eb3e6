import Decode
import DeviceModel
import TestSupport
import Testing

/// Payloads: https://www.zigbee2mqtt.io/guide/usage/mqtt_topics_and_messages.html (state, availability,
/// bridge, /set, /get), the device pages' "Exposes" (units), e.g. https://www.zigbee2mqtt.io/devices/WSDCGQ11LM.html
/// (Aqara temperature/humidity/pressure, voltage in mV), https://www.zigbee2mqtt.io/devices/MCCGQ11LM.html
/// (Aqara door contact, device_temperature), https://www.zigbee2mqtt.io/devices/TS0601_smart_air_house_keeper.html
/// (Tuya air box: co2, voc, formaldehyd, pm25), https://www.zigbee2mqtt.io/devices/TS0601_smart_human_presence_sensor_1.html
/// (Tuya mmWave presence), and https://www.zigbee2mqtt.io/guide/configuration/devices-groups.html
/// (friendly names with '/').
@Suite("Zigbee2MQTT profile (Devices/zigbee2mqtt.toml)")
struct Zigbee2MQTTTests {
  static let env101 = DeviceIdentity(id: "env-101", kind: .envSensor, room: nil, profile: "zigbee2mqtt")

  @Test("an air-quality sensor's state: mapped fields in profile order, update ignored, text skipped")
  func airQualitySensor() throws {
    // A Tuya/Aqara-style air box: pressure and formaldehyd are mapped; update is ignored.
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
            "temperature": 22.5, "humidity": 51.2, "pressure": 1008.4, "co2": 640, "voc": 110,
            "formaldehyde": 3,
            "pm25": 12, "noise": 47.5, "battery": 97, "linkquality": 142,
          ])))
  }

  @Test("battery devices: voltage is millivolts → battery_voltage in V; mains devices: voltage is V")
  func batteryVoltage() throws {
    // Aqara WSDCGQ11LM, as on its Zigbee2MQTT page: voltage 3005 mV.
    let aqara = DeviceIdentity(id: "env-102", kind: .envSensor, room: nil, profile: "zigbee2mqtt")
    #expect(
      try decode(
        "zigbee2mqtt/env-102",
        #"{"battery":100,"humidity":51.2,"linkquality":120,"power_outage_count":12,"pressure":1008,"temperature":23.45,"voltage":3005}"#,
        profile: "zigbee2mqtt")
        == telemetry(
          aqara,
          received([
            "temperature": 23.45, "humidity": 51.2, "pressure": 1008, "battery": 100,
            "battery_voltage": 3.005,
            "linkquality": 120,
          ])))
    let plug = DeviceIdentity(id: "plug-102", kind: .envSensor, room: nil, profile: "zigbee2mqtt")
    #expect(
      try decode("zigbee2mqtt/plug-102", #"{"state":"ON","voltage":229.4}"#, profile: "zigbee2mqtt")
        == telemetry(plug, received(["power_on": 1, "voltage": 229.4])))
  }

  @Test("a door contact (closed = true), mmWave presence, and the chip's device_temperature kept apart")
  func contactPresenceChip() throws {
    // Aqara MCCGQ11LM: {"battery":100,"contact":false,"device_temperature":26,"voltage":3025,…}
    let door = DeviceIdentity(id: "door-101", kind: .envSensor, room: nil, profile: "zigbee2mqtt")
    #expect(
      try decode(
        "zigbee2mqtt/door-101",
        #"{"battery":100,"contact":false,"device_temperature":26,"linkquality":84,"power_outage_count":3,"voltage":3025}"#,
        profile: "zigbee2mqtt")
        == telemetry(
          door,
          received([
            "contact": 0, "battery": 100, "battery_voltage": 3.025, "linkquality": 84, "chip_temperature": 26,
          ])))
    // Tuya mmWave presence sensor (mains): presence, illuminance, and settings (ignored).
    let radar = DeviceIdentity(id: "radar-101", kind: .envSensor, room: nil, profile: "zigbee2mqtt")
    #expect(
      try decode(
        "zigbee2mqtt/radar-101",
        #"{"presence":true,"illuminance_lux":120,"target_distance":1.5,"radar_sensitivity":7,"linkquality":160}"#,
        profile: "zigbee2mqtt")
        == telemetry(radar, received(["illuminance": 120, "presence": 1, "linkquality": 160])))
  }

  @Test("a field no rule maps is noted, not silently dropped")
  func notMappedNoted() throws {
    #expect(
      try decode(
        "zigbee2mqtt/env-101", #"{"temperature":22.5,"voc_index":112,"battery":97}"#, profile: "zigbee2mqtt")
        == telemetry(
          Self.env101, received(["temperature": 22.5, "battery": 97]), notes: notMapped("voc_index")))
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

  @Test(
    "friendly names with spaces, Vietnamese letters and '/' become stable safe ids, the name kept as label")
  func friendlyNames() throws {
    func device(_ topic: String) throws -> DeviceIdentity? {
      try message(decode(topic, #"{"co2":640}"#, profile: "zigbee2mqtt"))?.device
    }
    let spaced = try #require(try device("zigbee2mqtt/Room 101 CO2"))
    #expect(spaced.id.hasPrefix("room-101-co2-") && spaced.id.count == "room-101-co2-".count + 10)
    #expect(spaced.name == "Room 101 CO2")
    #expect(Identifier.isValid(spaced.id))
    let vietnamese = try #require(try device("zigbee2mqtt/Phòng 101"))
    #expect(vietnamese.id.hasPrefix("phong-101-"))
    #expect(vietnamese.name == "Phòng 101")
    let nested = try #require(try device("zigbee2mqtt/floor1/room101/co2"))
    #expect(nested.id.hasPrefix("floor1-room101-co2-"))
    #expect(nested.name == "floor1/room101/co2")
    // Stable: the same name gives the same id every time; two names never merge, even with one slug.
    #expect(try device("zigbee2mqtt/Room 101 CO2")?.id == spaced.id)
    #expect(try device("zigbee2mqtt/Phong 101")?.id != vietnamese.id)
    #expect(try device("zigbee2mqtt/floor1/room102/co2")?.id != nested.id)
    // The availability of a nested name is the same device.
    #expect(
      try message(decode("zigbee2mqtt/floor1/room101/co2/availability", "online", profile: "zigbee2mqtt"))?
        .device.id
        == nested.id)
    // A name that is already a valid id stays as it is, without a label.
    #expect(try device("zigbee2mqtt/env-101") == Self.env101)
  }

  @Test("command topics (/set, /get) are ignored, never a device")
  func commandTopicsIgnored() throws {
    for topic in [
      "zigbee2mqtt/plug-102/set", "zigbee2mqtt/plug-102/get", "zigbee2mqtt/plug-102/set/state",
      "zigbee2mqtt/floor1/plug-102/set",
    ] {
      #expect(try decode(topic, #"{"state":"ON"}"#, profile: "zigbee2mqtt") == .ignored, "\(topic)")
    }
  }
}
