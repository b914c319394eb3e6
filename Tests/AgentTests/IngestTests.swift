import Buffer
import DeviceModel
import Foundation
import TestSupport
import Testing

@Suite("Ingest from a real broker into the store", .serialized)
struct IngestTests {
  @Test func publishedTelemetryIsStoredAndListedByDevicesJSON() throws {
    let harness = try AgentHarness()
    try harness.startAgent()
    let device = try harness.publisher()
    try device.publish(
      topic: "classgate/101/env_sensor/env-101/telemetry",
      payload: #"{"co2":812,"temperature":27.4,"humidity":61}"#)
    try device.publish(
      topic: "classgate/_/board/board-7/telemetry", payload: #"{"power_on":true,"active":false}"#)

    #expect(waitUntil(timeout: 10) { ((try? harness.reader().readingCount()) ?? 0) == 5 })
    let result = try harness.cli(["devices", "--json"])
    #expect(result.status == 0)
    let document = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let devices = try #require(document["devices"] as? [[String: Any]])
    let env = try #require(devices.first { $0["id"] as? String == "env-101" })
    #expect(env["kind"] as? String == "env_sensor")
    #expect(env["room"] as? String == "101")
    #expect(env["status"] as? String == "online")
    let values = try #require(env["values"] as? [String: [String: Any]])
    #expect(values["co2"]?["value"] as? Double == 812)
    #expect(values["co2"]?["unit"] as? String == "ppm")
    #expect(values["temperature"]?["value"] as? Double == 27.4)
    let board = try #require(devices.first { $0["id"] as? String == "board-7" })
    #expect(board["room"] is NSNull)
    #expect((board["values"] as? [String: [String: Any]])?["active"]?["value"] as? Double == 0)
  }

  @Test func lastWillMarksDeviceOfflineAndSilenceMarksItStale() throws {
    let harness = try AgentHarness(config: "\n[devices]\nstale_after_s = 1\n")
    try harness.startAgent()
    let statusTopic = "classgate/102/projector/proj-102/status"
    let projector = try TestPublisher(
      port: harness.broker.port, clientID: "proj-102",
      will: .init(topic: statusTopic, payload: Array("offline".utf8), qos: 1, retain: true))
    try projector.publish(topic: statusTopic, payload: "online", retain: true)
    #expect(waitUntil(timeout: 10) { (try? harness.reader().device(id: "proj-102"))??.status == .online })

    projector.dropWithoutDisconnect()
    #expect(waitUntil(timeout: 10) { (try? harness.reader().device(id: "proj-102"))??.status == .offline })
    // Newest first. With stale_after_s = 1 a loaded machine can let the sweep mark it stale
    // before the drop: that is right too; the Last Will's offline is what must come last.
    let changes = try harness.reader().statusChanges(device: "proj-102").map(\.status)
    #expect(changes == [.offline, .online] || changes == [.offline, .stale, .online], "\(changes)")
    #expect(try harness.reader().statusChanges(device: "proj-102").first?.cause == "reported")

    let sensor = try harness.publisher()
    try sensor.publish(topic: "classgate/102/env_sensor/env-102/telemetry", payload: #"{"co2":500}"#)
    #expect(waitUntil(timeout: 10) { (try? harness.reader().device(id: "env-102"))??.status == .online })
    #expect(waitUntil(timeout: 10) { (try? harness.reader().device(id: "env-102"))??.status == .stale })
    #expect(
      try harness.reader().statusChanges(device: "env-102").first?.cause.hasPrefix("silent for") == true)
    // The offline device stays offline: silence does not make it stale.
    #expect(try harness.reader().device(id: "proj-102")?.status == .offline)
  }

  @Test func brokerRestartMidStreamLosesNothingPublishedAfterItIsBack() throws {
    let harness = try AgentHarness()
    try harness.startAgent()
    let base = nowMillis() - 60_000
    let messages = sequenceMessages(device: "env-r", count: 400, base: base)
    try harness.publisher().publish(Array(messages[0..<200]))
    #expect(waitUntil(timeout: 10) { ((try? harness.reader().readingCount(device: "env-r")) ?? 0) == 400 })

    try harness.broker.restart()
    // Published as soon as the broker is back, before the agent has necessarily reconnected:
    // the persistent session queues them.
    try harness.publisher().publish(Array(messages[200..<400]))
    #expect(waitUntil(timeout: 20) { ((try? harness.reader().readingCount(device: "env-r")) ?? 0) == 800 })
    let seqs = try harness.reader().readings(device: "env-r", metric: "seq").map { Int($0.value) }
    #expect(seqs == Array(0..<400))
    #expect(harness.occurrences(of: "Connected to the local broker") >= 2)
    // Re-subscribed once per connection, not once per loop turn.
    // (the SUBACK may arrive after the session's queued messages)
    #expect(waitUntil(timeout: 5) { harness.occurrences(of: "Subscribed") == 2 })
    Thread.sleep(forTimeInterval: 0.3)
    #expect(harness.occurrences(of: "Subscribed") == harness.occurrences(of: "Connected to the local broker"))
    #expect(harness.agent.isRunning)
  }

  @Test func sigtermCommitsTheLastBatchAndExitsZero() throws {
    // A long commit window: without the shutdown commit these would still be in memory.
    let harness = try AgentHarness(config: "commit_window_ms = 10000\nmax_batch = 100000")
    try harness.startAgent()
    let messages = sequenceMessages(device: "env-t", count: 50, base: nowMillis() - 10_000)
    try harness.publisher().publish(messages, qos: 0)
    Thread.sleep(forTimeInterval: 0.5)
    #expect(try harness.reader().readingCount(device: "env-t") == 0)
    #expect(harness.agent.stop(signal: SIGTERM) == 0)
    #expect(try harness.reader().readingCount(device: "env-t") == 100)
    #expect(harness.agent.log.contains("Stopped"))
  }
}
