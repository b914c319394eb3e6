/// A Vietnamese school day in local minutes since midnight: morning periods from 07:00, lunch,
/// afternoon periods from 13:30; 40-minute periods with 5- and 15-minute breaks.
public enum SchoolDay {
  public enum Phase: Sendable, Equatable {
    case closed
    case arrival
    case lesson(period: Int)
    case shortBreak
    case longBreak
    case lunch
  }

  static let periods: [(start: Int, end: Int)] = [
    (420, 460), (465, 505), (520, 560), (565, 605), (610, 650),  // morning, long break 09:05
    (810, 850), (855, 895), (910, 950), (955, 995),  // afternoon
  ]

  public static let opens = 390  // 06:30
  public static let closes = 1020  // 17:00

  public static func phase(minute: Int) -> Phase {
    if minute < opens || minute >= closes { return .closed }
    if minute < 420 { return .arrival }
    for (index, period) in periods.enumerated() where minute >= period.start && minute < period.end {
      return .lesson(period: index + 1)
    }
    if minute >= 650 && minute < 810 { return .lunch }
    if minute >= 505 && minute < 520 || minute >= 895 && minute < 910 { return .longBreak }
    if minute >= 995 { return .closed }
    return .shortBreak
  }

  /// Share of the class present and seated.
  public static func occupancy(_ phase: Phase) -> Double {
    switch phase {
    case .lesson: 1
    case .shortBreak: 0.6
    case .longBreak: 0.2
    case .arrival: 0.5
    case .lunch: 0.1
    case .closed: 0
    }
  }
}
