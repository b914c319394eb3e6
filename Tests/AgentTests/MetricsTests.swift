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

    try harness.broker.restart()
    harness.broker.stop()
    #expect(waitUntil(timeout: 15) { text().contains("classgate_broker_connected 0\n") })
  }
}
