import Buffer
import DeviceModel
import Rollup

/// `classgate stats --lessons`: the per-lesson rows of a span of local days, as the agent stored
/// them when it summarised each day.
public struct LessonsReport: Sendable, Equatable {
  /// Local day numbers (`StatsPeriod`), both included.
  public var first: Int
  public var last: Int
  public var days: [LessonDay]

  /// `days`: the selected days; nil: the last day with lessons stored (yesterday when none).
  /// `week`: the seven days ending on the last one.
  public static func read(
    _ store: LessonStore, calendar: SchoolCalendar, days selected: ClosedRange<Int>?, week: Bool,
    room: String?, now: EpochMillis
  ) throws -> LessonsReport {
    var (first, last): (Int, Int)
    if let selected {
      (first, last) = (selected.lowerBound, selected.upperBound)
    } else {
      let latest = try store.latestDay().map { StatsPeriod.today(now: $0, calendar: calendar) }
      last = latest ?? StatsPeriod.today(now: now, calendar: calendar) - 1
      first = last
    }
    if week { first = last - 6 }
    let days = try store.days(
      from: StatsPeriod.period(ofDay: first, calendar: calendar).start,
      to: StatsPeriod.period(ofDay: last, calendar: calendar).end, room: room)
    return LessonsReport(first: first, last: last, days: days)
  }

  /// As `read`; nil for a store the agent has not opened since the upgrade that added lessons.
  public static func readIfStored(
    _ store: LessonStore, calendar: SchoolCalendar, days selected: ClosedRange<Int>?, week: Bool,
    room: String?, now: EpochMillis
  ) throws -> LessonsReport? {
    do {
      return try read(store, calendar: calendar, days: selected, week: week, room: room, now: now)
    } catch let error where MissingTable.matches(error) {
      return nil
    }
  }
}
