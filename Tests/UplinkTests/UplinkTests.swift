import Buffer
import DeviceModel
import Foundation
import JSON
import Rollup
import SQLiteStore
import TestSupport
import Testing

@testable import Uplink

/// A real store file with the writer, the summariser and the event source on one connection,
/// driven with explicit times (UTC calendar, 5-minute windows).
final class UplinkStore {
  let directory = TemporaryDirectory(prefix: "classgate-uplink")
  let connection: Connection
  let writer: BufferWriter
  let calendar = SchoolCalendar(zone: .utc, zoneName: "UTC", windowMinutes: 5)
  let messages: UplinkMessages
  let outbox: Outbox

  init() throws {
    connection = try StoreFile.openForWriting(path: directory.file("store.db"), durability: .normal)
    writer = try BufferWriter(connection: connection)
    let calendar = self.calendar
    messages = UplinkMessages(
      schoolID: "school-1", stream: try Outbox.stream(in: connection), timeZone: "UTC",
      localTime: { calendar.localISO($0) },
      localDate: { calendar.dayLabel($0) })
    outbox = Outbox(connection: connection)
  }

  func summariser(graceMs: Int64 = 0) -> Summariser {
    Summariser(
      connection: connection, calendar: calendar,
      settings: .init(rollup: RollupSettings(thresholds: ["co2": 1000]), graceMs: graceMs),
      messages: messages, outbox: outbox)
  }

  func readings(
    _ device: String, kind: DeviceKind = .envSensor, _ values: [(EpochMillis, String, Double)],
    at now: EpochMillis
  ) throws {
    for (time, metric, value) in values {
      writer.add(
        DecodedMessage(
          device: DeviceIdentity(id: device, kind: kind, room: "101", profile: "native"),
          content: .readings([Reading(metric: metric, value: value, time: time)])),
        receivedAt: now)
    }
    try writer.commit(now: now)
  }

  /// Runs scripts/validate-uplink.py --strict over outbox messages: its exit status and output.
  func validate(_ messages: [Outbox.Message]) throws -> CommandResult {
    let lines = messages.map {
      self.messages.topicPrefix + $0.topic + "\t" + String(decoding: $0.payload, as: UTF8.self)
    }
    let file = directory.file("queued.tsv")
    try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
    return try runShell("python3 scripts/validate-uplink.py --strict '\(file)' 2>&1")
  }

  func queued(_ lane: Outbox.Lane) throws -> [[String: Any]] {
    try outbox.pending(lane, after: 0, limit: 10_000).map {
      try #require(try JSONSerialization.jsonObject(with: Data($0.payload)) as? [String: Any])
    }
  }

  deinit {
    connection.close()
    directory.remove()
  }
}

let t0: EpochMillis = 1_764_374_400_000  // 2025-11-29T00:00:00Z, a window and day boundary

@Suite("outbox")
struct OutboxTests {
  @Test func seqsIncreaseAreNeverReusedAndSurviveReopening() throws {
    let store = try UplinkStore()
    for index in 0..<3 {
      _ = try store.connection.transaction {
        try store.outbox.enqueue(lane: index == 1 ? .events : .summaries, topic: "events", createdAt: t0) {
          Array("{\"seq\":\($0)}".utf8)
        }
      }
    }
    #expect(try store.outbox.pending(.summaries, after: 0, limit: 10).map(\.seq) == [1, 3])
    #expect(try store.outbox.pending(.events, after: 0, limit: 10).map(\.seq) == [2])
    try store.outbox.markDelivered([3, 1, 2], at: t0)
    #expect(try store.outbox.purgeDelivered(before: t0 + 1) == 3)
    // The newest row is gone, yet its seq is not given again.
    let next: Int64 = try store.connection.transaction {
      try store.outbox.enqueue(lane: .events, topic: "events", createdAt: t0) { _ in [] }
    }
    #expect(next == 4)
    let reopened = try StoreFile.openForWriting(path: store.directory.file("store.db"), durability: .normal)
    defer { reopened.close() }
    let status = try Outbox(connection: reopened).status()
    #expect(status.lastSeq == 4 && status.lastAckedSeq == 3 && status.pending == 1)
    #expect(status.pendingByLane == [.events: 1])
  }

