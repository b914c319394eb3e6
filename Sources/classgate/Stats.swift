import Agent
import ArgumentParser
import Buffer
import DeviceModel
import EventLoop
import JSON
import Reports
import Rollup
import Uplink

extension ClassGate {
  struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Usage per device and for the fleet over a period: the numbers uplinked to the IOC.",
      discussion: """
        Whole days come from the agent's daily summaries; today (and any day not yet summarised \
        as a day) is added up from its windows. Dates are local dates in the school's \
        time zone (time_zone in the config file).

        Examples:
          classgate stats
          classgate stats --days 7 --room 101
          classgate stats --day 2026-12-01 --json
          classgate stats --lessons --day 2026-12-01 --room 101
        """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "One local day, YYYY-MM-DD (default: today).")
    var day: String?

    @Option(help: "The last N local days, ending today.")
    var days: Int?

    @Option(help: "The first local day, YYYY-MM-DD (with --to).")
    var from: String?

    @Option(help: "The last local day, YYYY-MM-DD, included (with --from).")
    var to: String?

    @Flag(help: "Only the last summarised window.")
    var window = false

    @Flag(help: "Per lesson (room and timetable period) instead of per device; needs a [timetable].")
    var lessons = false

    @Flag(help: "With --lessons: the 7 local days ending with --day (default: the last summarised day).")
    var week = false

    @Option(help: "Only devices in this room.")
    var room: String?

    @Option(help: "Only this device.")
    var device: String?

    @Option(
      help: "Only devices of this kind.")
    var kind: DeviceKind?

    func validate() throws {
      let selections = [day != nil, days != nil, from != nil || to != nil, window].filter { $0 }.count
      guard selections <= 1 else {
        throw ValidationError("Please choose one of --day, --days, --from/--to and --window.")
      }
      guard (from == nil) == (to == nil) else {
        throw ValidationError("Please specify both --from and --to (local dates, both included).")
      }
      for (name, text) in [("day", day), ("from", from), ("to", to)] {
        guard let text else { continue }
        guard StatsPeriod.dayNumber(text) != nil else {
          throw ValidationError("Please specify '\(name)' as a date YYYY-MM-DD, e.g. 2026-11-28.")
        }
      }
      if let from, let to, let first = StatsPeriod.dayNumber(from), let last = StatsPeriod.dayNumber(to),
        first > last
      {
        throw ValidationError("Please specify a '--from' date no later than '--to'.")
      }
      if week && (!lessons || days != nil || from != nil || window) {
        throw ValidationError("Please use --week with --lessons, and with --day at most.")
      }
      if lessons && (window || device != nil || kind != nil) {
        throw ValidationError(
          "Please choose --lessons without --window, --device or --kind (--room is fine).")
      }
      if let days, !(1...3660).contains(days) {
        throw ValidationError("Please specify 'days' from 1 to 3660.")
      }
    }

    func run() throws {
      let path = try storeOptions.existingPath()
      let settings = try StatsSettings(configFile: storeOptions.config)
      let store: UsageStore
      let reader: StoreReader
      do {
        let connection = try StoreFile.openForReading(path: path)
        if lessons {
          try printLessons(LessonStore(connection: connection), settings.calendar, settings.thresholds["co2"])
          return
        }
        store = UsageStore(connection: connection)
        reader = try StoreReader(connection: connection)
      } catch {
        throw CLIError("cannot open the store \(path): \(error)")
      }
      if let device, try reader.device(id: device) == nil {
        throw CLIError("no device '\(device)' in the store (see `classgate devices`)")
      }
      let now = Clock.wallMs()
      let selection = selection(now: now, calendar: settings.calendar)
      let query = StatsQuery(
        store: store, calendar: settings.calendar, device: device, room: room, kind: kind)
      let result = try query.runIfSummarised(selection, now: now) {
        try reader.meta(MetaKey.windowsSummarisedUntil).flatMap { Int64($0) }
      }
      let attendance = try query.attendance(result)
      let output = StatsOutput(
        calendar: settings.calendar, thresholds: settings.thresholds, now: now,
        filtered: room != nil || device != nil || kind != nil)
      if storeOptions.json {
        JSONOutput.print(output.json(result, selection: selection, attendance: attendance))
      } else {
        print(output.text(result, selection: selection, attendance: attendance))
      }
    }

    /// `--lessons`: the selected days, or the last day with lessons stored.
    private func printLessons(_ store: LessonStore, _ calendar: SchoolCalendar, _ co2Threshold: Double?)
      throws
    {
      var selected: ClosedRange<Int>?
      if day != nil || days != nil || from != nil {
        guard case .days(let first, let last) = selection(now: Clock.wallMs(), calendar: calendar) else {
          return
        }
        selected = first...last
      }
      guard
        let report = try LessonsReport.readIfStored(
          store, calendar: calendar, days: selected, week: week, room: room, now: Clock.wallMs())
      else {
        print("No lessons in this store yet: the agent adds them from its next start (with a [timetable]).")
        return
      }
      let output = LessonsOutput(calendar: calendar, co2Threshold: co2Threshold)
      let (from, to) = (StatsPeriod.label(report.first), StatsPeriod.label(report.last))
      if storeOptions.json {
        JSONOutput.print(output.json(report.days, from: from, to: to))
      } else {
        print(output.text(report.days, from: from, to: to))
      }
    }

    private func selection(now: EpochMillis, calendar: SchoolCalendar) -> StatsPeriod.Selection {
      if window { return .lastWindow }
      let today = StatsPeriod.today(now: now, calendar: calendar)
      if let days { return .days(first: today - days + 1, last: today) }
      if let from, let to, let first = StatsPeriod.dayNumber(from), let last = StatsPeriod.dayNumber(to) {
        return .days(first: first, last: last)
      }
      if let day, let number = StatsPeriod.dayNumber(day) { return .days(first: number, last: number) }
      return .days(first: today, last: today)
    }
  }
}

