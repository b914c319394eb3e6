import DeviceModel
import Testing

@testable import Rollup

/// Monday 2026-11-30 in Ho Chi Minh City; times are local "HH:MM" so the expected numbers can be
/// checked against the timetable by hand. The hold is 4 hours so each state lasts until its next
/// sample (the hold limit has its own tests).
private let dayStart: EpochMillis = 1_795_971_600_000  // 2026-11-30T00:00+07:00
private let day = Period(start: dayStart, end: dayStart + 86_400_000)
private let settings = RollupSettings(maxHoldMs: 4 * 3_600_000)

private func local(_ text: String) -> EpochMillis {
  let parts = text.split(separator: ":").compactMap { Int64($0) }
  return dayStart + (parts[0] * 60 + parts[1]) * minute
}

private func states(_ points: (String, Double)...) -> MetricSeries {
  MetricSeries(samples: points.map { Sample(time: local($0.0), value: $0.1) })
}

private func history(
  _ id: String, _ kind: DeviceKind, room: String, series: [String: MetricSeries] = [:],
  events: [EventPoint] = []
)
  -> DeviceHistory
{
  DeviceHistory(
    id: id, kind: kind, room: room, firstSeen: dayStart - 86_400_000, statusAtStart: .online,
    series: series, events: events)
}

/// Morning 07:00–07:45 and 07:50–08:35, afternoon 14:00–14:45.
private let timetable = Timetable(
  slots: Timetable.slots(.morning, from: 420, length: 45, breaks: [5])
    + Timetable.slots(.afternoon, from: 840, length: 45, breaks: []))

private let school: [DeviceHistory] = [
  history(
    "board-101", .board, room: "101",
    series: [
      "power_on": states(("06:55", 1), ("07:30", 0), ("08:00", 1), ("08:20", 0), ("16:50", 1), ("18:00", 0)),
      "active": states(("07:10", 1), ("07:20", 0)),
    ]),
  history("proj-101", .projector, room: "101", series: ["power_on": states(("07:40", 1), ("07:52", 0))]),
  history(
    "env-101", .envSensor, room: "101",
    series: [
      "co2": states(("06:50", 600), ("07:10", 1200), ("07:30", 900), ("08:00", 1100), ("13:50", 700)),
      "temperature": states(("06:00", 30)),
    ]),
  history(
    "reader-101", .attendanceReader, room: "101",
    events: [
      EventPoint(time: local("06:58"), type: "card_scan", card: "hmac:a"),
      EventPoint(time: local("07:01"), type: "card_scan", card: "hmac:a"),
      EventPoint(time: local("07:02"), type: "card_scan", card: "hmac:b"),
      EventPoint(time: local("07:03"), type: "card_scan", card: "hmac:a"),
      EventPoint(time: local("07:04"), type: "button"),
    ]),
  history("board-102", .board, room: "102", series: ["power_on": states(("06:00", 0))]),
  history("env-103", .envSensor, room: "103", series: ["co2": states(("07:00", 500))]),
]

private func lessons(_ timetable: Timetable = timetable) throws -> LessonDay {
  let calendar = SchoolCalendar(
    zone: try zone("Asia/Ho_Chi_Minh"), zoneName: "Asia/Ho_Chi_Minh", windowMinutes: 5)
  return Rollup.lessons(school, day: day, timetable: timetable, calendar: calendar, settings: settings)
}

@Suite("Rollup: lessons of a day")
struct LessonRollupTests {
  @Test("board, projector, air and scans per room and period, by hand")
  func perLesson() throws {
    let result = try lessons()
    #expect(result.teaching && result.closure == nil)
    // 3 rooms × 3 periods, oldest first then by room.
    #expect(
      result.lessons.map { "\($0.session)\($0.period)/\($0.room)" } == [
        "morning1/101", "morning1/102", "morning1/103", "morning2/101", "morning2/102", "morning2/103",
        "afternoon1/101", "afternoon1/102", "afternoon1/103",
      ])
    let first = try #require(result.lessons.first)
    #expect(first.start == local("07:00") && first.end == local("07:45"))
    // Board on 07:00–07:30 (the 06:55 start is before the lesson), active 07:10–07:20;
    // projector 07:40–07:45.
    #expect(first.boardOnMs == 30 * minute && first.boardActiveMs == 10 * minute)
    #expect(first.projectorOnMs == 5 * minute && first.usedBoard && first.usedProjector)
    // CO2 600 for 10 min, 1200 for 20, 900 for 15: (6000 + 24000 + 13500) / 45 = 966.67;
    // above 1000 for 20 min. Temperature 30 all along.
    #expect(approximately(first.co2Mean, 43_500.0 / 45))
    #expect(first.co2Max == 1200 && first.co2AboveMs == 20 * minute)
    #expect(first.temperatureMean == 30)
    // Scans at 07:01, 07:02, 07:03 (the 06:58 one is before the lesson), cards a and b.
    #expect(first.scans == 3 && first.distinctCards == 2)
    #expect(first.scheduled && first.className == nil)

