import Agent
import Buffer
import DeviceModel
import Reports
import Rollup
import SQLiteStore
import TestSupport
import Testing

/// `LessonsReport` (classgate stats --lessons only renders it) against a real store's lesson
/// tables, and against a store from before they existed.
@Suite("Reports: LessonsReport")
struct LessonsReportTests {
  static func calendar() throws -> SchoolCalendar {
    try UplinkSetup.calendar(timeZone: "Asia/Ho_Chi_Minh", windowMinutes: 5, file: "test")
  }

  /// A teaching day with one lesson in `room`.
  static func day(_ number: Int, room: String, calendar: SchoolCalendar) -> LessonDay {
    let period = StatsPeriod.period(ofDay: number, calendar: calendar)
    var lesson = LessonUsage(
      room: room, session: "morning", period: 1, start: period.start + 7 * 3_600_000,
      end: period.start + 7 * 3_600_000 + 45 * 60_000, className: "10A1", scheduled: true)
    lesson.usedBoard = true
    return LessonDay(day: period, teaching: true, lessons: [lesson])
  }

  @Test func theLastStoredDayByDefaultASelectionAndAWeekEndingOnIt() throws {
    let directory = TemporaryDirectory(prefix: "classgate-lessons")
    defer { directory.remove() }
    let path = directory.file("classgate.db")
    let calendar = try Self.calendar()
    let writer = try StoreFile.openForWriting(path: path, durability: .full)
    let lessons = LessonStore(connection: writer)
    let today = StatsPeriod.today(now: nowMillis(), calendar: calendar)
    for offset in [10, 4, 3] {
      try lessons.save(Self.day(today - offset, room: "101", calendar: calendar), revision: 1, createdAt: 0)
    }
    let store = LessonStore(connection: try StoreFile.openForReading(path: path))
    let now = nowMillis()

    let latest = try LessonsReport.read(
      store, calendar: calendar, days: nil, week: false, room: nil, now: now)
    #expect(latest.first == today - 3 && latest.last == today - 3 && latest.days.count == 1)
    let week = try LessonsReport.read(store, calendar: calendar, days: nil, week: true, room: nil, now: now)
    #expect(
      week.first == today - 9
        && week.days.map(\.day.start)
          == [today - 4, today - 3].map {
            StatsPeriod.period(ofDay: $0, calendar: calendar).start
          }
    )
    let selected = try LessonsReport.read(
      store, calendar: calendar, days: (today - 10)...(today - 4), week: false, room: "101", now: now)
    #expect(selected.days.count == 2 && selected.days.first?.lessons.first?.className == "10A1")
    let otherRoom = try LessonsReport.read(
      store, calendar: calendar, days: (today - 10)...(today - 4), week: false, room: "999", now: now)
    #expect(otherRoom.days.allSatisfy { $0.lessons.isEmpty })
  }

  @Test func aStoreWithoutLessonTablesReadsAsNoneAndAnEmptyOneAsYesterday() throws {
    let directory = TemporaryDirectory(prefix: "classgate-lessons")
    defer { directory.remove() }
    let calendar = try Self.calendar()
    let old = directory.file("old.db")
    let connection = try Connection(path: old, mode: .readWrite)
    try connection.execute(sql: "CREATE TABLE devices (id TEXT)")
    #expect(
      try LessonsReport.readIfStored(
        LessonStore(connection: connection), calendar: calendar, days: nil, week: false, room: nil,
        now: nowMillis()) == nil)

    let empty = directory.file("classgate.db")
    _ = try StoreFile.openForWriting(path: empty, durability: .full)
    let now = nowMillis()
    let report = try #require(
      try LessonsReport.readIfStored(
        LessonStore(connection: try StoreFile.openForReading(path: empty)), calendar: calendar, days: nil,
        week: false, room: nil, now: now))
    #expect(report.days.isEmpty && report.last == StatsPeriod.today(now: now, calendar: calendar) - 1)
  }
}
