import Decode
import DeviceModel
import Profiles
import TestSupport
import Testing

@Suite("Topic patterns: precedence, overlap, multi-level and prefixed captures")
struct PrecedenceTests {
  func pattern(_ text: String) throws -> TopicPattern { try TopicPattern(text) }
  func levels(_ topic: String) -> [Substring] {
    topic.split(separator: "/", omittingEmptySubsequences: false)
  }

  @Test("literal levels beat captures, which beat multi-level captures, which beat '#'")
  func precedence() throws {
    #expect(try pattern("zigbee2mqtt/{device#}").precedes(pattern("{device}/online")))
    #expect(try !pattern("{device}/online").precedes(pattern("zigbee2mqtt/{device#}")))
    #expect(try pattern("tele/{device}/SENSOR").precedes(pattern("tele/{device}/#")))
    #expect(try pattern("zigbee2mqtt/{device#}/availability").precedes(pattern("zigbee2mqtt/{device#}")))
    #expect(try pattern("zigbee2mqtt/bridge/#").precedes(pattern("zigbee2mqtt/{device#}")))
    #expect(try pattern("{device}/status/switch:{channel}").precedes(pattern("{device}/status/+")))
    #expect(try pattern("a").precedes(pattern("a/#")))
    // Equal shapes: neither wins (a tie, refused across profiles).
    #expect(try !pattern("{device}/online").precedes(pattern("{device}/online")))
  }

  @Test("overlap: some topic matches both")
  func overlap() throws {
    #expect(try pattern("{device}/online").overlaps(pattern("zigbee2mqtt/{device#}")))
    #expect(try !pattern("{device}/online").overlaps(pattern("{device}/status")))
    #expect(try pattern("a/#").overlaps(pattern("a")))
    #expect(try !pattern("x/{device}/switch:{channel}").overlaps(pattern("x/{device}/em1:{channel}")))
    #expect(try pattern("x/switch:{channel}").overlaps(pattern("x/switch:1")))
    #expect(try !pattern("zigbee2mqtt/{device#}/set").overlaps(pattern("zigbee2mqtt/{device#}/availability")))
  }

