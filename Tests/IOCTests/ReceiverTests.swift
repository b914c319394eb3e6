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
    try school.publish(messages)
    let database = try harness.connect()
    let arrived = try waitUntil(timeout: 20) {
      try harness.count("SELECT count(*) FROM event", on: database) == 20
        && harness.count("SELECT count(*) FROM rejected", on: database) == 2
    }
    #expect(arrived, "\(receiver.log)")
    let reasons = try database.query("SELECT school_id, reason FROM rejected ORDER BY school_id")
    #expect(reasons.map { $0["school_id"] } == ["school-a", "school-b"])
    #expect(reasons[0]["reason"]?.contains("schema_version: required") == true, "\(reasons[0])")
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
    let total = 3000
    let all = events(school: "school-k", count: total)
    let school = try TestPublisher(port: harness.broker.port, clientID: "school-k")
    let database = try harness.connect()
    // Publish in chunks and kill the receiver twice while it works through them.
    for (round, chunk) in stride(from: 0, to: total, by: 1000).enumerated() {
      try school.publish(Array(all[chunk..<min(total, chunk + 1000)]))
      _ = try waitUntil(timeout: 10) {
        try harness.count("SELECT count(*) FROM event", on: database) > chunk + 200
      }
      if round < 2 {
        receiver.stop(signal: SIGKILL)
        try receiver.startAndWaitForSubscriptions()
      }
    }
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