  @Test func theStreamIdIsMadeOncePerStoreAndIsInEveryEnvelope() throws {
    let store = try UplinkStore()
    let stream = try Outbox.stream(in: store.connection)
    #expect(stream.count == 16 && stream.allSatisfy(\.isHexDigit))
    #expect(try Outbox.stream(in: store.connection) == stream)
    let reopened = try StoreFile.openForWriting(path: store.directory.file("store.db"), durability: .normal)
    #expect(try Outbox.stream(in: reopened) == stream)
    reopened.close()
    // A reinstalled box: a new store, a new stream, seqs from 1 again.
    let other = try UplinkStore()
    #expect(try Outbox.stream(in: other.connection) != stream)
    let event = store.messages.statusEvent(
      device: .init(id: "b", kind: .board, room: nil), time: t0, status: .online, cause: "x", seq: 1,
      createdAt: t0)
    #expect(String(decoding: event, as: UTF8.self).contains("\"stream\":\"\(stream)\",\"seq\":1"))
  }

  @Test func aMessageIsOnlyPendingUntilAcknowledged() throws {
    let store = try UplinkStore()
    try store.connection.transaction {
      for _ in 0..<5 {
        try store.outbox.enqueue(lane: .events, topic: "events", createdAt: t0 + 10) { _ in [1] }
      }
    }
    try store.outbox.markDelivered([2, 4], at: t0)
    #expect(try store.outbox.pending(.events, after: 0, limit: 10).map(\.seq) == [1, 3, 5])
    #expect(try store.outbox.pending(.events, after: 3, limit: 10).map(\.seq) == [5])
    #expect(try store.outbox.status().oldestPendingAt == t0 + 10)
    #expect(try store.outbox.status().lastAckedSeq == 4)
  }
}

@Suite("summariser on a real store")
struct SummariserTests {
  @Test func aClosedWindowIsSummarisedOnceAndQueuedWithItsSeq() throws {
    let store = try UplinkStore()
    let summariser = store.summariser()
    try summariser.step(now: t0 + 1000)  // first run: starts with the window of t0
    #expect(try summariser.summarisedUntil() == t0)
    store.writer.add(
      DecodedMessage(
        device: DeviceIdentity(id: "env-1", kind: .envSensor, room: "101", profile: "native"),
        content: .status(.online, time: t0 + 1000)),
      receivedAt: t0 + 1000)
    try store.readings(
      "env-1", [(t0 + 60_000, "co2", 800), (t0 + 120_000, "co2", 1200), (t0 + 180_000, "co2", 1000)],
      at: t0 + 200_000)
    #expect(try summariser.step(now: t0 + 299_999) == false)  // not closed yet
    #expect(try summariser.step(now: t0 + 300_000) == true)
    #expect(try summariser.summarisedUntil() == t0 + 300_000)
    let queued = try store.queued(.summaries)
    #expect(queued.count == 1)
    let summary = try #require(queued.first)
    #expect(summary["seq"] as? Int == 1 && summary["revision"] as? Int == 0)
    let device = try #require((summary["devices"] as? [[String: Any]])?.first)
    let co2 = try #require((device["metrics"] as? [String: Any])?["co2"] as? [String: Any])
    // (800 + 1200 + 1000) / 3 = 1000; above 1000 from 120 s to 180 s = 1 minute.
    #expect(co2["count"] as? Int == 3 && co2["mean"] as? Double == 1000)
    #expect(co2["min"] as? Double == 800 && co2["max"] as? Double == 1200)
    #expect(co2["above_min"] as? Double == 1 && co2["threshold"] as? Double == 1000)
    #expect(try summariser.step(now: t0 + 300_001) == false)
  }

  @Test func lateDataResummarisesTheWindowAsANewRevisionThatReplacesTheOld() throws {
    let store = try UplinkStore()
    let summariser = store.summariser()
    try summariser.step(now: t0)
    try store.readings("env-1", [(t0 + 60_000, "co2", 500)], at: t0 + 60_000)
    try summariser.step(now: t0 + 300_000)
    // A device flushes its buffer after the window was summarised: one old reading, one repeat.
    try store.readings("env-1", [(t0 + 120_000, "co2", 700), (t0 + 60_000, "co2", 500)], at: t0 + 400_000)
    // A second batch of the same flush, a moment later: still one revision for both.
    try store.readings("env-1", [(t0 + 180_000, "co2", 600)], at: t0 + 405_000)
    #expect(try store.connection.scalarInt(sql: "SELECT count(*) FROM late_ranges") == 2)
    #expect(try summariser.step(now: t0 + 410_000) == false)  // still arriving: wait
    #expect(try summariser.step(now: t0 + 415_000) == true)
    #expect(try store.connection.scalarInt(sql: "SELECT count(*) FROM late_ranges") == 0)
    let summaries = try store.queued(.summaries)
    #expect(summaries.map { $0["revision"] as? Int } == [0, 1])
    #expect(summaries.map { $0["seq"] as? Int } == [1, 2])
    let revised = try #require((summaries[1]["devices"] as? [[String: Any]])?.first)
    let co2 = try #require((revised["metrics"] as? [String: Any])?["co2"] as? [String: Any])
    // The revision holds each reading once (the repeat was a duplicate): 500, 700, 600.
    #expect(co2["count"] as? Int == 3 && co2["mean"] as? Double == 600)
    let stored = try UsageStore(connection: store.connection).deviceUsage(.window, from: t0, to: t0 + 300_000)
    #expect(stored.count == 1 && stored.first?.usage.metrics["co2"]?.count == 3)
  }

