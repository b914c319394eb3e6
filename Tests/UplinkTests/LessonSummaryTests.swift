import Buffer
import DeviceModel
import Rollup
import Testing

@testable import Uplink

/// One lesson, 01:00–01:45 UTC on 2025-11-29 (the store's calendar is UTC), every weekday.
private let timetable = Timetable(
  slots: [Timetable.Slot(session: .morning, number: 1, startMinute: 60, lengthMinutes: 45)],
  weekdays: Set(1...7))

private func at(_ minutes: Int64) -> EpochMillis { t0 + minutes * 60_000 }

extension UplinkStore {
  func lessonSummariser(maxMessageBytes: Int = 256 << 10) -> Summariser {
    var settings = Summariser.Settings(
      rollup: RollupSettings(thresholds: ["co2": 1000]), graceMs: 0, maxMessageBytes: maxMessageBytes)
    settings.timetable = timetable
    return Summariser(
      connection: connection, calendar: calendar, settings: settings, messages: messages, outbox: outbox)
  }

  func scan(_ card: String, at time: EpochMillis, receivedAt: EpochMillis) throws {
    writer.add(
      DecodedMessage(
        device: DeviceIdentity(id: "reader-101", kind: .attendanceReader, room: "101", profile: "native"),
        content: .event(DeviceEvent(type: "card_scan", time: time, data: "{\"card\":\"\(card)\"}"))),
      receivedAt: receivedAt)
    try writer.commit(now: receivedAt)
  }

  func lessonSummaries() throws -> [[String: Any]] {
    try queued(.summaries).filter { $0["schema"] as? String == "classgate.lesson_summary" }
  }
}

@Suite("lesson summaries")
struct LessonSummaryTests {
  /// A lesson with the board on, CO2 with a gap in its samples, three scans; the board left on at 10:00.
  private func day(_ store: UplinkStore) throws {
    let board = [65, 70, 75, 80, 85, 90].map { (at($0), "power_on", 1.0) } + [(at(95), "power_on", 0)]
    try store.readings("board-101", kind: .board, board + [(at(600), "power_on", 1)], at: at(0))
    try store.readings(
      "env-101", [(at(55), "co2", 800), (at(75), "co2", 1200), (at(85), "co2", 1100)], at: at(0))
    for (minute, card) in [(70, "hmac:a"), (72, "hmac:b"), (74, "hmac:a")] {
      try store.scan(card, at: at(Int64(minute)), receivedAt: at(0))
    }
  }

  @Test func aSummarisedDaySendsItsLessonsComputedByHandAndValid() throws {
    let store = try UplinkStore()
    let summariser = store.lessonSummariser()
    try summariser.step(now: t0)
    try day(store)
    while try summariser.step(now: t0 + 86_400_000 + 1) {}
    let sent = try store.lessonSummaries()
    #expect(sent.count == 1)
    let message = try #require(sent.first)
    #expect(message["revision"] as? Int == 0 && message["teaching_day"] as? Bool == true)
    let lesson = try #require((message["lessons"] as? [[String: Any]])?.first)
    // Board on 01:05–01:35: 30 min (each sample holds until the next, within 10 minutes).
    #expect(lesson["board_on_min"] as? Double == 30 && lesson["used_board"] as? Bool == true)
    // CO2: 800 holds 01:00–01:05 (its 10-minute hold from 00:55), nothing 01:05–01:15, 1200 for
    // 10 min, 1100 for 10 min (then stale): (800·5 + 1200·10 + 1100·10) / 25 = 1080.
    let co2 = try #require(lesson["co2"] as? [String: Any])
    #expect(
      co2["mean"] as? Double == 1080 && co2["max"] as? Double == 1200 && co2["above_min"] as? Double == 20)
    #expect(lesson["scans"] as? Int == 3 && lesson["distinct_cards"] as? Int == 2)
    // The board switched on at 10:00 holds 10 minutes outside the timetable.
    let outside = try #require((message["outside_timetable"] as? [[String: Any]])?.first)
    #expect(outside["room"] as? String == "101" && outside["board_on_min"] as? Double == 10)
    let totals = try #require(message["totals"] as? [String: Any])
    #expect(totals["scheduled_lessons"] as? Int == 1 && totals["used_pct"] as? Double == 100)
    #expect(totals["co2_over_lessons"] as? Int == 1)

