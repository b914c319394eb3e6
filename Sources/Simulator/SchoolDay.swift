/// A Vietnamese school day in local minutes since midnight, following the default secondary
/// `[timetable]` (docs/configuration.md): two sessions, 7 periods (tiết) of 45 minutes — morning
/// 07:00–07:45, 07:50–08:35, (ra chơi 20 min) 08:55–09:40, 09:45–10:30; lunch and rest; afternoon
/// 14:00–14:45, 14:50–15:35, (break 15 min) 15:50–16:35.
public enum SchoolDay {
  public enum Phase: Sendable, Equatable {
    case closed
    case arrival
    case lesson(period: Int)
    /// A period in which this room's class has its lesson elsewhere (PE in the yard): the room is empty.
    case free(period: Int)
    case shortBreak
    case longBreak
    case lunch
  }

  /// (session, number within the session, start, end).
  public static let periods: [(session: String, number: Int, start: Int, end: Int)] = [
    ("morning", 1, 420, 465), ("morning", 2, 470, 515), ("morning", 3, 535, 580), ("morning", 4, 585, 630),
    ("afternoon", 1, 840, 885), ("afternoon", 2, 890, 935), ("afternoon", 3, 950, 995),
  ]

  public static let opens = 390  // 06:30
  public static let closes = 1020  // 17:00

  public static func phase(minute: Int) -> Phase {
    if minute < opens || minute >= closes { return .closed }
    if minute < 420 { return .arrival }
    for (index, period) in periods.enumerated() where minute >= period.start && minute < period.end {
      return .lesson(period: index + 1)
    }
    if minute >= 630 && minute < 840 { return .lunch }
    if minute >= 515 && minute < 535 || minute >= 935 && minute < 950 { return .longBreak }
    if minute >= 995 { return .closed }
    return .shortBreak
  }

  /// The phase in one room: its class is away in the periods it has no lesson there.
  public static func phase(minute: Int, roomIndex: Int) -> Phase {
    let phase = phase(minute: minute)
    if case .lesson(let period) = phase, !hasLesson(roomIndex: roomIndex, period: period) {
      return .free(period: period)
    }
    return phase
  }

  /// Every class has its lessons in its own room, except that every third room's class has the
  /// last afternoon period (period 7 of the day) elsewhere.
  public static func hasLesson(roomIndex: Int, period: Int) -> Bool {
    !(roomIndex % 3 == 2 && period == periods.count)
  }

  /// Share of the class present and seated.
  public static func occupancy(_ phase: Phase) -> Double {
    switch phase {
    case .lesson: 1
    case .shortBreak: 0.6
    case .longBreak: 0.2
    case .arrival: 0.5
    case .lunch: 0.1
    case .closed, .free: 0
    }
  }
}