  @Test func aDayIsItsWindowsAddedUpAndDistinctCardsCountedFromScans() throws {
    let store = try UplinkStore()
    let summariser = store.summariser()
    try summariser.step(now: t0)
    let reader = DeviceIdentity(id: "door-1", kind: .attendanceReader, room: "101", profile: "native")
    for (index, card) in ["hmac:a", "hmac:b", "hmac:a"].enumerated() {
      store.writer.add(
        DecodedMessage(
          device: reader,
          content: .event(
            DeviceEvent(
              type: "card_scan", time: t0 + Int64(index) * 400_000, data: "{\"card\":\"\(card)\"}"))),
        receivedAt: t0 + Int64(index) * 400_000)
      try store.writer.commit(now: t0 + Int64(index) * 400_000)
    }
    // Run the day out: 288 windows, then the day.
    while try summariser.step(now: t0 + 86_400_000 + 1) {}
    let days = try store.queued(.summaries).filter { $0["schema"] as? String == "classgate.daily_summary" }
    #expect(days.count == 1)
    let door = try #require((days.first?["devices"] as? [[String: Any]])?.first)
    // Three scans in three different windows; two distinct cards over the day, not 1 + 1 + 1.
    #expect(door["scans"] as? Int == 3 && door["distinct_cards"] as? Int == 2)
    #expect((days.first?["period"] as? [String: Any])?["date"] as? String == "2025-11-29")
    #expect(try store.queued(.summaries).count == 289)
  }

  /// The demo's flake (issue 15): late scans for a summarised window arrive just before the day is
  /// summarised. The day must not count more distinct cards than scans, in any revision.
  @Test func aDaySummarisedWhileLateScansWaitNeverHasMoreCardsThanScans() throws {
    let store = try UplinkStore()
    let summariser = store.summariser()
    try summariser.step(now: t0)
    let reader = DeviceIdentity(id: "door-1", kind: .attendanceReader, room: "101", profile: "native")
    func scan(_ card: String, at time: EpochMillis, receivedAt: EpochMillis) throws {
      store.writer.add(
        DecodedMessage(
          device: reader,
          content: .event(DeviceEvent(type: "card_scan", time: time, data: "{\"card\":\"\(card)\"}"))),
        receivedAt: receivedAt)
      try store.writer.commit(now: receivedAt)
    }
    try scan("hmac:a", at: t0 + 1000, receivedAt: t0 + 1000)
    let dayEnd = t0 + 86_400_000
    for _ in 0..<288 { try summariser.step(now: dayEnd + 1) }  // every window, not yet the day
    try scan("hmac:b", at: t0 + 2000, receivedAt: dayEnd + 2)  // late, for window 0
    try scan("hmac:c", at: t0 + 3000, receivedAt: dayEnd + 3)
    #expect(try summariser.step(now: dayEnd + 4))  // the day, with the late range still waiting
    while try summariser.step(now: dayEnd + 60_000) {}  // the late range settles: revisions
    let days = try store.queued(.summaries).filter { $0["schema"] as? String == "classgate.daily_summary" }
    #expect(days.map { $0["revision"] as? Int } == [0, 1])
    for day in days {
      let door = try #require((day["devices"] as? [[String: Any]])?.first)
      #expect(door["scans"] as? Int == 3 && door["distinct_cards"] as? Int == 3, "\(door)")
    }
  }
}

@Suite("events for the IOC")
struct EventSourceTests {
  @Test func statusChangesAndThresholdCrossingsWithHysteresisAreQueuedOnce() throws {
    let store = try UplinkStore()
    let events = EventSource(
      connection: store.connection, messages: store.messages, thresholds: ["co2": 1000])
    try events.collect(now: t0)  // first run: history is not news
    try store.readings("env-1", [(t0 + 1000, "co2", 900)], at: t0 + 1000)  // online, below
    #expect(try events.collect(now: t0 + 1000) == 1)  // the status change only
    try store.readings("env-1", [(t0 + 2000, "co2", 1100)], at: t0 + 2000)
    #expect(try events.collect(now: t0 + 2000) == 1)  // above
    try store.readings("env-1", [(t0 + 3000, "co2", 980)], at: t0 + 3000)
    #expect(try events.collect(now: t0 + 3000) == 0)  // still within the 5 % margin
    try store.readings("env-1", [(t0 + 4000, "co2", 940)], at: t0 + 4000)
    #expect(try events.collect(now: t0 + 4000) == 1)  // cleared
    #expect(try events.collect(now: t0 + 5000) == 0)
    let kinds = try store.queued(.events).compactMap { ($0["event"] as? [String: Any]) }
    #expect(kinds.map { $0["type"] as? String } == ["device_status", "threshold_alert", "threshold_alert"])
    #expect(kinds.compactMap { $0["state"] as? String } == ["above", "cleared"])
    #expect(try store.queued(.events).map { $0["seq"] as? Int } == [1, 2, 3])
  }
}