/// The school's calendar and the rollup thresholds, from the config file (its time_zone and
/// rollup keys), as the agent summarised with them.
struct StatsSettings {
  let calendar: SchoolCalendar
  let thresholds: [String: Double]

  init(configFile: String) throws {
    do {
      let peek = try ConfigPeek(configFile: configFile)
      calendar = try UplinkSetup.calendar(
        timeZone: peek.timeZone, windowMinutes: peek.rollupWindowMinutes, file: configFile)
      thresholds = try peek.rollupThresholds
    } catch {
      throw CLIError("\(error)")
    }
  }
}

/// The table and the documented `--json` shape (docs/cli.md).
struct StatsOutput {
  typealias Attendance = StatsAttendance

  let calendar: SchoolCalendar
  let thresholds: [String: Double]
  let now: EpochMillis
  let filtered: Bool

  // MARK: JSON

  func json(_ result: StatsResult, selection: StatsPeriod.Selection, attendance: Attendance?) -> JSONValue {
    let messages = UplinkMessages(
      schoolID: "", timeZone: calendar.zoneName, localTime: { [calendar] in calendar.localISO($0) },
      localDate: { [calendar] in calendar.dayLabel($0) })
    var period = JSONObject()
    period["kind"] = .string(selection == .lastWindow ? "window" : "days")
    if let span = result.period {
      period["from"] = .string(calendar.localISO(span.start))
      period["to"] = .string(calendar.localISO(span.end))
      period["from_ms"] = .number(Double(span.start))
      period["to_ms"] = .number(Double(span.end))
    } else {
      period["from"] = .null
      period["to"] = .null
    }
    period["time_zone"] = .string(calendar.zoneName)
    if case .days(let first, let last) = selection {
      period["first_date"] = .string(StatsPeriod.label(first))
      period["last_date"] = .string(StatsPeriod.label(last))
    }
    period["summarised_until"] = result.coveredUntil.map { .string(calendar.localISO($0)) } ?? .null
    period["missing_dates"] = .array(result.missingDays.map { .string(StatsPeriod.label($0)) })
    return .object(
      JSONObject([
        ("period", .object(period)),
        ("devices", .array(result.devices.map { messages.device(usage: $0, thresholds: thresholds) })),
        ("fleet", result.fleet.map(UplinkMessages.fleet) ?? .null),
        (
          "attendance",
          attendance.map {
            .object(["scans": .number(Double($0.scans)), "distinct_cards": .number(Double($0.distinctCards))])
          }
            ?? .null
        ),
      ]))
  }

