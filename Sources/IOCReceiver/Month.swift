/// A calendar month in UTC: the unit the receiver's tables are partitioned by.
public struct Month: Sendable, Hashable, Comparable, CustomStringConvertible {
  public let year: Int
  public let month: Int

  public init(year: Int, month: Int) {
    precondition((1...12).contains(month), "month \(month)")
    self.year = year
    self.month = month
  }

  /// The month that contains the instant `ms` (epoch milliseconds).
  public init(containing ms: Int64) {
    let days = Int((ms >= 0 ? ms : ms - 86_399_999) / 86_400_000)
    let (year, month, _) = Self.civil(fromDays: days)
    self.init(year: year, month: month)
  }

  public var startMs: Int64 { Int64(Self.days(year: year, month: month, day: 1)) * 86_400_000 }
  public var next: Month {
    month == 12 ? Month(year: year + 1, month: 1) : Month(year: year, month: month + 1)
  }
  public var previous: Month {
    month == 1 ? Month(year: year - 1, month: 12) : Month(year: year, month: month - 1)
  }

  /// `y2026m12`: the suffix of the partition's table name.
  public var suffix: String { "y\(year)m\(month < 10 ? "0" : "")\(month)" }
  public var description: String { "\(year)-\(month < 10 ? "0" : "")\(month)" }

  public static func < (lhs: Month, rhs: Month) -> Bool { (lhs.year, lhs.month) < (rhs.year, rhs.month) }

  // Howard Hinnant's days-from-civil and civil-from-days (proleptic Gregorian calendar).
  public static func days(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  public static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let mp = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }
}
