import DeviceModel
import SQLiteStore

/// Per-lesson usage of summarised days (schema 5): what `classgate stats --lessons` reads and
/// what was sent to the IOC as `classgate.lesson_summary`.
public final class LessonStore {
  private let connection: Connection

  public init(connection: Connection) {
    self.connection = connection
  }

  /// The revision stored for the day starting at `start`, nil if none.
  public func revision(ofDayStartingAt start: EpochMillis) throws -> Int? {
    let statement = try connection.cachedStatement(sql: "SELECT revision FROM lesson_days WHERE start_ms = ?")
    statement.bind(start, at: 1)
    defer { statement.reset() }
    return try statement.step() ? statement.int(0) : nil
  }

  /// The start of the latest day with lessons stored, nil if none.
  public func latestDay() throws -> EpochMillis? {
    let statement = try connection.cachedStatement(sql: "SELECT max(start_ms) FROM lesson_days")
    defer { statement.reset() }
    return try statement.step() && !statement.isNull(0) ? statement.int64(0) : nil
  }

  /// Replaces a day's rows. Call inside the caller's transaction (with the outbox insert).
  public func save(_ day: LessonDay, revision: Int, createdAt: EpochMillis) throws {
    for sql in ["DELETE FROM lesson_usage WHERE day_ms = ?", "DELETE FROM lesson_outside WHERE day_ms = ?"] {
      let delete = try connection.cachedStatement(sql: sql)
      delete.bind(day.day.start, at: 1)
      try delete.run()
    }
    let header = try connection.cachedStatement(
      sql: """
        INSERT OR REPLACE INTO lesson_days (start_ms, end_ms, revision, created_ms, teaching, closure)
        VALUES (?, ?, ?, ?, ?, ?)
        """)
    header.bind(day.day.start, at: 1)
    header.bind(day.day.end, at: 2)
    header.bind(revision, at: 3)
    header.bind(createdAt, at: 4)
    header.bind(day.teaching ? 1 : 0, at: 5)
    header.bind(day.closure, at: 6)
    try header.run()
    for lesson in day.lessons { try insert(lesson, day: day.day.start) }
    for room in day.outside {
      let row = try connection.cachedStatement(
        sql: "INSERT INTO lesson_outside (day_ms, room, board_on_ms, projector_on_ms) VALUES (?, ?, ?, ?)")
      row.bind(day.day.start, at: 1)
      row.bind(room.room, at: 2)
      row.bind(room.boardOnMs, at: 3)
      row.bind(room.projectorOnMs, at: 4)
      try row.run()
    }
  }

  /// Stored days starting in [from, to), oldest first, optionally one room's lessons only.
  public func days(from: EpochMillis, to: EpochMillis, room: String? = nil) throws -> [LessonDay] {
    let headers = try connection.cachedStatement(
      sql: """
        SELECT start_ms, end_ms, teaching, closure FROM lesson_days
        WHERE start_ms >= ? AND start_ms < ? ORDER BY start_ms
        """)
    headers.bind(from, at: 1)
    headers.bind(to, at: 2)
    var days: [LessonDay] = []
    while try headers.step() {
      days.append(
        LessonDay(
          day: Period(start: headers.int64(0), end: headers.int64(1)), teaching: headers.int(2) != 0,
          closure: headers.text(3)))
    }
    headers.reset()
    for index in days.indices {
      days[index].lessons = try lessons(day: days[index].day.start, room: room)
      days[index].outside = try outside(day: days[index].day.start, room: room)
    }
    return days
  }

  // MARK: - Internals

  private func insert(_ lesson: LessonUsage, day: EpochMillis) throws {
    let row = try connection.cachedStatement(
      sql: """
        INSERT INTO lesson_usage (day_ms, start_ms, room, end_ms, session, period, class, scheduled,
          board_on_ms, board_active_ms, projector_on_ms, used_board, used_projector, co2_mean, co2_max,
          co2_above_ms, temperature_mean, scans, distinct_cards)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """)
    row.bind(day, at: 1)
    row.bind(lesson.start, at: 2)
    row.bind(lesson.room, at: 3)
    row.bind(lesson.end, at: 4)
    row.bind(lesson.session, at: 5)
    row.bind(lesson.period, at: 6)
    row.bind(lesson.className, at: 7)
    row.bind(lesson.scheduled ? 1 : 0, at: 8)
    row.bind(lesson.boardOnMs, at: 9)
    row.bind(lesson.boardActiveMs, at: 10)
    row.bind(lesson.projectorOnMs, at: 11)
    row.bind(lesson.usedBoard ? 1 : 0, at: 12)
    row.bind(lesson.usedProjector ? 1 : 0, at: 13)
    row.bind(lesson.co2Mean, at: 14)
    row.bind(lesson.co2Max, at: 15)
    row.bind(lesson.co2AboveMs, at: 16)
    row.bind(lesson.temperatureMean, at: 17)
    row.bind(lesson.scans, at: 18)
    row.bind(lesson.distinctCards, at: 19)
    try row.run()
  }

  private func lessons(day: EpochMillis, room: String?) throws -> [LessonUsage] {
    let statement = try connection.cachedStatement(
      sql: """
        SELECT start_ms, room, end_ms, session, period, class, scheduled, board_on_ms, board_active_ms,
          projector_on_ms, used_board, used_projector, co2_mean, co2_max, co2_above_ms, temperature_mean,
          scans, distinct_cards
        FROM lesson_usage WHERE day_ms = ?1 AND (?2 IS NULL OR room = ?2) ORDER BY start_ms, room
        """)
    statement.bind(day, at: 1)
    statement.bind(room, at: 2)
    defer { statement.reset() }
    var lessons: [LessonUsage] = []
    while try statement.step() {
      var lesson = LessonUsage(
        room: statement.text(1) ?? "", session: statement.text(3) ?? "", period: statement.int(4),
        start: statement.int64(0), end: statement.int64(2), className: statement.text(5),
        scheduled: statement.int(6) != 0)
      lesson.boardOnMs = statement.int64(7)
      lesson.boardActiveMs = statement.int64(8)
      lesson.projectorOnMs = statement.int64(9)
      lesson.usedBoard = statement.int(10) != 0
      lesson.usedProjector = statement.int(11) != 0
      lesson.co2Mean = statement.optionalDouble(12)
      lesson.co2Max = statement.optionalDouble(13)
      lesson.co2AboveMs = statement.int64(14)
      lesson.temperatureMean = statement.optionalDouble(15)
      lesson.scans = statement.int(16)
      lesson.distinctCards = statement.int(17)
      lessons.append(lesson)
    }
    return lessons
  }

  private func outside(day: EpochMillis, room: String?) throws -> [OutsideUse] {
    let statement = try connection.cachedStatement(
      sql: """
        SELECT room, board_on_ms, projector_on_ms FROM lesson_outside
        WHERE day_ms = ?1 AND (?2 IS NULL OR room = ?2) ORDER BY room
        """)
    statement.bind(day, at: 1)
    statement.bind(room, at: 2)
    defer { statement.reset() }
    var rooms: [OutsideUse] = []
    while try statement.step() {
      rooms.append(
        OutsideUse(
          room: statement.text(0) ?? "", boardOnMs: statement.int64(1), projectorOnMs: statement.int64(2)))
    }
    return rooms
  }
}
