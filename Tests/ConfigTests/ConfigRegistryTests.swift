import Agent
import Foundation
import Rollup
import TestSupport
import Testing

/// The one registry of keys, and what is written from it: the docs table, the sample and
/// `classgate config show`.
@Suite("Configuration registry")
struct ConfigRegistryTests {
  static let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

  @Test func docsConfigurationTableIsTheOneWrittenFromTheRegistry() throws {
    let docs = try String(contentsOfFile: Self.packageRoot + "/docs/configuration.md", encoding: .utf8)
    let start = try #require(docs.range(of: "<!-- config-table:start -->\n"))
    let end = try #require(docs.range(of: "<!-- config-table:end -->"))
    let table = String(docs[start.upperBound..<end.lowerBound])
    #expect(
      table == ConfigDocument.markdownTable(),
      "regenerate it: classgate config sample --docs-table (between the config-table markers)")
    for entry in ConfigRegistry.keys {
      let environment = entry.hasEnvironment ? "`\(entry.environmentName)`" : "—"
      #expect(table.contains("| `\(entry.key)` | \(environment) |"), "\(entry.key)")
    }
    #expect(table.contains("| `timetable.morning.start` | `CLASSGATE_TIMETABLE_MORNING_START` |"))
    #expect(table.contains("| `timetable.term` | — |"))
  }

  @Test func sampleListsEveryKeyInItsSectionFitsEightyColumnsAndLoads() throws {
    let sample = ConfigDocument.sample()
    var table = ""
    var found: Set<String> = []
    for line in sample.split(separator: "\n").map(String.init) {
      #expect(line.count <= 80, "\(line)")
      let setting = line.hasPrefix("# ") ? String(line.dropFirst(2)) : line
      if setting.hasPrefix("[[") && setting.hasSuffix("]]") {
        found.insert(String(setting.dropFirst(2).dropLast(2)))
        continue
      }
      if setting.hasPrefix("[") && setting.hasSuffix("]") { table = String(setting.dropFirst().dropLast()) }
      guard let equals = setting.range(of: " = "), !setting.hasPrefix(" ") else { continue }
      let name = String(setting[..<equals.lowerBound])
      found.insert(table.isEmpty ? name : "\(table).\(name)")
    }
    #expect(
      found.isSuperset(of: ConfigRegistry.keys.map(\.key)),
      "\(Set(ConfigRegistry.keys.map(\.key)).subtracting(found))")
    #expect(sample.contains("\n# [timetable]\n") && sample.contains("\n# [timetable.morning]\n"))
    let directory = TemporaryDirectory(prefix: "classgate-sample")
    defer { directory.remove() }
    let file = try directory.write("classgate.toml", sample)
    let config = try AgentConfig.load(path: file, environment: [:])
    #expect(config.schoolID == "change-me")
    #expect(
      config.broker.port == 1883 && config.storeMaxBytes == 2048 << 20
        && config.timeZone == "Asia/Ho_Chi_Minh")
    // Commented out, the opt-in [timetable] stays off.
    #expect(config.uplink.summariser.timetable == nil)
  }

  /// The sample's `[timetable]`, uncommented (all but the CSV path, a file this test has not),
  /// loads with the agent's reader as exactly the defaults it documents, plus its examples.
  @Test func sampleTimetableUncommentedLoadsAsTheDefaults() throws {
    var lines: [String] = []
    var inTimetable = false
    for line in ConfigDocument.sample().split(separator: "\n", omittingEmptySubsequences: false) {
      var text = String(line)
      if text.hasPrefix("# [") { inTimetable = text.contains("[timetable") }
      if inTimetable, text.wholeMatch(of: #/# (\[.*\]|[a-z_]+ = .*)/#) != nil {
        if text.hasPrefix("# csv = ") { continue }
        text = String(text.dropFirst(2))
      }
      lines.append(text)
    }
    let uncommented = lines.joined(separator: "\n")
    #expect(uncommented.contains("\n[timetable]\n") && uncommented.contains("\n[[timetable.closure]]\n"))
    let directory = TemporaryDirectory(prefix: "classgate-sample")
    defer { directory.remove() }
    let file = try directory.write("classgate.toml", uncommented)
    let config = try AgentConfig.load(path: file, environment: [:])
    let timetable = try #require(config.uplink.summariser.timetable)
    #expect(timetable.slots == Timetable.defaultSlots(primary: false))
    #expect(timetable.weekdays == [1, 2, 3, 4, 5] && timetable.minUseMs == 5 * 60_000)
    let term = try #require(LocalDate("2026-09-05"))...(try #require(LocalDate("2027-01-16")))
    #expect(timetable.terms == [term])
    #expect(timetable.closures.map(\.name) == ["Tết"])
  }

  @Test func everyIntegerDefaultIsInsideItsRange() {
    for entry in ConfigRegistry.keys {
      if case .integer(let range) = entry.kind {
        #expect(Int(entry.defaultValue ?? "").map(range.contains) == true, "\(entry.key)")
      }
    }
  }

  @Test func showGivesEachValueItsSourceAndRedactsThePassword() throws {
    let directory = TemporaryDirectory(prefix: "classgate-show")
    defer { directory.remove() }
    let file = try directory.write(
      "classgate.toml", "school_id = \"s1\"\n\n[local_broker]\nport = 1884\nusername = \"agent\"\n")
    let result = try runClassgate(
      ["config", "show", "--config", file],
      environment: ["CLASSGATE_STORE_PATH": "/tmp/x.db", "CLASSGATE_LOCAL_BROKER_PASSWORD": "hunter2-secret"])
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    #expect(lines.contains("school_id = \"s1\"  # classgate.toml line 1"))
    #expect(lines.contains("local_broker.port = 1884  # classgate.toml line 4"))
    #expect(lines.contains("store.path = \"/tmp/x.db\"  # environment CLASSGATE_STORE_PATH"))
    #expect(lines.contains("store.max_mb = 2048  # default"))
    #expect(
      lines.contains("local_broker.password = (redacted)  # environment CLASSGATE_LOCAL_BROKER_PASSWORD"))
    #expect(!result.stdout.contains("hunter2"))
    // Without [timetable] one line says so; every other key has its line, and the password.
    #expect(lines.contains("timetable = (none)  # not set: no lessons are rolled up"))
    #expect(lines.contains("pjlink.projector = (none)  # not set"))
    #expect(lines.count == ConfigRegistry.keys.filter { $0.section != "timetable" }.count + 2)

    let json = try runClassgate(["config", "show", "--config", file, "--json"])
    let document = try #require(
      try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    #expect((document["keys"] as? [[String: String]])?.first?["source"] == "classgate.toml line 1")
  }

  /// `[timetable]`'s keys with their sources: file lines in nested tables, the level's defaults,
  /// a session's period length following the section's, a variable, and arrays of tables.
  @Test func showListsTheTimetableKeysAsTheAgentTakesThem() throws {
    let directory = TemporaryDirectory(prefix: "classgate-show")
    defer { directory.remove() }
    let file = try directory.write(
      "classgate.toml",
      """
      school_id = "s1"
      [timetable]
      level = "primary"
      [timetable.morning]
      periods = 3
      [[timetable.closure]]
      start = 2027-02-12
      [[timetable.closure]]
      start = 2027-04-30
      """)
    let environment = ["CLASSGATE_TIMETABLE_MIN_USE_MINUTES": "10"]
    let result = try runClassgate(["config", "show", "--config", file], environment: environment)
    #expect(result.status == 0, "\(result.stderr)")
    let lines = Set(result.stdout.split(separator: "\n").map(String.init))
    for expected in [
      #"timetable.level = "primary"  # classgate.toml line 3"#,
      "timetable.period_minutes = 35  # default",
      "timetable.min_use_minutes = 10  # environment CLASSGATE_TIMETABLE_MIN_USE_MINUTES",
      #"timetable.morning.start = "07:30"  # default"#,
      "timetable.morning.periods = 3  # classgate.toml line 5",
      "timetable.morning.breaks = [5, 30, 5]  # default",
      "timetable.morning.period_minutes = 35  # default",
      "timetable.morning.starts = (none)  # not set",
      #"timetable.afternoon.start = "14:00"  # default"#,
      "timetable.term = (none)  # not set",
      "timetable.closure = 2 tables  # classgate.toml line 6",
    ] {
      #expect(lines.contains(expected), "\(expected)\n\(result.stdout)")
    }
    // What the agent itself reads from the same file and variable.
    let config = try AgentConfig.load(path: file, environment: environment)
    let timetable = try #require(config.uplink.summariser.timetable)
    #expect(timetable.minUseMs == 10 * 60_000 && timetable.closures.count == 2)
    #expect(timetable.slots.first?.startMinute == 450 && timetable.slots.first?.lengthMinutes == 35)
    #expect(timetable.slots.filter { $0.session == .morning }.count == 3)
  }

  @Test func anUnknownTimetableVariableIsRefusedLikeAnUnknownKey() throws {
    let directory = TemporaryDirectory(prefix: "classgate-env")
    defer { directory.remove() }
    let file = try directory.write("classgate.toml", "school_id = \"s1\"\n[timetable]\n")
    do throws(ConfigError) {
      _ = try AgentConfig.load(path: file, environment: ["CLASSGATE_TIMETABLE_LUNCH_MINUTES": "30"])
      Issue.record("expected CLASSGATE_TIMETABLE_LUNCH_MINUTES to be refused")
    } catch {
      #expect(error.problems.map(\.location) == ["environment variable CLASSGATE_TIMETABLE_LUNCH_MINUTES"])
    }
  }

  @Test func shippedConfigShowsEverySectionAtLeastCommentedOut() throws {
    let shipped = try String(contentsOfFile: Self.packageRoot + "/Systemd/classgate.toml", encoding: .utf8)
    for section in Set(ConfigRegistry.keys.map(\.section)).subtracting([
      "", "native", "profiles", "store", "devices", "ingest", "rollup",
    ]) {
      #expect(shipped.contains("[\(section)]\n") || shipped.contains("# [\(section)]\n"), "[\(section)]")
    }
  }
}
