import Foundation
import TestSupport
import Testing

/// The alert rules and the Grafana dashboard in Monitoring/: valid for promtool and Grafana, and
/// naming only metrics the agent writes (a renamed metric would silence an alert).
@Suite("Monitoring files")
struct MonitoringFilesTests {
  static let directory = SecurityChecksTests.packageRoot + "/Monitoring"

  /// Every `classgate_*` name the agent's textfile writer puts out (its source).
  static func metricsTheAgentWrites() throws -> Set<String> {
    let source = try String(
      contentsOfFile: SecurityChecksTests.packageRoot + "/Sources/Agent/MetricsTextfile.swift",
      encoding: .utf8)
    return metricsNamed(in: source)
  }

  /// The metric names in `text`, a histogram's series under its own name.
  static func metricsNamed(in text: String) -> Set<String> {
    Set(
      text.matches(of: #/classgate_[a-z_]+/#).map { match in
        var name = String(match.output)
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) && name.contains("duration")
        {
          name = String(name.dropLast(suffix.count))
        }
        return name
      }
    ).subtracting(["classgate_prom"])
  }

  @Test func alertRulesPassPromtoolAndTheirTestsFire() throws {
    let check = try runShell("cd '\(Self.directory)' && promtool check rules classgate.rules.yml")
    #expect(check.status == 0, "\(check.stdout)")
    #expect(check.stdout.contains("SUCCESS: 10 rules found"))
    let test = try runShell("cd '\(Self.directory)' && promtool test rules classgate.rules.test.yml")
    #expect(test.status == 0, "\(test.stdout)")
  }

  @Test func rulesAndDashboardNameOnlyMetricsTheAgentWrites() throws {
    let written = try Self.metricsTheAgentWrites()
    #expect(written.contains("classgate_commit_duration_seconds"))
    let rules = try String(contentsOfFile: Self.directory + "/classgate.rules.yml", encoding: .utf8)
    let dashboard = try String(contentsOfFile: Self.directory + "/classgate-dashboard.json", encoding: .utf8)
    for (file, text) in [("rules", rules), ("dashboard", dashboard)] {
      let unknown = Self.metricsNamed(in: text).subtracting(written)
      #expect(unknown.isEmpty, "\(file) names metrics the agent does not write: \(unknown.sorted())")
    }
  }

  @Test func dashboardIsGrafanaJSONWithAQueryInEveryPanel() throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: Self.directory + "/classgate-dashboard.json"))
    let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect(dashboard["uid"] as? String == "classgate")
    let panels = try #require(dashboard["panels"] as? [[String: Any]])
    #expect(panels.count >= 12)
    for panel in panels {
      let targets = panel["targets"] as? [[String: Any]] ?? []
      #expect(!targets.isEmpty && targets.allSatisfy { ($0["expr"] as? String)?.isEmpty == false })
      let grid = try #require(panel["gridPos"] as? [String: Int])
      #expect((grid["x"] ?? 0) + (grid["w"] ?? 0) <= 24)
    }
  }
}

/// docs/images/dashboard.png is drawn by Monitoring/render-dashboard.py from the dashboard JSON
/// (scripts/dashboard-screenshot.sh): the panels and expressions it queries are the JSON's own.
@Suite("Dashboard renderer")
struct DashboardRendererTests {
  @Test func rendererQueriesExactlyTheDashboardsPanelsAndExpressions() throws {
    let directory = MonitoringFilesTests.directory
    let listed = try runShell("python3 '\(directory)/render-dashboard.py' --list-expressions")
    #expect(listed.status == 0, "\(listed.stdout)")
    let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/classgate-dashboard.json"))
    let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let panels = try #require(dashboard["panels"] as? [[String: Any]])
    var expected: [String] = []
    for panel in panels {
      let title = try #require(panel["title"] as? String)
      for target in panel["targets"] as? [[String: Any]] ?? [] {
        expected.append("\(title)\t\(try #require(target["expr"] as? String))")
      }
    }
    let rendered = listed.stdout.split(separator: "\n").map(String.init)
    #expect(rendered.sorted() == expected.sorted())
    #expect(rendered.contains { $0.contains("histogram_quantile(0.99") })
  }

  /// The renderer against a real Prometheus scraping Debian's node_exporter (a fixed textfile):
  /// stats show their value mappings, tables their labels, time series a line, absent metrics
  /// "No data".
  @Test func rendererDrawsThePanelsFromARealPrometheus() throws {
    let directory = TemporaryDirectory(prefix: "classgate-render")
    defer { directory.remove() }
    let textfiles = directory.file("textfiles")
    try FileManager.default.createDirectory(atPath: textfiles, withIntermediateDirectories: false)
    chmod(directory.path, 0o755)
    chmod(textfiles, 0o755)
    let metrics = """
      classgate_broker_connected 1
      classgate_store_writable 0
      classgate_build_info{version="9.8.7",libmosquitto="2.0.11"} 1
      classgate_devices{status="online"} 118
      classgate_devices{status="offline"} 2

      """
    #expect(
      FileManager.default.createFile(
        atPath: textfiles + "/classgate.prom", contents: Data(metrics.utf8),
        attributes: [.posixPermissions: 0o644]))
    let exporter = try NodeExporter(textfileDirectory: textfiles, logPath: directory.file("exporter.log"))
    #expect(exporter.waitUntilListening())
    let port = freeLoopbackPort()
    try """
    global:
      scrape_interval: 1s
    scrape_configs:
      - job_name: classgate
        static_configs:
          - targets: ["127.0.0.1:\(exporter.port)"]
    """.write(toFile: directory.file("prometheus.yml"), atomically: true, encoding: .utf8)
    let prometheus = try ChildProcess(
      executable: "/usr/bin/prometheus",
      arguments: [
        "--config.file=\(directory.file("prometheus.yml"))", "--storage.tsdb.path=\(directory.file("tsdb"))",
        "--web.listen-address=127.0.0.1:\(port)",
      ], environment: [:], outputPath: directory.file("prometheus.log"))
    defer {
      prometheus.signal(SIGTERM)
      _ = prometheus.wait(timeout: 10)
    }
    let start = Int(Date().timeIntervalSince1970)
    // Until Prometheus has scraped three samples (the query is empty before).
    let query =
      "http://127.0.0.1:\(port)/api/v1/query?query=count_over_time(classgate_broker_connected%5B1m%5D)%3E%3D3"
    #expect(
      waitUntil(timeout: 30) {
        (try? runShell("curl -sf '\(query)'"))?.stdout.contains(#""value":["#) == true
      })
    let page = directory.file("dashboard.html")
    let render = try runShell(
      "python3 '\(MonitoringFilesTests.directory)/render-dashboard.py' --prometheus http://127.0.0.1:\(port)"
        + " --start \(start) --end \(Int(Date().timeIntervalSince1970)) --step 1 --out '\(page)'")
    #expect(render.status == 0, "\(render.stdout)")
    let html = try String(contentsOfFile: page, encoding: .utf8)
    #expect(html.contains(">UP</div>") && html.contains(">DOWN</div>"))
    #expect(html.contains("<td>9.8.7</td>") && html.contains("<td>2.0.11</td>"))
    #expect(html.contains("<polyline") && html.contains(">online</span>") && html.contains(">offline</span>"))
    #expect(html.contains("No data"))
  }
}
