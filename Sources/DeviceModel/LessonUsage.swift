/// What one room did in one timetable period (tiết) of one day: the per-lesson numbers
/// `classgate stats --lessons` shows and `classgate.lesson_summary` carries (docs/rollups.md,
/// "Lessons"). Durations are milliseconds.
public struct LessonUsage: Sendable, Equatable {
  public var room: String
  /// "morning" or "afternoon" (buổi sáng / buổi chiều).
  public var session: String
  /// The period's number within its session, from 1.
  public var period: Int
  public var start: EpochMillis
  public var end: EpochMillis
  /// The class the timetable puts in this room in this period, if the timetable says.
  public var className: String?
  /// True when the timetable has a lesson in this room in this period.
  public var scheduled: Bool
  public var boardOnMs: Int64 = 0
  public var boardActiveMs: Int64 = 0
  public var projectorOnMs: Int64 = 0
  /// The board (projector) was on for at least the timetable's `min_use_minutes`.
  public var usedBoard = false
  public var usedProjector = false
  public var used: Bool { usedBoard || usedProjector }
  /// Time-weighted, from the room's CO2 sensors; nil without a CO2 value in the period.
  public var co2Mean: Double?
  public var co2Max: Double?
  public var co2AboveMs: Int64 = 0
  public var temperatureMean: Double?
  public var scans = 0
  public var distinctCards = 0

  public init(
    room: String, session: String, period: Int, start: EpochMillis, end: EpochMillis,
    className: String? = nil, scheduled: Bool
  ) {
    self.room = room
    self.session = session
    self.period = period
    self.start = start
    self.end = end
    self.className = className
    self.scheduled = scheduled
  }
}

/// A room whose board or projector was on outside the timetable's sessions (equipment left on
/// after school, or used on a day without lessons).
public struct OutsideUse: Sendable, Equatable {
  public var room: String
  public var boardOnMs: Int64
  public var projectorOnMs: Int64
  public init(room: String, boardOnMs: Int64, projectorOnMs: Int64) {
    self.room = room
    self.boardOnMs = boardOnMs
    self.projectorOnMs = projectorOnMs
  }
}

/// One day's lessons in every room, and the rooms used outside the timetable.
public struct LessonDay: Sendable, Equatable {
  public var day: Period
  /// Lessons are given this day (a teaching weekday in term, not a holiday or closure).
  public var teaching: Bool
  /// Why there are no lessons: "weekend", "outside term", or the closure's name ("Tết").
  public var closure: String?
  /// Oldest first, then by room.
  public var lessons: [LessonUsage]
  public var outside: [OutsideUse]

  public init(
    day: Period, teaching: Bool, closure: String? = nil, lessons: [LessonUsage] = [],
    outside: [OutsideUse] = []
  ) {
    self.day = day
    self.teaching = teaching
    self.closure = closure
    self.lessons = lessons
    self.outside = outside
  }

  public var scheduledLessons: Int { lessons.filter(\.scheduled).count }
  public var scheduledUsingBoard: Int {
    lessons.filter { $0.scheduled && $0.usedBoard }.count
  }
  public var scheduledUsingProjector: Int {
    lessons.filter { $0.scheduled && $0.usedProjector }.count
  }
  public var scheduledUsed: Int { lessons.filter { $0.scheduled && $0.used }.count }
  public var lessonsOverCO2: Int { lessons.filter { $0.scheduled && $0.co2AboveMs > 0 }.count }
  /// Lessons not in the timetable whose board or projector was used anyway.
  public var unscheduledUsed: Int { lessons.filter { !$0.scheduled && $0.used }.count }
}
