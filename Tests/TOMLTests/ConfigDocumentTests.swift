import TOML
import Testing

private let agentConfig = """
  # ClassGate agent
  school_id = "hcm-q1-tieu-hoc-01"
  time_zone = "Asia/Ho_Chi_Minh"

  [local_broker]
  host = "127.0.0.1"
  port = 1883
  username = "classgate"
  password_file = "/etc/classgate/broker.pass"
  keepalive_s = 30
  protocol = "mqtt5"

  [store]
  path = "/var/lib/classgate/classgate.db"
  commit_window_ms = 100

  [[profiles]]
  name = "tasmota"
  kind = "plug"
  topics = ["tele/+/SENSOR", "tele/+/STATE"]
  metrics = { "ENERGY.Power" = { metric = "power", unit = "W" }, "ENERGY.Total" = { metric = "energy", scale = 1000.0 } }

  [[profiles]]
  name = "shelly-plug"   # second device family
  kind = "plug"
  topics = [
    "shellies/+/relay/0/power",   # watts
    "shellies/+/relay/0/energy",  # watt-minutes
  ]

  [profiles.labels]
  room = "Phòng 1A"
  """

@Suite struct ConfigDocumentTests {
  let config: TOMLTable

  init() throws {
    config = try TOMLParser.parse(agentConfig)
  }

  @Test func topLevelKeysInOrder() {
    #expect(config.keys == ["school_id", "time_zone", "local_broker", "store", "profiles"])
    #expect(config["school_id"] == .string("hcm-q1-tieu-hoc-01"))
    #expect(config["time_zone"]?.stringValue == "Asia/Ho_Chi_Minh")
    #expect(config.line == 1)
  }

  @Test func brokerSection() throws {
    let broker = try #require(config["local_broker"]?.tableValue)
    #expect(
      broker.keys == ["host", "port", "username", "password_file", "keepalive_s", "protocol"])
    #expect(broker["host"] == .string("127.0.0.1"))
    #expect(broker["port"] == .integer(1883))
    #expect(broker["keepalive_s"]?.integerValue == 30)
    #expect(broker["password_file"] == .string("/etc/classgate/broker.pass"))
    #expect(broker["missing"] == nil)
  }

  @Test func linesOfKeysAndTables() throws {
    #expect(config.line(of: "school_id") == 2)
    #expect(config.line(of: "time_zone") == 3)
    #expect(config.line(of: "local_broker") == 5)
    #expect(config.line(of: "store") == 13)
    #expect(config.line(of: "profiles") == 17)
    #expect(config.line(of: "nope") == nil)

    let broker = try #require(config["local_broker"]?.tableValue)
    #expect(broker.line == 5)
    #expect(broker.line(of: "host") == 6)
    #expect(broker.line(of: "port") == 7)
    #expect(broker.line(of: "protocol") == 11)

    let store = try #require(config["store"]?.tableValue)
    #expect(store.line == 13)
    #expect(store.line(of: "commit_window_ms") == 15)
  }

  @Test func arrayOfProfiles() throws {
    let profiles = try #require(config["profiles"]?.arrayValue)
    #expect(profiles.count == 2)
    let tasmota = try #require(profiles[0].tableValue)
    #expect(tasmota.line == 17)
    #expect(tasmota["name"] == .string("tasmota"))
    #expect(tasmota["topics"] == .array([.string("tele/+/SENSOR"), .string("tele/+/STATE")]))
    #expect(tasmota.line(of: "metrics") == 21)

    let shelly = try #require(profiles[1].tableValue)
    #expect(shelly.line == 23)
    #expect(shelly.line(of: "topics") == 26)
    #expect(
      shelly["topics"]
        == .array([.string("shellies/+/relay/0/power"), .string("shellies/+/relay/0/energy")]))
    // [profiles.labels] belongs to the most recent [[profiles]] element.
    #expect(shelly.line(of: "labels") == 31)
    #expect(value(shelly, "labels", "room") == .string("Phòng 1A"))
    #expect(tasmota["labels"] == nil)
  }

  @Test func inlineTablesWithQuotedDottedLookingKeys() throws {
    let tasmota = try #require(config["profiles"]?.arrayValue?.first?.tableValue)
    let metrics = try #require(tasmota["metrics"]?.tableValue)
    #expect(metrics.keys == ["ENERGY.Power", "ENERGY.Total"])
    #expect(metrics.line == 21)
    #expect(metrics["ENERGY.Power"] == .table(["metric": .string("power"), "unit": .string("W")]))
    #expect(value(metrics, "ENERGY.Total", "scale") == .float(1000.0))
    #expect(value(metrics, "ENERGY.Total", "scale")?.numberValue == 1000)
    #expect(value(metrics, "ENERGY.Total", "metric")?.typeName == "string")
  }

  @Test func windowsLineEndingsAndBOMGiveTheSameResult() throws {
    let windows = "\u{FEFF}" + agentConfig.replacingOccurrencesOfNewline(with: "\r\n")
    let parsed = try TOMLParser.parse(windows)
    #expect(parsed == config)
    #expect(parsed.line(of: "store") == 13)
    #expect(try #require(parsed["local_broker"]?.tableValue).line(of: "port") == 7)
  }
}

extension String {
  /// Swaps LF for another line ending (no Foundation in these tests either).
  func replacingOccurrencesOfNewline(with ending: String) -> String {
    split(separator: "\n", omittingEmptySubsequences: false).joined(separator: ending)
  }
}
