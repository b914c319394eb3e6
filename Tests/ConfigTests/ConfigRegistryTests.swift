import Agent
import Foundation
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
      #expect(table.contains("| `\(entry.key)` | `\(entry.environmentName)` |"))
    }
  }

  @Test func sampleListsEveryKeyInItsSectionFitsEightyColumnsAndLoads() throws {
    let sample = ConfigDocument.sample()
    var section = ""
    var found: Set<String> = []
    for line in sample.split(separator: "\n").map(String.init) {
      #expect(line.count <= 80, "\(line)")
      if line.hasPrefix("[") && line.hasSuffix("]") { section = String(line.dropFirst().dropLast()) }
      let setting = line.hasPrefix("# ") ? String(line.dropFirst(2)) : line
      guard let equals = setting.range(of: " = "), !setting.hasPrefix(" ") else { continue }
      let name = String(setting[..<equals.lowerBound])
      found.insert(section.isEmpty ? name : "\(section).\(name)")
    }
    #expect(found.isSuperset(of: ConfigRegistry.keys.map(\.key)))
    let directory = TemporaryDirectory(prefix: "classgate-sample")
    defer { directory.remove() }
    let file = try directory.write("classgate.toml", sample)
    let config = try AgentConfig.load(path: file, environment: [:])
    #expect(config.schoolID == "change-me")
    #expect(
      config.broker.port == 1883 && config.storeMaxBytes == 2048 << 20
        && config.timeZone == "Asia/Ho_Chi_Minh")
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
    #expect(lines.count == ConfigRegistry.keys.count + 1)

    let json = try runClassgate(["config", "show", "--config", file, "--json"])
    let document = try #require(
      try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    #expect((document["keys"] as? [[String: String]])?.first?["source"] == "classgate.toml line 1")
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
