import DeviceModel

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
    let (year, month, _) = EpochTime.civil(fromDays: days)
    self.init(year: year, month: month)
  }

  public var startMs: Int64 { Int64(EpochTime.daysFromCivil(year: year, month: month, day: 1)) * 86_400_000 }
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
}
