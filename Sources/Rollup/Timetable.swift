import DeviceModel

/// The school's timetable (thời khóa biểu): its periods (tiết) in a morning and an afternoon
/// session, the teaching weekdays, the terms, the closures, and optionally which class is in which
/// room in which period. Pure data; `Agent` reads it from `[timetable]` (docs/configuration.md).
public struct Timetable: Sendable, Equatable {
  public enum Session: String, Sendable, CaseIterable {
    case morning
    case afternoon
  }

  /// One period of the day, in local minutes since midnight.
  public struct Slot: Sendable, Equatable {
    public var session: Session
    /// Within its session, from 1.
    public var number: Int
    public var startMinute: Int
    public var lengthMinutes: Int
    public var endMinute: Int { startMinute + lengthMinutes }
    public init(session: Session, number: Int, startMinute: Int, lengthMinutes: Int) {
      self.session = session
      self.number = number
      self.startMinute = startMinute
      self.lengthMinutes = lengthMinutes
    }
  }

  /// Days without lessons inside a term: Tết, a flood day when lessons move online.
  public struct Closure: Sendable, Equatable {
    public var dates: ClosedRange<LocalDate>
    public var name: String
    public init(dates: ClosedRange<LocalDate>, name: String) {
      self.dates = dates
      self.name = name
    }
  }

  /// A class's lesson in a room: on an ISO weekday (1 Monday … 7 Sunday), in one period.
  public struct Lesson: Sendable, Equatable {
    public var weekday: Int
    public var session: Session
    public var period: Int
    public var room: String
    public var className: String
    public init(weekday: Int, session: Session, period: Int, room: String, className: String) {
      self.weekday = weekday
      self.session = session
      self.period = period
      self.room = room
      self.className = className
    }
  }

  /// Oldest first, not overlapping.
  public var slots: [Slot]
  /// ISO weekdays with lessons (1 Monday … 7 Sunday).
  public var weekdays: Set<Int>
  /// Empty: every teaching weekday is in term.
  public var terms: [ClosedRange<LocalDate>]
  public var closures: [Closure]
  /// Empty: every room with a board or projector has a lesson in every period of a teaching day
  /// (in Vietnamese schools each class has its own room).
  public var lessons: [Lesson]
  /// A lesson "used" the board or projector when it was on for at least this long.
  public var minUseMs: Int64

  public init(
    slots: [Slot], weekdays: Set<Int> = [1, 2, 3, 4, 5], terms: [ClosedRange<LocalDate>] = [],
    closures: [Closure] = [], lessons: [Lesson] = [], minUseMs: Int64 = 5 * 60_000
  ) {
    self.slots = slots.sorted { $0.startMinute < $1.startMinute }
    self.weekdays = weekdays
    self.terms = terms
    self.closures = closures
    self.lessons = lessons
    self.minUseMs = minUseMs
  }

  /// Why `date` has no lessons ("weekend", "outside term", or the closure's name); nil on a
  /// teaching day.
  public func closure(on date: LocalDate) -> String? {
    if let closure = closures.first(where: { $0.dates.contains(date) }) { return closure.name }
    if !terms.isEmpty, !terms.contains(where: { $0.contains(date) }) { return "outside term" }
    if !weekdays.contains(date.weekday) { return "weekend" }
    return nil
  }

  /// Each session's span, first period's start to last period's end (breaks included), in local
  /// minutes.
  public var sessionSpans: [(start: Int, end: Int)] {
    Session.allCases.compactMap { session in
      let inSession = slots.filter { $0.session == session }
      guard let first = inSession.first, let last = inSession.last else { return nil }
      return (first.startMinute, last.endMinute)
    }
  }

  /// Vietnamese defaults for two sessions a day and at most 7 periods a day: 4 in the morning, 3 in
  /// the afternoon. Secondary (THCS/THPT): 45-minute periods from 07:00 and 14:00, a 20-minute break
  /// (ra chơi) after the second morning period and 15 minutes after the second afternoon one.
  /// Primary (tiểu học): 35-minute periods from 07:30 and 14:00, a 30-minute break mid-morning.
  public static func defaultSlots(primary: Bool) -> [Slot] {
    primary
      ? slots(.morning, from: 450, length: 35, breaks: [5, 30, 5])
        + slots(.afternoon, from: 840, length: 35, breaks: [5, 15])
      : slots(.morning, from: 420, length: 45, breaks: [5, 20, 5])
        + slots(.afternoon, from: 840, length: 45, breaks: [5, 15])
  }

  /// `breaks.count + 1` periods of `length` minutes from `from`, with the breaks between them.
  public static func slots(_ session: Session, from: Int, length: Int, breaks: [Int]) -> [Slot] {
    var start = from
    var result: [Slot] = []
    for number in 1...(breaks.count + 1) {
      result.append(Slot(session: session, number: number, startMinute: start, lengthMinutes: length))
      if number <= breaks.count { start += length + breaks[number - 1] }
    }
    return result
  }
}

/// A local calendar date (the school's time zone), ordered.
public struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible {
  public var year: Int
  public var month: Int
  public var day: Int

  public init(year: Int, month: Int, day: Int) {
    self.year = year
    self.month = month
    self.day = day
  }

  /// `YYYY-MM-DD`, a real date; nil otherwise.
  public init?(_ text: String) {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
      let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
      (1...12).contains(month), (1...EpochTime.daysIn(month: month, year: year)).contains(day)
    else { return nil }
    self.init(year: year, month: month, day: day)
  }

  public var daysSinceEpoch: Int { EpochTime.daysFromCivil(year: year, month: month, day: day) }
  /// ISO weekday: 1 Monday … 7 Sunday (1970-01-01 was a Thursday).
  public var weekday: Int { ((daysSinceEpoch % 7 + 7) % 7 + 3) % 7 + 1 }

  public var description: String {
    func pad(_ value: Int, _ width: Int) -> String {
      let digits = String(value)
      return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
    return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
  }

  public static func < (a: LocalDate, b: LocalDate) -> Bool {
    (a.year, a.month, a.day) < (b.year, b.month, b.day)
  }
}