  @Test("a multi-level capture takes one or more whole levels; a prefixed capture the rest of a level")
  func captures() throws {
    let nested = try pattern("zigbee2mqtt/{device#}/availability")
    #expect(
      nested.match(levels("zigbee2mqtt/floor1/room101/co2/availability"))?[.device] == "floor1/room101/co2")
    #expect(nested.match(levels("zigbee2mqtt/availability")) == nil)
    #expect(nested.filter == "zigbee2mqtt/#")
    let channel = try pattern("{device}/status/switch:{channel}")
    #expect(channel.match(levels("plug/status/switch:1"))?[.channel] == "1")
    #expect(channel.match(levels("plug/status/switch:")) == nil)
    #expect(channel.filter == "+/status/+")
    #expect(throws: PatternError.self) { try TopicPattern("{device#}/{room#}") }
    #expect(throws: PatternError.self) { try TopicPattern("a/{device#}/#") }
    #expect(throws: PatternError.self) { try TopicPattern("a/{device#}x") }
  }

  @Test("a {room}/{device} rule never merges two rooms' devices of the same name")
  func roomQualifiedIDs() throws {
    let profile = try ProfileParser.parse(
      """
      name = "site_sensors"
      kind = "env_sensor"
      [[topics]]
      pattern = "sensors/{room}/{device}"
      type = "telemetry"
      [topics.metrics]
      co2 = "co2"
      """, file: "site-sensors.toml")
    let decoder = ProfileDecoder(profile: profile)
    func device(_ topic: String) -> DeviceIdentity? {
      guard
        case .decoded(let message)? = decoder.decode(
          topic: topic, payload: Array(#"{"co2":600}"#.utf8), receivedAt: receivedAt)
      else { return nil }
      return message.device
    }
    #expect(device("sensors/room101/co2")?.id == "room101:co2")
    #expect(device("sensors/room102/co2")?.id == "room102:co2")
    #expect(device("sensors/room101/co2")?.room == "room101")
    // No room known ('_'): the name alone.
    #expect(device("sensors/_/co2")?.id == "co2")
    // A profile whose names are unique in the school keeps the name alone as the id.
    var unique = profile
    unique.deviceNamesUnique = true
    let plain = ProfileDecoder(profile: unique).decode(
      topic: "sensors/room101/air-7", payload: Array(#"{"co2":600}"#.utf8), receivedAt: receivedAt)
    #expect(message(plain)?.device.id == "air-7" && message(plain)?.device.room == "room101")
  }

  @Test("a quoted dotted key at the top of [topics.metrics] is a path; under a dotted key, one key")
  func quotedKeys() throws {
    let profile = try ProfileParser.parse(
      """
      name = "site_air"
      [[topics]]
      pattern = "air/{device}"
      type = "telemetry"
      [topics.metrics]
      "data.co2" = "co2"
      PMS."PM2.5" = "pm25"
      """, file: "site-air.toml")
    guard case .telemetry(let telemetry) = profile.rules[0].content else {
      throw TestFailure("not telemetry")
    }
    #expect(telemetry.fields.map(\.path.keys) == [["data", "co2"], ["PMS", "PM2.5"]])
  }

  @Test("names with control or invisible characters, or overlong, are dead letters, not ids")
  func refusedNames() throws {
    for name in ["\u{202E}lortnoc", "a\u{1B}[31m", "\u{200B}", String(repeating: "x", count: 129)] {
      #expect(
        try deadLetter(decode("zigbee2mqtt/\(name)", #"{"co2":1}"#, profile: "zigbee2mqtt"))?.code
          == .invalidDeviceID, "\(name.debugDescription)")
    }
  }

  @Test("a site profile whose pattern ties a shipped one is refused naming both files")
  func tieRefused() throws {
    let site = ProfileDirectory()
    let file = try site.write(
      "my-shelly.toml",
      """
      name = "my_shelly"
      [[topics]]
      pattern = "{device}/online"
      type = "availability"
      """)
    let error = loadError([devicesDirectory, site.path])?.description ?? ""
    #expect(error.contains(file) && error.contains("\(devicesDirectory)/shelly-gen2.toml"), "\(error)")
    #expect(error.contains("equally specific"), "\(error)")
  }
}

@Suite("Device ids from names and unit conversions")
struct NamesAndUnitsTests {
  @Test("a valid id stays; any other name becomes <slug>-<10 hex digits>, stable, never merging")
  func names() {
    #expect(DeviceName.id(for: "env-101") == ("env-101", nil))
    let spaced = DeviceName.id(for: "Room 101 CO2")
    #expect(spaced.label == "Room 101 CO2")
    #expect(spaced.id.hasPrefix("room-101-co2-"))
    #expect(DeviceName.id(for: "Room 101 CO2").id == spaced.id)
    #expect(DeviceName.id(for: "Room 101  CO2").id != spaced.id)
    #expect(DeviceName.id(for: "Phòng Hóa học 201").id.hasPrefix("phong-hoa-hoc-201-"))
    #expect(DeviceName.id(for: "Đèn lớp 3").id.hasPrefix("den-lop-3-"))
    // Decomposed marks (o + U+0300) are dropped as well.
    #expect(DeviceName.id(for: "Pho\u{300}ng").id.hasPrefix("phong-"))
    #expect(DeviceName.id(for: "温度计").id.hasPrefix("device-"))
    for name in [
      "Room 101 CO2", "Phòng 101", "floor1/room101/co2", "温度计", String(repeating: "x y ", count: 40),
    ] {
      #expect(Identifier.isValid(DeviceName.id(for: name[...]).id), "\(name)")
    }
  }

  @Test("units convert into the canonical ones; unknown units are refused")
  func units() {
    #expect(Units.convert(3005, from: "mV", metric: "battery_voltage") == 3.005)
    #expect(abs((Units.convert(71.8, from: "F", metric: "temperature") ?? 0) - 22.111) < 0.001)
    #expect(Units.convert(1234.5, from: "Wh", metric: "energy") == 1.2345)
    #expect(Units.convert(20, from: "C", metric: "temperature") == 20)
    #expect(Units.convert(20, from: "K2", metric: "temperature") == nil)
    #expect(Units.convert(5, from: "mV", metric: "temperature") == nil)
    #expect(Units.convert(5, from: "", metric: "site_metric") == 5)
  }
}
