import DeviceModel
import Rollup

/// Local dates as day numbers (days since 1970-01-01) and the periods they span.
public enum StatsPeriod {
  public enum Selection: Equatable {
    /// Local days `first...last` (day numbers).
    case days(first: Int, last: Int)
    case lastWindow
  }

  private static let dayMs: Int64 = 86_400_000

  /// `2026-11-28` → its day number; nil unless a real date.
  public static func dayNumber(_ text: String) -> Int? {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
      parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
      let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
      year >= 1970, (1...12).contains(month), (1...EpochTime.daysIn(month: month, year: year)).contains(day)
    else { return nil }
    return EpochTime.daysFromCivil(year: year, month: month, day: day)
  }

  public static func label(_ dayNumber: Int) -> String {
    let date = EpochTime.civil(fromDays: dayNumber)
    func pad(_ value: Int, _ width: Int) -> String {
      String(repeating: "0", count: max(0, width - String(value).count)) + String(value)
    }
    return "\(pad(date.year, 4))-\(pad(date.month, 2))-\(pad(date.day, 2))"
  }

  /// Today's local day number.
  public static func today(now: EpochMillis, calendar: SchoolCalendar) -> Int {
    let local = now + Int64(calendar.zone.offsetSeconds(atUTC: now)) * 1000
    return Int(local >= 0 ? local / dayMs : (local - dayMs + 1) / dayMs)
  }

  /// Local midnight to local midnight of the day: found from the day's local noon, which every
  /// offset (and any daylight-saving jump) leaves inside the day.
  public static func period(ofDay dayNumber: Int, calendar: SchoolCalendar) -> Period {
    let noon = Int64(dayNumber) * dayMs + dayMs / 2
    return calendar.day(containing: noon - Int64(calendar.zone.offsetSeconds(atUTC: noon)) * 1000)
  }
}