  // MARK: Text

  func text(_ result: StatsResult, selection: StatsPeriod.Selection, attendance: Attendance?) -> String {
    guard let fleet = result.fleet, let period = result.period else {
      return nothingYet(result, selection: selection)
    }
    var lines = [heading(period, result: result, selection: selection), ""]
    lines += table(result.devices, width: Terminal.width).render().split(separator: "\n").map(String.init)
    lines.append("")
    var count = "\(result.devices.count) device" + (result.devices.count == 1 ? "" : "s")
    if let attendance {
      count += "; attendance: \(attendance.scans) scans, \(attendance.distinctCards) distinct cards"
    }
    lines.append(count)
    var states = ["\(fleet.online) online", "\(fleet.offline) offline", "\(fleet.stale) stale"]
    if fleet.unknown > 0 { states.append("\(fleet.unknown) unknown") }
    lines.append(
      (filtered ? "Fleet (whole school, not filtered): " : "Fleet: ")
        + "uptime \(Self.percent(fleet.uptimePercent)) %, \(fleet.offlineIncidents) offline incident"
        + (fleet.offlineIncidents == 1 ? "" : "s") + "; at the end: " + states.joined(separator: ", "))
    if !result.missingDays.isEmpty {
      let shown = result.missingDays.prefix(5).map(StatsPeriod.label).joined(separator: ", ")
      let more = result.missingDays.count > 5 ? " and \(result.missingDays.count - 5) more" : ""
      lines.append("note: nothing summarised for \(shown)\(more) (the agent was not running then)")
    }
    let width = Terminal.width
    return lines.map { Terminal.wrap($0, width: width, indent: 2) }.joined(separator: "\n")
  }

  /// One line per device; where that is wider than the terminal, compact durations and kinds
  /// with the details on a line of their own under each device.
  private func table(_ devices: [DeviceUsage], width: Int?) -> TextTable {
    var wide = TextTable(
      headers: ["ID", "KIND", "ROOM", "ONLINE", "ON", "ACTIVE", "SESSIONS", "ENERGY kWh", "DETAILS"])
    var compact = TextTable(headers: ["ID", "KIND", "ROOM", "ONLINE", "ON", "ACTIVE", "SESS", "kWh"])
    for usage in devices {
      let switched = [DeviceKind.board, .projector, .plug].contains(usage.kind)
      func when(_ value: String) -> String { switched ? value : "-" }
      let detail = details(usage)
      wide.append([
        usage.id, usage.kind.rawValue, usage.room ?? "?", Self.duration(usage.onlineMs),
        when(Self.duration(usage.onMs)), when(Self.duration(usage.activeMs)), when(String(usage.sessions)),
        usage.energyKWh.map(Self.energy) ?? "-", detail,
      ])
      compact.append(
        [
          usage.id, usage.kind.shortLabel, usage.room ?? "?", Self.compactDuration(usage.onlineMs),
          when(Self.compactDuration(usage.onMs)), when(Self.compactDuration(usage.activeMs)),
          when(String(usage.sessions)), usage.energyKWh.map(Self.energy) ?? "-",
        ], note: detail.isEmpty ? nil : detail)
    }
    guard let width, wide.naturalWidth > width else { return wide }
    return compact
  }

  private func heading(_ period: Period, result: StatsResult, selection: StatsPeriod.Selection) -> String {
    let zone = "(\(calendar.zoneName))"
    switch selection {
    case .lastWindow:
      return "Window \(time(period.start))–\(time(period.end)) on \(calendar.dayLabel(period.start)) \(zone)"
    case .days(let first, let last):
      let dates =
        first == last ? StatsPeriod.label(first) : "\(StatsPeriod.label(first)) to \(StatsPeriod.label(last))"
      guard let until = result.coveredUntil, until < period.end else { return "\(dates) \(zone)" }
      return "\(dates) \(zone), summarised until \(calendar.dayLabel(until)) \(time(until))"
    }
  }

