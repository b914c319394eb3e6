import EventLoop
import Rollup
import TOML

/// `[timetable]` (docs/configuration.md, "Timetable"): the sessions and their periods, teaching
/// weekdays, terms, closures, and the class list from a CSV export. Absent: no lessons are
/// rolled up. Each problem names the file, the line and the key (the CSV's own line for its rows).
extension AgentConfig {
  static let sessionKeys = ConfigRegistry.keys(inTable: "timetable.morning")
  static let weekdayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

  static func readTimetable(_ reader: inout ConfigReader) -> Timetable? {
    guard case .table(let section)? = reader.root["timetable"] else { return nil }
    let level = reader.string("timetable.level", default: "secondary") ?? "secondary"
    if level != "secondary" && level != "primary" {
      reader.report("timetable.level", "expected \"secondary\" or \"primary\", found \"\(level.prefix(40))\"")
    }
    let primary = level == "primary"
    let length = reader.integer("timetable.period_minutes", default: primary ? 35 : 45)
    var weekdays: Set<Int> = []
    for name in reader.strings("timetable.weekdays", default: Array(weekdayNames.prefix(5))) {
      if let index = weekdayNames.firstIndex(of: name.lowercased()) {
        weekdays.insert(index + 1)
      } else {
        reader.report(
          "timetable.weekdays",
          "expected days among \(weekdayNames.joined(separator: ", ")), found \"\(name.prefix(20))\"")
      }
    }
    let minUse = reader.integer("timetable.min_use_minutes")
    let defaults = Timetable.defaultSlots(primary: primary)
    var slots: [Timetable.Slot] = []
    for session in Timetable.Session.allCases {
      slots += readSession(
        session, &reader, length: length, defaults: defaults.filter { $0.session == session })
    }
    for (slot, next) in zip(slots, slots.dropFirst()) where next.startMinute < slot.endMinute {
      reader.report(
        "timetable.\(next.session.rawValue)",
        "period \(next.number) starts before \(slot.session.rawValue) period \(slot.number) ends")
    }
    if let last = slots.last, last.endMinute > 1440 {
      reader.report("timetable.\(last.session.rawValue)", "the last period ends after midnight")
    }
    var timetable = Timetable(
      slots: slots, weekdays: weekdays, minUseMs: Int64(minUse) * 60_000)
    timetable.terms = readDateRanges(section, "term", &reader).map(\.dates)
    timetable.closures = readDateRanges(section, "closure", &reader).map {
      Timetable.Closure(dates: $0.dates, name: $0.name ?? "closed")
    }
    if let csv = reader.string("timetable.csv", default: nil) {
      switch readTextFile(csv, maxBytes: 4 << 20) {
      case .failure(let failure): reader.report("timetable.csv", failure.message)
      case .success(let text):
        switch TimetableCSV.parse(text) {
        case .success(let lessons): timetable.lessons = lessons
        case .failure(let problem):
          reader.report("timetable.csv", "\(csv) line \(problem.line): \(problem.message)")
        }
      }
    }
    return timetable
  }

