import Foundation
import PostgresClient
import TestSupport
import Testing

/// Several receivers share the load through an MQTT 5 shared subscription (`$share/<group>/…`).
@Suite("shared subscription", .serialized)
struct SharedSubscriptionTests {
  @Test func twoReceiversShareTheStream_noRowTwice_throughAKill9OfOne() throws {
    let harness = try IOCHarness()
    let first = try harness.receiver(clientID: "classgate-ioc-1", shareGroup: "ioc-ingest", batchMax: 50)
    let second = try harness.receiver(clientID: "classgate-ioc-2", shareGroup: "ioc-ingest", batchMax: 50)
    try first.startAndWaitForSubscriptions()
    try second.startAndWaitForSubscriptions()
    let database = try harness.connect()
    let total = 4000
    // Four schools at once, so both receivers write the same tables concurrently.
    let publishers = try (0..<4).map {
      try TestPublisher(port: harness.broker.port, clientID: "school-\($0)")
    }
    let perSchool = total / publishers.count
    for (index, publisher) in publishers.enumerated() {
      try publisher.publish(Array(events(school: "school-\(index)", count: perSchool).prefix(perSchool / 2)))
    }
    _ = try waitUntil(timeout: 30) {
      try harness.count("SELECT count(*) FROM event", on: database) >= total / 4
    }
    first.stop(signal: SIGKILL)
    for (index, publisher) in publishers.enumerated() {
      try publisher.publish(Array(events(school: "school-\(index)", count: perSchool).suffix(perSchool / 2)))
    }
    try first.start()
    let complete = try waitUntil(timeout: 90) {
      try harness.count("SELECT count(*) FROM event", on: database) >= total
    }
    let stored = try harness.count("SELECT count(*) FROM event", on: database)
    #expect(complete, "\(stored) of \(total)")
    // No row twice, none missing, nothing rejected.
    #expect(try harness.count("SELECT count(*) FROM event", on: database) == total)
    #expect(try harness.count("SELECT count(DISTINCT (school_id, seq)) FROM event", on: database) == total)
    #expect(try harness.count("SELECT count(*) FROM sequenced", on: database) == total)
    #expect(try harness.count("SELECT sum(messages) FROM school", on: database) == total)
    #expect(try harness.count("SELECT count(*) FROM rejected", on: database) == 0)
    // Both took part.
    #expect(first.occurrences(of: "Batch committed") > 0, "\(first.log.suffix(2000))")
    #expect(second.occurrences(of: "Batch committed") > 0, "\(second.log.suffix(2000))")
  }
}
