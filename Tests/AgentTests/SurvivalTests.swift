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

    init(harness: AgentHarness, batch: Int = 20, pauseMs: UInt32 = 20, base: Int64 = nowMillis() - 3_600_000)
    {
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
    // A checkpoint after every few pages: many kills land in one (the power-loss-style part).
    let scenario = try UplinkTests.Scenario(storeConfig: "checkpoint_pages = 4")
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
        + "\(state["last_seq"] ?? 0) uplink seqs, missing \(missing.count), duplicates at the IOC \(duplicates)"
    )
  }

  /// Both links down at once: the IOC for the whole test, and the school's broker restarted five
  /// times right after each burst (its persistence keeps what the agent has not acknowledged).
  @Test func theLocalBrokerRestartedRepeatedlyWhileTheIOCIsDownLosesNothing() throws {
    let scenario = try UplinkTests.Scenario()
    let harness = scenario.harness
    try harness.startAgent()
    scenario.ioc.stop()
    let base = nowMillis() - 600_000
    for round in 0..<5 {
      let device = try harness.publisher("burst-\(round)")
      let burst = sequenceMessages(device: "env-r", count: 500, base: base + Int64(round) * 1000)
        .map {
          (
            topic: $0.topic,
            payload: $0.payload.replacingOccurrences(of: "\"seq\":", with: "\"round\":\(round),\"seq\":")
          )
        }
      try device.publish(burst)
      try device.publish(
        topic: "classgate/101/board/board-r/status", payload: round % 2 == 0 ? "online" : "offline",
        retain: true)
      device.disconnect()
      // Each restart cuts a live connection: the agent has reconnected since the last one (two
      // restarts inside one reconnect delay would be one outage to it, not two).
      _ = waitUntil(timeout: 10) { harness.occurrences(of: "Connected to the local broker") >= round + 1 }
      try harness.broker.restart()
    }
    #expect(harness.agent.isRunning)
    #expect(
      waitUntil(timeout: 60) { ((try? harness.reader().readingCount(device: "env-r")) ?? 0) == 5 * 500 * 3 },
      "stored \((try? harness.reader().readingCount(device: "env-r")) ?? -1) of \(5 * 500 * 3) readings")
    try scenario.ioc.start()
    let state = try scenario.waitUntilDrained(minimum: 5, timeout: 60)
    let (missing, _) = scenario.checkComplete(lastSeq: state["last_seq"] as? Int ?? 0)
    #expect(missing.isEmpty)
    // The first connection, then one after each restart.
    #expect(harness.occurrences(of: "Connected to the local broker") >= 6, "\(harness.agent.log)")
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
      // As an older ClassGate left it: schema 2, without the rollup, outbox and lesson tables.
      let connection = try Connection(path: harness.storePath, mode: .readWrite)
      try connection.transaction {
        for table in [
          "usage_periods", "device_usage", "metric_usage", "late_ranges", "alert_state", "outbox",
          "lesson_days", "lesson_usage", "lesson_outside",
        ] {
          try connection.execute(sql: "DROP TABLE IF EXISTS \(table)")
        }
        try connection.execute(sql: "DROP INDEX IF EXISTS events_by_type")
        if try connection.scalarInt(
          sql: "SELECT count(*) FROM pragma_table_xinfo('events') WHERE name = 'card'") == 1
        {
          try connection.execute(sql: "ALTER TABLE events DROP COLUMN card")
        }
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
      #expect(schema.map { (2...5).contains($0) } == true)
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
    let size = try #require(
      try FileManager.default.attributesOfItem(atPath: harness.storePath)[.size] as? Int)
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