  private func nothingYet(_ result: StatsResult, selection: StatsPeriod.Selection) -> String {
    let how =
      "the agent summarises each \(calendar.windowMinutes)-minute window a minute after it ends."
    switch selection {
    case .lastWindow:
      return "No summarised window yet: \(how)"
    case .days(let first, let last):
      let dates =
        first == last ? StatsPeriod.label(first) : "\(StatsPeriod.label(first)) to \(StatsPeriod.label(last))"
      if let period = result.period, period.end <= now {
        return "No summaries for \(dates): the agent was not running then (\(how))"
      }
      return "No summaries for \(dates) yet: \(how)"
    }
  }

  /// `HH:MM` local.
  private func time(_ ms: EpochMillis) -> String {
    String(calendar.localISO(ms).dropFirst(11).prefix(5))
  }

  /// Env sensors: `co2 avg 850 max 1400 ppm (avg time-weighted), >1000: 35 min; …`; readers: `scans 120, cards 98`;
  /// projectors: the lamp counter; and offline incidents when there were any.
  private func details(_ usage: DeviceUsage) -> String {
    var parts: [String] = []
    if usage.kind == .envSensor {
      let shown = usage.metrics.filter { $0.value.count > 0 && !Self.housekeeping.contains($0.key) }
        .sorted {
          Self.rank($0.key) < Self.rank($1.key) || (Self.rank($0.key) == Self.rank($1.key) && $0.key < $1.key)
        }
      for (name, stats) in shown {
        let unit = Metrics.unit(of: name)
        // The time-weighted mean when the rows have it (schema 5 on), else the samples' mean.
        let mean = stats.timeWeightedMean ?? stats.mean
        var text = "\(name) avg \(Self.short(mean)) max \(Self.short(stats.max))"
        if !unit.isEmpty && unit != "bool" { text += " \(unit)" }
        if let above = stats.aboveMs {
          let limit = thresholds[name].map { ">\(Self.short($0))" } ?? "above limit"
          text += ", \(limit): \(Self.duration(above))"
        }
        parts.append(text)
      }
    }
    if usage.kind == .attendanceReader { parts.append("scans \(usage.scans), cards \(usage.distinctCards)") }
    if let lamp = usage.lampHours { parts.append("lamp \(Self.short(lamp)) h") }
    if usage.offlineIncidents > 0 {
      parts.append("\(usage.offlineIncidents) offline incident" + (usage.offlineIncidents == 1 ? "" : "s"))
    }
    return parts.joined(separator: "; ")
  }

  /// Metrics about the sensor itself rather than the room.
  private static let housekeeping: Set<String> = ["battery", "linkquality", "rssi", "occupancy"]

  private static func rank(_ metric: String) -> Int {
    Metrics.all.firstIndex { $0.name == metric } ?? Metrics.all.count
  }

  /// `2 h 35 min`, `35 min`, `40 s`, `0 min`; minutes rounded to the nearest.
  static func duration(_ ms: Int64) -> String {
    if ms <= 0 { return "0 min" }
    if ms < 60_000 { return "\(max(1, ms / 1000)) s" }
    let minutes = (ms + 30_000) / 60_000
    if minutes < 60 { return "\(minutes) min" }
    return minutes % 60 == 0 ? "\(minutes / 60) h" : "\(minutes / 60) h \(minutes % 60) min"
  }

  /// `8h05`, `35m`, `40s`, `0m`: `duration` in at most 6 columns.
  static func compactDuration(_ ms: Int64) -> String {
    if ms <= 0 { return "0m" }
    if ms < 60_000 { return "\(max(1, ms / 1000))s" }
    let minutes = (ms + 30_000) / 60_000
    if minutes < 60 { return "\(minutes)m" }
    let rest = minutes % 60
    return "\(minutes / 60)h\(rest < 10 ? "0" : "")\(rest)"
  }

  /// 850, 27.4: whole numbers from 100 up, one decimal below.
  static func short(_ value: Double) -> String {
    let rounded = abs(value) >= 100 ? value.rounded() : (value * 10).rounded() / 10
    return JSONWriter.compact(.number(rounded))
  }

  static func energy(_ kWh: Double) -> String {
    JSONWriter.compact(.number((kWh * 1000).rounded() / 1000))
  }

  static func percent(_ value: Double) -> String {
    JSONWriter.compact(.number((value * 10).rounded() / 10))
  }
}
