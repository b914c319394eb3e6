import Foundation
import PostgresClient
import TestSupport
import Testing

/// `classgate-ioc run` between a real TLS mosquitto and a real PostgreSQL.
@Suite("IOC receiver", .serialized)
struct ReceiverTests {
  @Test func messagesArriveOverTLS_validOnesStored_invalidOnesRejected() throws {
    let harness = try IOCHarness()
    let receiver = try harness.receiver()
    try receiver.startAndWaitForSubscriptions()
    let school = try TestPublisher(port: harness.broker.port, clientID: "school-a")
    var messages = events(school: "school-a", count: 20)
    messages.append(("ioc/v1/schools/school-a/events", #"{"schema":"classgate.event"}"#))
    messages.append(("ioc/v1/schools/school-b/summaries/window", "not json"))
    // 5 MiB: only a prefix is copied out of libmosquitto, and it is refused for its size.
    messages.append(("ioc/v1/schools/school-c/events", String(repeating: " ", count: 5 << 20)))
    try school.publish(messages)
    let database = try harness.connect()
    let arrived = try waitUntil(timeout: 20) {
      try harness.count("SELECT count(*) FROM event", on: database) == 20
        && harness.count("SELECT count(*) FROM rejected", on: database) == 3
    }
    #expect(arrived, "\(receiver.log)")
    let reasons = try database.query(
      "SELECT school_id, reason, payload_size, length(payload) AS kept FROM rejected ORDER BY school_id")
    #expect(reasons.map { $0["school_id"] } == ["school-a", "school-b", "school-c"])
    #expect(reasons[0]["reason"]?.contains("schema_version: required") == true, "\(reasons[0])")
    #expect(reasons[2]["reason"] == "payload of 5242880 bytes is larger than 4 MiB")
    #expect(reasons[2].int("payload_size") == 5_242_880 && reasons[2].int("kept") == 65536)
    #expect(receiver.isRunning)
    #expect(receiver.stop() == 0)
  }

  @Test func aConfigWithoutTheClientCertificateExits78_namingTheKey() throws {
    let harness = try IOCHarness()
    let receiver = try harness.receiver()
    let config = try String(contentsOfFile: receiver.configPath, encoding: .utf8)
      .split(separator: "\n").filter { !$0.hasPrefix("cert_file") }.joined(separator: "\n")
    try config.write(toFile: receiver.configPath, atomically: true, encoding: .utf8)
    try receiver.start()
    #expect(receiver.waitForExit(timeout: 10) == 78)
    #expect(receiver.log.contains("key 'broker.cert_file': required"), "\(receiver.log)")
  }

  @Test func aKill9MidStreamLosesNothing_andStoresNothingTwice() throws {
    let harness = try IOCHarness()
    // Small batches: many commits, so the kill lands between a commit and its PUBACKs often.
    let receiver = try harness.receiver(batchMax: 20)
    try receiver.startAndWaitForSubscriptions()
    // The session now exists at the broker: what is published while the receiver is down waits
    // there, and the receiver drains that backlog as fast as it can when it is back.
    #expect(receiver.stop() == 0)
    let total = 3000
    let school = try TestPublisher(port: harness.broker.port, clientID: "school-k")
    try school.publish(events(school: "school-k", count: total))
    let database = try harness.connect()
    // Kill it twice in the middle of the drain (a receiver that let PUBACKs out before its
    // commit, 20 ms earlier, lost messages here in every run), when batches are being committed back to back.
    // (The backlog comes before the SUBACKs: start without waiting for "Subscribed".)
    for threshold in [600, 1800] {
      try receiver.start()
      _ = try waitUntil(timeout: 30) {
        try harness.count("SELECT count(*) FROM event", on: database) >= threshold
      }
      receiver.stop(signal: SIGKILL)
    }
    try receiver.start()
    let complete = try waitUntil(timeout: 60) {
      try harness.count("SELECT count(*) FROM sequenced", on: database) >= total
    }
    let stored = try harness.count("SELECT count(*) FROM sequenced", on: database)
    #expect(complete, "\(stored) of \(total)\n\(receiver.log.suffix(3000))")
    #expect(try harness.count("SELECT count(*) FROM event", on: database) == total)
    #expect(try harness.count("SELECT count(DISTINCT seq) FROM event", on: database) == total)
    #expect(try harness.count("SELECT min(seq) FROM event", on: database) == 1)
    #expect(try harness.count("SELECT max(seq) FROM event", on: database) == total)
    #expect(try harness.count("SELECT count(*) FROM rejected", on: database) == 0)
  }
}

extension ReceiverTests {
  @Test func aDatabaseOutageLosesNothing_theBrokerRedeliversOnceItIsBack() throws {
    let harness = try IOCHarness()
    let receiver = try harness.receiver(batchMax: 50)
    try receiver.startAndWaitForSubscriptions()
    let school = try TestPublisher(port: harness.broker.port, clientID: "school-d")
    let all = events(school: "school-d", count: 1000)
    try school.publish(Array(all.prefix(300)))
    var database = try harness.connect()
    #expect(
      try waitUntil(timeout: 20) { try harness.count("SELECT count(*) FROM event", on: database) == 300 })
    database.close()
    // PostgreSQL goes away while messages keep coming: none may be acknowledged uncommitted.
    harness.database.stop()
    try school.publish(Array(all[300..<1000]))
    #expect(
      waitUntil(timeout: 10) {
        receiver.log.contains("Batch not stored") || receiver.log.contains("Database unavailable")
      })
    Thread.sleep(forTimeInterval: 1)
    try harness.database.start()
    database = try harness.connect()
    let complete = try waitUntil(timeout: 60) {
      try harness.count("SELECT count(*) FROM event", on: database) == 1000
    }
    #expect(complete, "\(receiver.log.suffix(2000))")
    #expect(try harness.count("SELECT count(DISTINCT seq) FROM event", on: database) == 1000)
    #expect(receiver.log.contains("Database connected again"), "\(receiver.log.suffix(2000))")
    #expect(receiver.isRunning)
  }
}

@Suite("receiver under systemd", .serialized)
struct ReceiverSystemdTests {
  @Test func notifiesReadyWatchdogStatusAndStopping() throws {
    let harness = try IOCHarness()
    let receiver = try harness.receiver()
    let socket = try NotifySocket(directory: harness.directory)
    try receiver.start(environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "400000"])
    let running = socket.receive(for: 2)
    #expect(running.filter { $0 == "READY=1" }.count == 1, "\(running)")
    #expect(running.filter { $0 == "WATCHDOG=1" }.count >= 5, "every 200 ms: \(running)")
    #expect(running.contains { $0.hasPrefix("STATUS=stored 0, duplicates 0, rejected 0") }, "\(running)")
    #expect(receiver.stop() == 0)
    #expect(socket.receive(for: 0.5).contains("STOPPING=1"))
  }

  @Test func theUnitScoresAtMostTwoInSystemdAnalyzeSecurity() throws {
    let unit = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../Systemd/classgate-ioc.service").standardized.path
    let result = try runShell(
      "/usr/bin/systemd-analyze security --offline=true --threshold=20 --no-pager '\(unit)' 2>&1")
    #expect(result.status == 0, "\(result.stdout)")
    #expect(
      result.stdout.contains("Overall exposure level for classgate-ioc.service: 1."), "\(result.stdout)")
  }
}
