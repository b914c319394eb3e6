import Foundation
import TestSupport
import Testing

@Suite("Prometheus textfile", .serialized)
struct MetricsTests {
  @Test func metricsTextfileReportsMessagesDeadLettersDevicesAndBrokerState() throws {
    let probe = TemporaryDirectory(prefix: "classgate-metrics")
    defer { probe.remove() }
    let path = probe.file("classgate.prom")
    let harness = try AgentHarness(config: "\n[metrics]\ntextfile = \"\(path)\"\n")
    try harness.startAgent()
    try harness.publisher().publish([
      ("classgate/101/env_sensor/env-1/telemetry", #"{"co2":700,"humidity":60}"#),
      ("classgate/101/board/b-1/telemetry", #"{"power_on":1}"#),
      ("classgate/101/board/b-1/telemetry", "{broken"),
    ])
    func text() -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
    #expect(waitUntil(timeout: 15) { text().contains("classgate_messages_received_total 3\n") })
    let metrics = text()
    #expect(metrics.contains("classgate_readings_stored_total 3\n"))
    #expect(metrics.contains("classgate_dead_letters_total{reason=\"malformed_payload\"} 1\n"))
    #expect(metrics.contains("classgate_dead_letters_total{reason=\"wrong_type\"} 0\n"))
    #expect(metrics.contains("classgate_devices{status=\"online\"} 2\n"))
    #expect(metrics.contains("classgate_broker_connected 1\n"))
    #expect(metrics.contains("classgate_store_writable 1\n"))
    #expect(metrics.contains("classgate_devices_max 5000\n"))
    #expect(
      metrics.contains("classgate_clock_trusted 0\n") || metrics.contains("classgate_clock_trusted 1\n"))
    #expect(metrics.contains("# TYPE classgate_messages_received_total counter"))
    // Written by rename: no temporary file is left beside it.
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: probe.path).filter {
      $0.contains(".tmp.")
    }
    #expect(leftovers.isEmpty)

    // No [ioc]: no uplink gauge to fire an uplink-down alert; the store's are there.
    #expect(!metrics.contains("classgate_uplink_"))
    #expect(metrics.contains("classgate_store_cap_bytes "))
    #expect(metrics.contains("classgate_build_info{version=\"0.1.0\",libmosquitto=\"2."))
    let commits = try #require(Self.sample(metrics, "classgate_commits_total"))
    #expect(commits >= 1)
    #expect(Self.sample(metrics, "classgate_commit_duration_seconds_count") == commits)
    #expect(Self.sample(metrics, "classgate_commit_duration_seconds_bucket{le=\"+Inf\"}") == commits)
    #expect(metrics.contains("# TYPE classgate_commit_duration_seconds histogram"))

    kill(harness.agent.pid, SIGHUP)
    #expect(waitUntil(timeout: 15) { text().contains("classgate_reloads_total{result=\"ok\"} 1\n") })
    let config = try String(contentsOfFile: harness.configPath, encoding: .utf8)
    try (config + "\n[store]\n").write(toFile: harness.configPath, atomically: true, encoding: .utf8)
    kill(harness.agent.pid, SIGHUP)
    #expect(waitUntil(timeout: 15) { text().contains("classgate_reloads_total{result=\"failed\"} 1\n") })

    try harness.broker.restart()
    #expect(waitUntil(timeout: 15) { text().contains("classgate_broker_reconnects_total 1\n") })
    harness.broker.stop()
    #expect(waitUntil(timeout: 15) { text().contains("classgate_broker_connected 0\n") })
  }

  /// The value of the sample `name` (with its labels) in a textfile.
  static func sample(_ text: String, _ name: String) -> Double? {
    text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
      .flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
  }
}