    let stored = try LessonStore(connection: store.connection).days(from: t0, to: t0 + 1)
    #expect(stored.count == 1 && stored.first?.lessons.first?.boardOnMs == 30 * 60_000)
    let validation = try store.validate(try store.outbox.pending(.summaries, after: 0, limit: 10_000))
    #expect(validation.status == 0, "\(validation.stdout)")
  }

  @Test func lateScansReviseTheDaysLessonsWithANewRevisionAndSeq() throws {
    let store = try UplinkStore()
    let summariser = store.lessonSummariser()
    try summariser.step(now: t0)
    try day(store)
    let dayEnd = t0 + 86_400_000
    while try summariser.step(now: dayEnd + 1) {}
    try store.scan("hmac:c", at: at(80), receivedAt: dayEnd + 2)
    while try summariser.step(now: dayEnd + 60_000) {}
    let sent = try store.lessonSummaries()
    #expect(sent.map { $0["revision"] as? Int } == [0, 1])
    let seqs = sent.compactMap { $0["seq"] as? Int }
    #expect(seqs.count == 2 && seqs[0] < seqs[1])
    let revised = try #require((sent.last?["lessons"] as? [[String: Any]])?.first)
    #expect(revised["scans"] as? Int == 4 && revised["distinct_cards"] as? Int == 3)
    let validation = try store.validate(try store.outbox.pending(.summaries, after: 0, limit: 10_000))
    #expect(validation.status == 0, "\(validation.stdout)")
  }

  /// Late data spanning two days, more windows than one step redoes: the range's start moves on
  /// as its windows are redone, and both days (with their lessons) must still be revised.
  @Test func lateDataAcrossMidnightRevisesBothDaysAndTheirLessons() throws {
    let store = try UplinkStore()
    let summariser = store.lessonSummariser()
    try summariser.step(now: t0)
    let twoDays = t0 + 2 * 86_400_000
    // A reading at the start of each day, each day run out as it ends.
    try store.readings("env-101", [(t0, "co2", 500)], at: t0)
    while try summariser.step(now: t0 + 86_400_000 + 1) {}
    try store.readings("env-101", [(t0 + 86_400_000, "co2", 500)], at: t0 + 86_400_000 + 1)
    while try summariser.step(now: twoDays + 1) {}
    #expect(try store.lessonSummaries().map { $0["revision"] as? Int } == [0, 0])
    // 23:00 on day 0 to 01:00 on day 1: 25 windows, three steps of at most 12.
    try store.readings(
      "env-101", [(at(23 * 60), "co2", 900), (at(24 * 60 + 70), "co2", 1100), (at(25 * 60), "co2", 700)],
      at: twoDays + 2)
    while try summariser.step(now: twoDays + 60_000) {}
    let days = try store.queued(.summaries).filter { $0["schema"] as? String == "classgate.daily_summary" }
    let revised = days.filter { $0["revision"] as? Int == 1 }.compactMap {
      ($0["period"] as? [String: Any])?["date"] as? String
    }
    #expect(revised == ["2025-11-29", "2025-11-30"])
    let lessons = try store.lessonSummaries()
    #expect(lessons.map { $0["revision"] as? Int } == [0, 0, 1, 1])
    // Day 1's lesson (01:00–01:45) now has 700 ppm from 01:00 and 1100 from 01:10, each held
    // 10 minutes: (700 + 1100) / 2 = 900.
    let lesson = try #require((lessons.last?["lessons"] as? [[String: Any]])?.first)
    #expect((lesson["co2"] as? [String: Any])?["mean"] as? Double == 900)
    let validation = try store.validate(try store.outbox.pending(.summaries, after: 0, limit: 10_000))
    #expect(validation.status == 0, "\(validation.stdout)")
  }

  /// Many rooms and a small message limit: the day's lessons in valid parts, each under the limit,
  /// every lesson once, every part with the whole day's totals.
  @Test func aLargeDaysLessonsAreSentInValidPartsUnderTheLimit() throws {
    let store = try UplinkStore()
    let summariser = store.lessonSummariser(maxMessageBytes: 3000)
    try summariser.step(now: t0)
    for room in 1...12 {
      store.writer.add(
        DecodedMessage(
          device: DeviceIdentity(id: "board-\(room)", kind: .board, room: "r\(room)", profile: "native"),
          content: .readings([Reading(metric: "power_on", value: 1, time: at(61))])),
        receivedAt: at(61))
    }
    try store.writer.commit(now: at(61))
    while try summariser.step(now: t0 + 86_400_000 + 1) {}
    let parts = try store.lessonSummaries()
    #expect(parts.count > 1)
    #expect(parts.map { $0["part"] as? Int } == (1...parts.count).map { $0 })
    #expect(parts.allSatisfy { $0["parts"] as? Int == parts.count })
    let rooms = parts.flatMap { ($0["lessons"] as? [[String: Any]]) ?? [] }.compactMap {
      $0["room"] as? String
    }
    #expect(rooms.sorted() == (1...12).map { "r\($0)" }.sorted())
    // Each board on 01:01–01:11 (a 10-minute hold): 10 of the lesson's 45 minutes, used.
    #expect(parts.allSatisfy { ($0["totals"] as? [String: Any])?["used_board"] as? Int == 12 })
    let pending = try store.outbox.pending(.summaries, after: 0, limit: 10_000)
    #expect(
      pending.filter { $0.topic == UplinkMessages.Topic.lessonSummary }.allSatisfy {
        $0.payload.count <= 3000
      })
    let validation = try store.validate(pending)
    #expect(validation.status == 0, "\(validation.stdout)")
  }
}