    let second = result.lessons[3]
    // Board 08:00–08:20; projector 07:50–07:52 is under the 5 minutes that count as use.
    #expect(second.boardOnMs == 20 * minute && second.projectorOnMs == 2 * minute)
    #expect(second.usedBoard && !second.usedProjector)
    // CO2 900 for 10 min, then 1100 for 35: 47500 / 45 = 1055.56, above for 35 min.
    #expect(approximately(second.co2Mean, 47_500.0 / 45) && second.co2AboveMs == 35 * minute)

    let afternoon = result.lessons[6]
    // 700 since 13:50; the 06:00 temperature's 4-hour hold ran out at 10:00.
    #expect(afternoon.co2Mean == 700 && afternoon.co2AboveMs == 0 && afternoon.temperatureMean == nil)
    #expect(!afternoon.used && afternoon.scans == 0)

    // Room 102 has a board: scheduled, never used. Room 103 has neither board nor projector.
    #expect(result.lessons.filter { $0.room == "102" }.allSatisfy { $0.scheduled && !$0.used })
    #expect(result.lessons.filter { $0.room == "103" }.allSatisfy { !$0.scheduled })
    #expect(result.lessons[2].co2Mean == 500)
  }

  @Test("the day: shares, CO2 over the threshold, equipment left on after school")
  func dayTotals() throws {
    let result = try lessons()
    // Scheduled: rooms 101 and 102 in 3 periods. Used: 101 in both morning periods.
    #expect(result.scheduledLessons == 6 && result.scheduledUsed == 2)
    #expect(result.scheduledUsingBoard == 2 && result.scheduledUsingProjector == 1)
    #expect(result.lessonsOverCO2 == 2 && result.unscheduledUsed == 0)
    // Board 101 on 06:55–07:30, 08:00–08:20, 16:50–18:00 = 125 min; inside the sessions
    // (07:00–08:35, 14:00–14:45) 50 min: 75 min outside (5 before school, 70 after).
    #expect(result.outside == [OutsideUse(room: "101", boardOnMs: 75 * minute, projectorOnMs: 0)])
  }

  @Test("a class list: only its rooms and periods are scheduled; other use is unscheduled")
  func classList() throws {
    var withClasses = timetable
    withClasses.lessons = [
      Timetable.Lesson(weekday: 1, session: .morning, period: 1, room: "102", className: "10A1"),
      Timetable.Lesson(weekday: 1, session: .morning, period: 2, room: "201", className: "10A2"),
      Timetable.Lesson(weekday: 2, session: .morning, period: 1, room: "101", className: "11B1"),
    ]
    let result = try lessons(withClasses)
    let scheduled = result.lessons.filter(\.scheduled)
    // Room 201 has no device but a lesson: it is listed (and unused). Tuesday's lesson is not today's.
    #expect(scheduled.map { "\($0.room) \($0.className ?? "-")" } == ["102 10A1", "201 10A2"])
    #expect(result.scheduledLessons == 2 && result.scheduledUsed == 0)
    // Room 101 used its board in both morning periods without a lesson there.
    #expect(result.unscheduledUsed == 2)
  }

  @Test("a closure day has no lessons; all its on time is outside the timetable")
  func holiday() throws {
    var closed = timetable
    closed.closures = [
      Timetable.Closure(
        dates: LocalDate(year: 2026, month: 11, day: 30)...LocalDate(year: 2026, month: 12, day: 1),
        name: "flood")
    ]
    let result = try lessons(closed)
    #expect(!result.teaching && result.closure == "flood" && result.lessons.isEmpty)
    // 35 + 20 + 70 = 125 min; the projector 12 min.
    #expect(
      result.outside == [OutsideUse(room: "101", boardOnMs: 125 * minute, projectorOnMs: 12 * minute)])
    var weekend = timetable
    weekend.weekdays = [2, 3, 4, 5, 6]
    #expect(try lessons(weekend).closure == "weekend")
    weekend.weekdays = [1]
    weekend.terms = [LocalDate(year: 2027, month: 1, day: 4)...LocalDate(year: 2027, month: 5, day: 31)]
    #expect(try lessons(weekend).closure == "outside term")
  }

  @Test("default periods: 45-minute secondary, 35-minute primary, 7 a day")
  func defaults() {
    let secondary = Timetable.defaultSlots(primary: false)
    #expect(secondary.map(\.startMinute) == [420, 470, 535, 585, 840, 890, 950])
    #expect(secondary.allSatisfy { $0.lengthMinutes == 45 })
    let primary = Timetable.defaultSlots(primary: true)
    #expect(primary.map(\.startMinute) == [450, 490, 555, 595, 840, 880, 930])
    #expect(LocalDate("2026-11-30")?.weekday == 1 && LocalDate("2026-02-30") == nil)
  }
}