@Suite("summaries in parts")
struct SummaryPartsTests {
  /// A window of 120 devices under a 6 kB message limit: several parts, each under the limit and
  /// valid, every device in exactly one, one revision and one seq each.
  @Test func aSummaryLargerThanTheLimitIsSentInValidPartsUnderIt() throws {
    let store = try UplinkStore()
    let summariser = Summariser(
      connection: store.connection, calendar: store.calendar,
      settings: .init(rollup: RollupSettings(thresholds: ["co2": 1000]), graceMs: 0, maxMessageBytes: 6144),
      messages: store.messages, outbox: store.outbox)
    try summariser.step(now: t0)
    for index in 0..<120 {
      try store.readings(
        "env-\(index)", [(t0 + 1000, "co2", 500 + Double(index)), (t0 + 2000, "temperature", 25)],
        at: t0 + 2000)
    }
    try summariser.step(now: t0 + 300_000)
    let pending = try store.outbox.pending(.summaries, after: 0, limit: 100)
    #expect(pending.count > 2)
    #expect(pending.allSatisfy { $0.payload.count <= 6144 }, "\(pending.map(\.payload.count))")
    let parts = try store.queued(.summaries)
    #expect(parts.map { $0["part"] as? Int } == Array(1...parts.count).map { Optional($0) })
    #expect(parts.allSatisfy { $0["parts"] as? Int == parts.count && $0["revision"] as? Int == 0 })
    let ids = parts.flatMap { ($0["devices"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } }
    #expect(ids.count == 120 && Set(ids).count == 120)
    let validation = try store.validate(pending)
    #expect(validation.status == 0, "\(validation.stdout)")
  }

  @Test func aSmallSummaryIsOneMessageWithoutPartFields() throws {
    let store = try UplinkStore()
    let summariser = store.summariser()
    try summariser.step(now: t0)
    try store.readings("env-1", [(t0 + 1000, "co2", 500)], at: t0 + 1000)
    try summariser.step(now: t0 + 300_000)
    let queued = try store.queued(.summaries)
    #expect(queued.count == 1 && queued[0]["part"] == nil && queued[0]["parts"] == nil)
  }
}

@Suite("catching up after a long stop")
struct CatchUpTests {
  /// A box switched off for three weeks (or whose clock jumped a year): the empty stretch is
  /// skipped, not summarised as thousands of empty windows and days; windows with data still are.
  @Test func aLongEmptyStretchIsSkippedAndWindowsWithDataAreStillSummarised() throws {
    let store = try UplinkStore()
    let summariser = store.summariser()
    var skipped: [(EpochMillis, EpochMillis)] = []
    summariser.gapSkipped = { skipped.append(($0, $1)) }
    try summariser.step(now: t0)
    try store.readings("env-1", [(t0 + 60_000, "co2", 600)], at: t0 + 60_000)
    // Back 21 days later; one device had buffered a reading from 3 days ago.
    let back = t0 + 21 * 86_400_000
    try store.readings("env-1", [(back - 3 * 86_400_000, "co2", 700)], at: back)
    var steps = 0
    while try summariser.step(now: back), steps < 5000 { steps += 1 }
    let windows = try store.queued(.summaries).filter {
      $0["schema"] as? String == "classgate.window_summary"
    }
    let days = try store.queued(.summaries).filter { $0["schema"] as? String == "classgate.daily_summary" }
    // Day 1's windows up to the first skip, the window with the buffered reading, then the last
    // 24 hours: far fewer than the 6,048 windows of three weeks.
    #expect(windows.count < 2 * 288 + 10, "\(windows.count) windows")
    #expect(days.count <= 4, "\(days.count) days")
    #expect(!skipped.isEmpty)
    let starts = windows.compactMap {
      (($0["period"] as? [String: Any])?["start_ms"] as? Int).map(Int64.init)
    }
    #expect(starts.contains(back - 3 * 86_400_000 - (back - 3 * 86_400_000) % 300_000))
    #expect(try Meta.read(MetaKey.lastGap, in: store.connection) != nil)
  }
}
