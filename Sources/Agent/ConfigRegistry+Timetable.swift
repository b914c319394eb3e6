import Rollup

/// `[timetable]`'s keys (read in TimetableConfig.swift). The section is opt-in: with it the agent
/// rolls lessons up, so the sample shows it commented out. Some defaults depend on `level`.
extension ConfigRegistry {
  /// Sections whose presence turns a feature on, even empty.
  static let optInSections: Set<String> = ["timetable"]

  /// The two sessions' tables; their keys are the same.
  static let timetableSessions = ["morning", "afternoon"]

  static let timetableKeys: [ConfigKey] =
    [
      .init(
        "timetable.level", .choice(["secondary", "primary"]), default: #""secondary""#,
        doc: "`secondary` (THCS/THPT: 45-minute periods) or `primary` (tiểu học: 35 minutes); sets the"
          + " default period length and times"),
      .init(
        "timetable.period_minutes", .integer(10...120), default: "45", note: "`45`, or `35` for primary",
        doc: "every period's length unless a session sets its own"),
      .init(
        "timetable.weekdays", .stringList, default: #"["mon", "tue", "wed", "thu", "fri"]"#,
        doc: "teaching days among `mon` … `sun` (add `sat` where Saturday is taught)"),
      .init(
        "timetable.min_use_minutes", .integer(1...60), default: "5",
        doc: "shorter use (a board switched on and off) does not count as a lesson using it"),
      .init(
        "timetable.csv", .path, default: nil,
        doc:
          "the class list, a CSV of `weekday,session,period,room,class` rows (docs/configuration.md, \"Timetable\")"
      ),
    ] + sessionKeys("morning", start: "07:00", primaryStart: "07:30", periods: 4, breaks: "[5, 20, 5]")
    + sessionKeys("afternoon", start: "14:00", primaryStart: "14:00", periods: 3, breaks: "[5, 15]") + [
      .init(
        "timetable.term", .tableArray(["start", "end"]), default: nil,
        note: "none (every teaching weekday is in term)",
        doc: "`[[timetable.term]]` tables (học kỳ): `start` and `end`, TOML dates (or `\"YYYY-MM-DD\"`),"
          + " both included",
        example: ["[[timetable.term]]", "start = 2026-09-05", "end = 2027-01-16"]),
      .init(
        "timetable.closure", .tableArray(["start", "end", "name"]), default: nil,
        doc: "`[[timetable.closure]]` tables: days without lessons inside a term (holidays, Tết); `end`"
          + " defaults to `start`, `name` (default `closed`) is what `stats --lessons` and the IOC see",
        example: ["[[timetable.closure]]", "start = 2027-02-12", "end = 2027-02-21", #"name = "Tết""#]),
    ]

  private static func sessionKeys(
    _ session: String, start: String, primaryStart: String, periods: Int, breaks: String
  ) -> [ConfigKey] {
    let table = "timetable.\(session)"
    let starts = Timetable.defaultSlots(primary: false).filter { $0.session.rawValue == session }.map {
      "\"" + clock($0.startMinute) + "\""
    }
    let primaryBreaks = breaks == "[5, 20, 5]" ? "[5, 30, 5]" : breaks
    return [
      .init(
        "\(table).start", .string, default: "\"\(start)\"",
        note: start == primaryStart ? nil : "`\"\(start)\"` (primary `\"\(primaryStart)\"`)",
        doc: "local time `HH:MM` of the \(session)'s first period"),
      .init(
        "\(table).periods", .integer(0...7), default: "\(periods)",
        doc: "`0` for a school without this session"),
      .init(
        "\(table).period_minutes", .integer(10...120), default: "45", note: "`timetable.period_minutes`",
        doc: "this session's period length (default: `timetable.period_minutes`)"),
      .init(
        "\(table).breaks", .integerList(0...240), default: breaks,
        note: breaks == primaryBreaks ? nil : "`\(breaks)` (primary `\(primaryBreaks)`)", environment: false,
        doc: "`periods − 1` break lengths in minutes, one between each two periods"),
      .init(
        "\(table).starts", .stringList, default: nil, environment: false,
        doc: "instead of `start`, `periods` and `breaks`: each period's start, 1 to 7 local times",
        example: ["starts = [\(starts.joined(separator: ", "))]"]),
    ]
  }

  /// The default of a level-dependent key at a primary school (nil: the registry's default).
  static func primaryDefault(of key: String) -> String? {
    switch key {
    case "timetable.period_minutes", "timetable.morning.period_minutes", "timetable.afternoon.period_minutes":
      "35"
    case "timetable.morning.start": #""07:30""#
    case "timetable.morning.breaks": "[5, 30, 5]"
    default: nil
    }
  }

  private static func clock(_ minute: Int) -> String {
    let hours = minute / 60
    let minutes = minute % 60
    return (hours < 10 ? "0" : "") + "\(hours):" + (minutes < 10 ? "0" : "") + "\(minutes)"
  }
}