  /// `[timetable.morning]` or `[timetable.afternoon]`: `start` + `periods` + `breaks` (minutes
  /// between periods), or the periods' `starts`; `periods = 0` for a school without that session.
  private static func readSession(
    _ session: Timetable.Session, _ reader: inout ConfigReader, length fallback: Int,
    defaults: [Timetable.Slot]
  ) -> [Timetable.Slot] {
    let key = "timetable.\(session.rawValue)"
    guard case .table(let section)? = reader.root["timetable"],
      case .table(let table)? = section[session.rawValue]
    else {
      return defaults.map {
        Timetable.Slot(
          session: session, number: $0.number, startMinute: $0.startMinute, lengthMinutes: fallback)
      }
    }
    for name in table.keys where !sessionKeys.contains(name) {
      reader.report(
        "\(key).\(name)", line: table.line(of: name) ?? table.line,
        "unknown key (known in [\(key)]: \(sessionKeys.joined(separator: ", ")))")
    }
    let length = reader.integer("\(key).period_minutes", default: fallback)
    if let starts = table["starts"] {
      guard case .array(let items) = starts, !items.isEmpty, items.count <= 7 else {
        reader.report("\(key).starts", "expected a list of 1 to 7 local times such as \"07:00\"")
        return []
      }
      var slots: [Timetable.Slot] = []
      for (index, item) in items.enumerated() {
        guard let minute = item.stringValue.flatMap(localMinute) else {
          reader.report(
            "\(key).starts",
            "expected local times such as \"07:00\", found \(item.typeNameWithArticle) at position \(index + 1)"
          )
          return []
        }
        slots.append(
          Timetable.Slot(session: session, number: index + 1, startMinute: minute, lengthMinutes: length))
      }
      return slots
    }
    let periods = reader.integer("\(key).periods", default: defaults.count)
    guard periods > 0 else { return [] }
    let startText = reader.string("\(key).start", default: nil)
    var start = defaults.first?.startMinute ?? (session == .morning ? 420 : 840)
    if let startText {
      if let minute = localMinute(startText) {
        start = minute
      } else {
        reader.report(
          "\(key).start", "expected a local time such as \"07:00\", found \"\(startText.prefix(20))\"")
      }
    }
    var breaks = zip(defaults, defaults.dropFirst()).map { $1.startMinute - $0.endMinute }
    if let value = table["breaks"] {
      let numbers = value.arrayValue?.compactMap { $0.integerValue.map(Int.init) } ?? []
      guard numbers.count == periods - 1, numbers.allSatisfy({ (0...240).contains($0) }),
        value.arrayValue?.count == numbers.count
      else {
        reader.report(
          "\(key).breaks",
          "expected \(periods - 1) break lengths in minutes (0-240), one between each two periods")
        return []
      }
      breaks = numbers
    }
    // Default breaks for fewer or more periods than the defaults: the first ones, then 5 minutes.
    breaks = Array((breaks + Array(repeating: 5, count: 7)).prefix(periods - 1))
    return Timetable.slots(session, from: start, length: length, breaks: breaks)
  }

  /// `[[timetable.term]]` and `[[timetable.closure]]`: `start` and optional `end` (TOML dates or
  /// "YYYY-MM-DD" strings), and for closures a `name`.
  private static func readDateRanges(_ section: TOMLTable, _ name: String, _ reader: inout ConfigReader)
    -> [(dates: ClosedRange<LocalDate>, name: String?)]
  {
    guard let value = section[name] else { return [] }
    let sectionLine = section.line(of: name) ?? section.line
    guard case .array(let items) = value else {
      reader.report("timetable.\(name)", line: sectionLine, "expected [[timetable.\(name)]] tables")
      return []
    }
    var ranges: [(dates: ClosedRange<LocalDate>, name: String?)] = []
    for (index, item) in items.enumerated() {
      let key = "timetable.\(name)[\(index)]"
      guard case .table(let table) = item else {
        reader.report(key, line: sectionLine, "expected a table, found \(item.typeNameWithArticle)")
        continue
      }
      let known = name == "closure" ? ["start", "end", "name"] : ["start", "end"]
      for inner in table.keys where !known.contains(inner) {
        reader.report(
          "\(key).\(inner)", line: table.line(of: inner) ?? table.line,
          "unknown key (known: \(known.joined(separator: ", ")))")
      }
      func date(_ field: String) -> LocalDate? {
        guard let value = table[field] else { return nil }
        if let date = (value.dateTimeValue ?? value.stringValue).flatMap(LocalDate.init) { return date }
        reader.report(
          "\(key).\(field)", line: table.line(of: field) ?? table.line, "expected a date such as 2027-02-10")
        return nil
      }
      guard let start = date("start") else {
        if table["start"] == nil { reader.report("\(key).start", line: table.line, "is required") }
        continue
      }
      let end = date("end") ?? start
      guard start <= end else {
        reader.report("\(key).end", line: table.line(of: "end") ?? table.line, "is before start \(start)")
        continue
      }
      ranges.append((start...end, table["name"]?.stringValue))
    }
    return ranges
  }

  /// "07:00" → 420.
  static func localMinute(_ text: String) -> Int? {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
      (0...23).contains(hour), (0...59).contains(minute)
    else { return nil }
    return hour * 60 + minute
  }
}