@Suite("survival: full disk and a full cap", .serialized)
struct FullStoreTests {
  func metrics(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

  /// The store's file system fills up (a small tmpfs when running as root): the agent keeps
  /// running and says so; when space returns it resumes, and every acknowledged message is stored.
  @Test func aFullFileSystemStopsCommitsNotTheAgentAndNothingIsLostWhenSpaceReturns() throws {
    let mountPoint = TemporaryDirectory(prefix: "classgate-fulldisk")
    defer { mountPoint.remove() }
    let mounted =
      try getuid() == 0 && ProcessInfo.processInfo.environment["CLASSGATE_TEST_NO_MOUNT"] == nil
      && runShell("mount -t tmpfs -o size=1m tmpfs '\(mountPoint.path)' 2>&1").status == 0
    defer { if mounted { _ = try? runShell("umount -l '\(mountPoint.path)'") } }
    // Without root, SQLite's own limit (store.max_mb = 1) stands in for the full file system.
    let storeDirectory = mountPoint.path
    let prom = mountPoint.path + "-metrics.prom"
    defer { unlink(prom) }
    let harness = try AgentHarness(
      config: """
        \(mounted ? "" : "max_mb = 1")

        [metrics]
        textfile = "\(prom)"
        """)
    // The harness's store path is in its own directory: point it at the small file system.
    let config = harness.directory.file("classgate.toml")
    let text = try String(contentsOfFile: config, encoding: .utf8)
      .replacingOccurrences(of: harness.storePath, with: storeDirectory + "/classgate.db")
    try text.write(toFile: config, atomically: true, encoding: .utf8)
    try harness.startAgent()
    let publisher = try harness.publisher()
    var sent = 0
    // Recent data: not yet summarised, so the cap may not evict it (the fallback must fill up).
    let base = nowMillis()
    // Fill it: each batch is acknowledged by the broker, which queues for the agent.
    while !harness.agent.log.contains("Cannot commit to the store"), sent < 200_000 {
      try publisher.publish(sequenceMessages(device: "env-full", count: 2000, base: base + Int64(sent)))
      sent += 2000
    }
    #expect(harness.agent.log.contains("Cannot commit to the store"), "never filled up after \(sent)")
    #expect(waitUntil(timeout: 15) { metrics(prom).contains("classgate_store_writable 0") })
    #expect(harness.agent.isRunning)
    Thread.sleep(forTimeInterval: 2)
    #expect(harness.agent.isRunning)
    let storedWhileFull = try StoreReader(path: storeDirectory + "/classgate.db").readingCount(
      device: "env-full")
    #expect(storedWhileFull < sent * 2)

    // Space returns.
    if mounted {
      #expect(try runShell("mount -o remount,size=256m '\(mountPoint.path)' 2>&1").status == 0)
    } else {
      harness.agent.stop()
      try text.replacingOccurrences(of: "max_mb = 1", with: "max_mb = 256").write(
        toFile: config, atomically: true, encoding: .utf8)
      try harness.startAgent(subscribedCount: 2)
    }
    #expect(
      waitUntil(timeout: 90) {
        ((try? StoreReader(path: storeDirectory + "/classgate.db").readingCount(device: "env-full")) ?? 0)
          == sent * 2
      })
    #expect(harness.agent.log.contains("Store writable again") || !mounted)
    #expect(waitUntil(timeout: 15) { metrics(prom).contains("classgate_store_writable 1") })
    print(
      "full disk (\(mounted ? "tmpfs 1 MiB" : "store.max_mb = 1")): \(sent) messages, \(storedWhileFull / 2) stored while full, all \(sent) after space returned"
    )
    harness.agent.stop()
  }

  /// The IOC is down for long (time-compressed: a lot of data quickly) while the store fills past
  /// 90 % of a small cap: old raw readings go, the outbox stays, the agent says so; when the IOC
  /// returns every seq arrives.
  @Test func aLongIOCOutageWhileTheStoreFillsEvictsRawReadingsAndKeepsTheOutbox() throws {
    let scenario = try UplinkTests.Scenario(storeConfig: "max_mb = 3")
    let harness = scenario.harness
    try harness.startAgent()
    scenario.ioc.stop()
    let publisher = try harness.publisher()
    // Yesterday's data, already in summarised periods: its raw readings are what may go first.
    let base = nowMillis() - 30 * 3_600_000
    var evicted: [String: Any] = [:]
    var sent = 0
    while sent < 60_000 {
      let batch = (0..<2000).map { index in
        (
          topic: "classgate/101/env_sensor/env-cap/telemetry",
          payload:
            "{\"ts\":\(base + Int64(sent + index) * 1000),\"co2\":\(400 + index % 900),\"temperature\":25.5,\"humidity\":61,\"noise\":48,\"voc\":120}"
        )
      }
      try publisher.publish(batch)
      try publisher.publish(
        topic: "classgate/101/board/board-cap/status", payload: sent % 4000 == 0 ? "online" : "offline",
        retain: true)
      sent += 2000
      evicted = try scenario.uplink()["evicted_rows"] as? [String: Any] ?? [:]
      if sent >= 30_000 && evicted["readings"] != nil { break }
    }
    #expect(
      waitUntil(timeout: 30) {
        ((try? scenario.uplink()["evicted_rows"] as? [String: Any])?["readings"] as? Int ?? 0) > 0
      }, "no eviction after \(sent) messages")
    let during = try scenario.uplink()
    evicted = during["evicted_rows"] as? [String: Any] ?? [:]
    #expect(during["connected"] as? Bool == false)
    #expect(evicted["undelivered_outbox"] == nil, "\(evicted)")
    #expect((during["store_used_bytes"] as? Int ?? .max) <= 3 << 20)
    #expect(harness.agent.isRunning)
    let doctor = try runClassgate([
      "doctor", "--config", harness.directory.file("classgate.toml"), "--service-user", "nobody-such-user",
    ]).stdout
    #expect(
      doctor.split(separator: "\n").contains {
        $0.contains("WARN") && $0.contains("store.cap") && $0.contains("deleted to stay under it: readings")
      }, "\(doctor)")
    #expect(
      waitUntil(timeout: 15) {
        let text = (try? String(contentsOfFile: scenario.pki.file("classgate.prom"), encoding: .utf8)) ?? ""
        return text.contains("classgate_evicted_rows_total{table=\"readings\"}")
      })

    try scenario.ioc.start()
    let state = try scenario.waitUntilDrained(minimum: 2, timeout: 90)
    let (missing, duplicates) = scenario.checkComplete(lastSeq: state["last_seq"] as? Int ?? 0)
    #expect(missing.isEmpty, "missing \(missing.prefix(20))")
    print(
      "store cap 3 MiB, IOC down: \(sent) messages in, evicted \(evicted), \(state["last_seq"] ?? 0) seqs delivered, missing \(missing.count), duplicates \(duplicates)"
    )
  }
}
