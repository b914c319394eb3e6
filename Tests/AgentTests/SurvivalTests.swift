import Buffer
import Foundation
import SQLiteStore
import TestSupport
import Testing

/// Issue #8: crash loops, power-loss style kills, damaged stores, full disks and a full cap, with
/// a real agent, real brokers (the IOC over TLS) and real SQLite files.
@Suite("survival", .serialized)
struct SurvivalTests {
  /// A device streaming QoS 1 telemetry with a `seq` and flipping a board's status (an uplink
  /// event each time) on a background thread until stopped; counts what the broker acknowledged.
  final class Load: @unchecked Sendable {
    let acknowledged = LockedBox(0)
    let failure = LockedBox<String?>(nil)
    private let stopping = LockedBox(false)
    private let done = DispatchSemaphore(value: 0)

    init(harness: AgentHarness, batch: Int = 20, pauseMs: UInt32 = 20, base: Int64 = nowMillis() - 3_600_000) {
      DispatchQueue.global().async { [self] in
        do {
          let device = try harness.publisher("survival-load")
          var sent = 0
          var round = 0
          while !stopping.value {
            let messages = (0..<batch).map { index in
              (
                topic: "classgate/101/env_sensor/env-load/telemetry",
                payload: "{\"ts\":\(base + Int64(sent + index)),\"seq\":\(sent + index)}"
              )
            }
            try device.publish(messages)
            try device.publish(
              topic: "classgate/101/board/board-load/status", payload: round % 2 == 0 ? "online" : "offline",
              retain: true)
            sent += batch
            round += 1
            acknowledged.value = sent
            usleep(pauseMs * 1000)
          }
        } catch {
          failure.value = "\(error)"
        }
        done.signal()
      }
    }

    func stop() -> Int {
      stopping.value = true
      _ = done.wait(timeout: .now() + 60)
      return acknowledged.value
    }
  }

  func integrityCheck(_ path: String) throws -> String {
    let connection = try Connection(path: path, mode: .readWrite)
    defer { connection.close() }
    return try connection.scalarText(sql: "PRAGMA integrity_check") ?? "?"
  }

  @Test func fiftySIGKILLsUnderLoadLoseNothingStoreNothingTwiceAndLeaveNoSeqGap() throws {
    let scenario = try UplinkTests.Scenario()
    let harness = scenario.harness
    try harness.startAgent()
    let load = Load(harness: harness)
    var random = SystemRandomNumberGenerator()
    var integrity: [String] = []
    let kills = Int(ProcessInfo.processInfo.environment["CLASSGATE_CRASH_KILLS"] ?? "") ?? 50
    for kill in 1...kills {
      scenario.observer.pump(for: Double(UInt64.random(in: 50...400, using: &random)) / 1000)
      #expect(harness.agent.stop(signal: SIGKILL) != nil)
      integrity.append(try integrityCheck(harness.storePath))
      try harness.startAgent(subscribedCount: kill + 1)
    }
    let sent = load.stop()
    #expect(load.failure.value == nil)
    #expect(integrity.allSatisfy { $0 == "ok" }, "\(integrity)")
    // Every acknowledged QoS 1 message is stored, once.
    #expect(
      waitUntil(timeout: 30) {
        ((try? harness.reader().readingCount(device: "env-load")) ?? 0) >= sent
      })
    let seqs = try harness.reader().readings(device: "env-load", metric: "seq").map { Int($0.value) }
    #expect(seqs.count == sent && Set(seqs).count == sent && seqs.max() == sent - 1)
    // Every uplink seq reached the IOC.
    let state = try scenario.waitUntilDrained(minimum: 1)
    let (missing, duplicates) = scenario.checkComplete(lastSeq: state["last_seq"] as? Int ?? 0)
    #expect(missing.isEmpty, "missing seqs: \(missing.prefix(20))")
    print(
      "crash loop: \(kills) SIGKILLs, \(sent) QoS 1 messages, \(seqs.count) stored once each, "
        + "\(state["last_seq"] ?? 0) uplink seqs, missing \(missing.count), duplicates at the IOC \(duplicates)")
  }

  @Test func killsDuringTheSchemaMigrationOnStartLeaveAStoreThatStartsCleanly() throws {
    let harness = try AgentHarness()
    try harness.startAgent()
    let device = try harness.publisher()
    try device.publish(sequenceMessages(device: "env-m", count: 500, base: nowMillis() - 60_000))
    #expect(waitUntil(timeout: 20) { ((try? harness.reader().readingCount(device: "env-m")) ?? 0) == 1000 })
    harness.agent.stop()
    var random = SystemRandomNumberGenerator()
    for round in 0..<15 {
      // As an older ClassGate left it: schema 2, without the rollup and outbox tables.
      let connection = try Connection(path: harness.storePath, mode: .readWrite)
      try connection.transaction {
        for table in [
          "usage_periods", "device_usage", "metric_usage", "late_ranges", "alert_state", "outbox",
        ] {
          try connection.execute(sql: "DROP TABLE IF EXISTS \(table)")
        }
        try connection.execute(sql: "DROP INDEX IF EXISTS events_by_type")
        try connection.execute(sql: "PRAGMA user_version = 2")
      }
      connection.close()
      try harness.agent.start()
      usleep(UInt32.random(in: 0...(round < 8 ? 20_000 : 120_000), using: &random))
      harness.agent.stop(signal: SIGKILL)
      #expect(try integrityCheck(harness.storePath) == "ok")
      let version = try Connection(path: harness.storePath, mode: .readOnly)
      let schema = try version.scalarInt(sql: "PRAGMA user_version")
      version.close()
      #expect(schema == 2 || schema == 3)
    }
    // Kills that came late enough let an agent subscribe: wait for one more than the log has.
    try harness.startAgent(subscribedCount: harness.occurrences(of: "Subscribed") + 1)
    let reader = try harness.reader()
    #expect(try reader.readingCount(device: "env-m") == 1000)
    #expect(try reader.meta(MetaKey.agentRunning) == "1")
    harness.agent.stop()
    #expect(try harness.reader().meta(MetaKey.agentRunning) == "0")
  }

  @Test func aDamagedStoreAfterACrashIsRefusedWithWhatToDoAndKept() throws {
    let harness = try AgentHarness()
    try harness.startAgent()
    let device = try harness.publisher()
    try device.publish(sequenceMessages(device: "env-d", count: 3000, base: nowMillis() - 60_000))
    #expect(waitUntil(timeout: 20) { ((try? harness.reader().readingCount(device: "env-d")) ?? 0) == 6000 })
    harness.agent.stop(signal: SIGKILL)
    // Checkpoint, then tear pages in the middle of the file, as a power cut on a bad disk might.
    let connection = try Connection(path: harness.storePath, mode: .readWrite)
    try connection.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    let size = try #require(try FileManager.default.attributesOfItem(atPath: harness.storePath)[.size] as? Int)
    let file = try #require(FileHandle(forUpdatingAtPath: harness.storePath))
    try file.seek(toOffset: UInt64(size / 2))
    file.write(Data(repeating: 0xA5, count: 8192))
    try file.close()
    try harness.agent.start()
    let status = harness.agent.stop(signal: 0, timeout: 20)  // signal 0: just wait for the exit
    #expect(status != nil && status != 0)
    #expect(harness.agent.log.contains("damaged after an unclean stop"), "\(harness.agent.log)")
    #expect(harness.agent.log.contains(".recover"))
    #expect(FileManager.default.fileExists(atPath: harness.storePath))
  }
}
