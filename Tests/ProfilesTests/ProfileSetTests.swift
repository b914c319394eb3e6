import Decode
import DeviceModel
import Profiles
import TestSupport
import Testing

@Suite("Profile sets: several files and directories")
struct ProfileSetTests {
  static func plugs(_ name: String, _ pattern: String, metric: String = "power") -> String {
    """
    name = "\(name)"
    kind = "plug"
    [[topics]]
    pattern = "\(pattern)"
    type = "telemetry"
    [topics.metrics]
    ENERGY.Power = "\(metric)"
    """
  }

  @Test("two profiles whose patterns overlap with different shapes: both load, the more specific one wins")
  func overlapAcrossFiles() throws {
    let directory = ProfileDirectory()
    try directory.write("a-plugs.toml", Self.plugs("a_plugs", "tele/{device}/SENSOR"))
    try directory.write("b-plugs.toml", Self.plugs("b_plugs", "tele/{device}/#", metric: "energy"))
    let set = try ProfileSet.load(directories: [directory.path])
    let chain = DecoderChain(set.decoders(limits: DecodeLimits()))
    let payload = Array(#"{"ENERGY":{"Power":45}}"#.utf8)
    // The fixed level SENSOR beats '#', whatever the file order.
    #expect(
      chain.explain(topic: "tele/plug-1/SENSOR", payload: payload, receivedAt: receivedAt).decoder
        == "a_plugs")
    #expect(
      chain.explain(topic: "tele/plug-1/STATE", payload: payload, receivedAt: receivedAt).decoder == "b_plugs"
    )
    // profiles test says which rule matched and why the other lost.
    let lines = set.router().explanation(
      topic: "tele/plug-1/SENSOR", payload: payload, receivedAt: receivedAt)
    #expect(lines.first?.hasPrefix("matched a_plugs topics[1] \"tele/{device}/SENSOR\"") == true)
    #expect(
      lines.last?.hasSuffix(
        "the rule used wins: level 3 is the fixed text 'SENSOR', more specific than '#' in \"tele/{device}/#\""
      )
        == true, "\(lines)")
  }

  @Test("a site profile with a pattern as specific as a shipped one is refused, naming both files")
  func overlapWithShipped() throws {
    let site = ProfileDirectory()
    let file = try site.write("my-tasmota.toml", Self.plugs("my_tasmota", "tele/{device}/SENSOR"))
    #expect(
      loadError([devicesDirectory, site.path])?.description
        == "\(file): key 'topics': pattern \"tele/{device}/SENSOR\" of profile 'my_tasmota' (\(file)) and pattern \"tele/{device}/SENSOR\" of profile 'tasmota' (\(devicesDirectory)/tasmota.toml) can match the same topic and are equally specific; make one more specific (a fixed level) or remove one"
    )
  }

  @Test("patterns that share a prefix but cannot match the same topic load together")
  func noOverlap() throws {
    let directory = ProfileDirectory()
    try directory.write("a.toml", Self.plugs("a_plugs", "tele/{device}/SENSOR"))
    try directory.write("b.toml", Self.plugs("b_plugs", "tele/{device}/SENSOR/extra"))
    try directory.write("c.toml", Self.plugs("c_plugs", "tele/{device}/STATE2"))
    #expect(
      try ProfileSet.load(directories: [directory.path]).profiles.map(\.name) == [
        "a_plugs", "b_plugs", "c_plugs",
      ])
  }

  @Test("the same name in a later directory wins; overridden records it")
  func laterDirectoryWins() throws {
    // A school whose Zigbee2MQTT uses the base topic `z2m`: a copy of the shipped file, renamed topics.
    let site = ProfileDirectory()
    let file = try site.write(
      "zigbee2mqtt.toml",
      """
      name = "zigbee2mqtt"
      summary = "Zigbee2MQTT with base topic z2m"
      kind = "env_sensor"
      [[topics]]
      pattern = "z2m/bridge/#"
      type = "ignore"
      [[topics]]
      pattern = "z2m/{device}"
      type = "telemetry"
      [topics.metrics]
      co2 = "co2"
      """)
    let set = try ProfileSet.load(directories: [devicesDirectory, site.path])
    #expect(set.profiles.map(\.name) == ["esphome", "shelly_gen2", "tasmota", "zigbee2mqtt"])
    #expect(set.profiles.last?.file == file)
    #expect(set.overridden.count == 1)
    #expect(set.overridden.first?.name == "zigbee2mqtt")
    #expect(set.overridden.first?.file == "\(devicesDirectory)/zigbee2mqtt.toml")
    #expect(set.overridden.first?.by == file)
    #expect(set.filters.last == "z2m/+")
    #expect(!set.filters.contains("zigbee2mqtt/+"))
    let chain = DecoderChain(set.decoders(limits: DecodeLimits()))
    #expect(
      chain.decode(
        topic: "z2m/env-101", payload: Array(#"{"co2":700,"temperature":21}"#.utf8), receivedAt: receivedAt)
        == telemetry(
          DeviceIdentity(id: "env-101", kind: .envSensor, room: nil, profile: "zigbee2mqtt"),
          received(["co2": 700]), notes: notMapped("temperature")))
    #expect(
      deadLetter(
        chain.decode(topic: "zigbee2mqtt/env-101", payload: Array("{}".utf8), receivedAt: receivedAt))?.code
        == .unknownTopic)
  }

  @Test("the same name twice in one directory is an error naming both files")
  func sameNameOneDirectory() throws {
    let directory = ProfileDirectory()
    let first = try directory.write("plugs-a.toml", Self.plugs("site_plugs", "tele/{device}/SENSOR"))
    let second = try directory.write("plugs-b.toml", Self.plugs("site_plugs", "stat/{device}/SENSOR"))
    #expect(
      loadError([directory.path])?.description
        == "\(second) line 1: key 'name': profile 'site_plugs' is also defined in \(first)")
  }

  @Test("inventory files and hidden files in a profile directory are not profiles")
  func inventorySkipped() throws {
    let directory = ProfileDirectory()
    try directory.write("plugs.toml", Self.plugs("site_plugs", "tele/{device}/SENSOR"))
    try directory.write("school-inventory.toml", "[[rooms]]\nid = \"101\"\n")
    try directory.write(".plugs.toml.swp", "not toml at all")
    try directory.write("notes.txt", "not toml at all")
    #expect(try ProfileSet.load(directories: [directory.path]).profiles.map(\.name) == ["site_plugs"])
  }

  @Test("a missing directory is skipped, unless required")
  func missingDirectory() throws {
    let missing = "/nonexistent/classgate-devices"
    #expect(try ProfileSet.load(directories: [devicesDirectory, missing]).profiles.count == 4)
    do {
      _ = try ProfileSet.load(directories: [missing], required: true)
      Issue.record("expected a missing required directory to be refused")
    } catch {
      #expect(error.description == "\(missing): profile directory does not exist")
    }
  }
}
