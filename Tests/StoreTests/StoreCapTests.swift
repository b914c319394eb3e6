import DeviceModel
import Foundation
import SQLiteStore
import Testing

@testable import Buffer

/// The store cap on a real file: eviction order (raw readings first, the outbox last) and the hard
/// limit that makes a full cap behave like a full disk.
@Suite("store cap")
struct StoreCapTests {
  let hour: Int64 = 3_600_000
  let start: EpochMillis = 1_764_374_400_000

  /// Two sensors, one reading a minute each for `hours`, plus events, dead letters and outbox rows.
  func filledStore(_ directory: ScratchDirectory, hours: Int64) throws -> (Connection, BufferWriter) {
    let connection = try StoreFile.openForWriting(path: directory.file("cap.db"), durability: .normal)
    let writer = try BufferWriter(connection: connection)
    for minute in 0..<(hours * 60) {
      let time = start + minute * 60_000
      for device in ["env-1", "env-2"] {
        writer.add(
          DecodedMessage(
            device: DeviceIdentity(id: device, kind: .envSensor, room: "1", profile: "native"),
            content: .readings([
              Reading(metric: "co2", value: Double(400 + minute % 700), time: time),
              Reading(metric: "temperature", value: 25.5, time: time),
            ])),
          receivedAt: time)
      }
      if minute % 10 == 0 {
        writer.add(
          DecodedMessage(
            device: DeviceIdentity(id: "door-1", kind: .attendanceReader, room: "1", profile: "native"),
            content: .event(DeviceEvent(type: "card_scan", time: time, data: "{\"card\":\"hmac:\(minute)\"}"))
          ),
          receivedAt: time)
      }
      if minute % 60 == 59 { try writer.commit(now: time) }
    }
    try writer.commit(now: start + hours * hour)
    try connection.transaction {
      for seq in 1...50 {
        try connection.execute(
          sql:
            "INSERT INTO outbox (seq, lane, topic, payload, created_ms) VALUES (\(seq), 'summaries', 'summaries/window', randomblob(2000), \(start))"
        )
      }
    }
    return (connection, writer)
  }

  func count(_ table: String, _ connection: Connection) throws -> Int64 {
    if table == "readings" { return Int64(try ReadingLog(connection: connection).readingCount()) }
    return try connection.scalarInt(sql: "SELECT count(*) FROM \(table)") ?? -1
  }

  @Test func rawReadingsGoFirstOldestFirstAndTheOutboxStays() throws {
    let directory = try ScratchDirectory()
    let (connection, _) = try filledStore(directory, hours: 48)
    let used = try StoreCap.usedBytes(of: connection)
    let readingsBefore = try count("readings", connection)
    // A cap just above what is used: over the 90 % mark, so the oldest data must go to reach 80 %.
    let cap = try StoreCap(connection: connection, maxBytes: used * 105 / 100)
    let steps = try cap.evictIfNeeded(
      summarisedUntil: start + 48 * hour, now: start + 48 * hour, maxSteps: 100)
    #expect(!steps.isEmpty && steps.allSatisfy { $0.table == "readings" }, "\(steps)")
    #expect(try cap.usedBytes() <= cap.lowWaterBytes)
    #expect(try count("readings", connection) < readingsBefore)
    #expect(try count("outbox", connection) == 50)
    #expect(try count("events", connection) == 48 * 6)
    // The oldest went: what is left is the newest stretch, with no hole in it.
    let range = try ReadingLog(connection: connection).timeRange()
    let (oldest, newest) = (range?.oldest ?? 0, range?.newest ?? 0)
    #expect(oldest > start && newest == start + (48 * 60 - 1) * 60_000)
    let kept = try count("readings", connection)
    #expect(kept == ((newest - oldest) / 60_000 + 1) * 4)
    #expect(try StoreCap.evictedCounts(in: connection)["readings"] == readingsBefore - kept)
  }

  @Test func unsummarisedReadingsStayAndOtherDataGoesInOrderWithTheOutboxLast() throws {
    let directory = try ScratchDirectory()
    let (connection, _) = try filledStore(directory, hours: 12)
    let used = try StoreCap.usedBytes(of: connection)
    // Nothing is summarised yet: raw readings may not go; a tiny cap forces everything else out.
    let cap = try StoreCap(connection: connection, maxBytes: used / 4)
    let steps = try cap.evictIfNeeded(summarisedUntil: nil, now: start, maxSteps: 100)
    let order = steps.map(\.table).reduce(into: [String]()) { if $0.last != $1 { $0.append($1) } }
    #expect(order == ["events", "status_changes", "undelivered_outbox"], "\(steps)")
    #expect(try count("readings", connection) == 12 * 60 * 4)
    #expect(try count("outbox", connection) == 0)
  }

  @Test func aFullCapFailsTheCommitKeepsTheBatchAndWritesItOnceThereIsRoom() throws {
    let directory = try ScratchDirectory()
    let (connection, writer) = try filledStore(directory, hours: 4)
    let cap = try StoreCap(connection: connection, maxBytes: try StoreCap.usedBytes(of: connection) + 8192)
    for minute in 0..<600 {
      writer.add(
        DecodedMessage(
          device: DeviceIdentity(id: "env-3", kind: .envSensor, room: "1", profile: "native"),
          content: .readings([
            Reading(metric: "co2", value: 500, time: start + 10 * hour + Int64(minute) * 1000)
          ])),
        receivedAt: start)
    }
    #expect(throws: SQLiteError.self) { try writer.commit(now: start) }
    #expect(writer.pendingCount == 600)
    _ = try cap.evictIfNeeded(summarisedUntil: start + 4 * hour, now: start, maxSteps: 100)
    let summary = try writer.commit(now: start)
    #expect(summary.readingsStored == 600 && writer.pendingCount == 0)
  }
}
