import Buffer
import DeviceModel
import Rollup
import SQLiteStore

/// Turns closed periods into summaries: reads the history (Buffer), rolls it up (Rollup), and in
/// one transaction stores the usage rows and queues the uplink message with its seq.
///
/// A window is summarised `graceMs` after it ends. Data that arrives later for a summarised
/// period (a device flushing its own buffer) is recorded by the writer in `late_ranges`; the
/// window is then summarised again in full and sent with the next `revision`, which the IOC
/// keeps instead of the earlier one. Nothing is ever added twice.
public final class Summariser {
  public struct Settings: Sendable {
    public var rollup: RollupSettings
    /// How long after a window's end it is summarised: time for in-flight data to arrive.
    public var graceMs: Int64
    /// Windows re-summarised per step when late data arrives, so one step stays short.
    public var maxWindowsPerStep: Int
    /// Late data is revised once it has stopped arriving for this long (a device flushing its
    /// buffer sends many batches: one revision for all of them), or at the latest after
    /// `lateMaxWaitMs`.
    public var lateSettleMs: Int64
    public var lateMaxWaitMs: Int64
    /// Largest summary message: a bigger one is sent in parts, so no message exceeds what the
    /// IOC broker accepts (EMQX's default packet limit is 1 MB).
    public var maxMessageBytes: Int
    /// How far back windows are caught up one by one after the agent was stopped (a box off for
    /// the holidays) or its clock jumped: windows older than this that hold no data at all are
    /// skipped as one "no data" stretch (logged, and kept in `meta['rollup.last_gap']`) instead of
    /// tens of thousands of empty summaries.
    public var maxCatchUpMs: Int64 = 86_400_000
    /// The school's timetable: with it, each summarised day also gets its lessons
    /// (`classgate.lesson_summary`); without it, none.
    public var timetable: Timetable?
    public init(
      rollup: RollupSettings, graceMs: Int64 = 60_000, maxWindowsPerStep: Int = 12,
      lateSettleMs: Int64 = 10_000, lateMaxWaitMs: Int64 = 300_000, maxMessageBytes: Int = 256 << 10
    ) {
      self.maxMessageBytes = maxMessageBytes
      self.rollup = rollup
      self.graceMs = graceMs
      self.maxWindowsPerStep = maxWindowsPerStep
      self.lateSettleMs = lateSettleMs
      self.lateMaxWaitMs = lateMaxWaitMs
    }
  }

  private let connection: Connection
  private let calendar: SchoolCalendar
  private let settings: Settings
  private let messages: UplinkMessages
  private let history: HistoryReader
  private let usage: UsageStore
  private let lessons: LessonStore
  /// nil without an IOC: usage is still stored for `classgate stats`, nothing is queued.
  private let outbox: Outbox?

  public init(
    connection: Connection, calendar: SchoolCalendar, settings: Settings, messages: UplinkMessages,
    outbox: Outbox?
  ) {
    self.connection = connection
    self.calendar = calendar
    self.settings = settings
    self.messages = messages
    history = HistoryReader(connection: connection)
    usage = UsageStore(connection: connection)
    lessons = LessonStore(connection: connection)
    self.outbox = outbox
  }

  /// Windows before this are summarised (what the writer compares new data with).
  public func summarisedUntil() throws -> EpochMillis? {
    try Meta.readInt(MetaKey.windowsSummarisedUntil, in: connection)
  }

  /// Does at most one unit of work (one window, one day, or a few late windows). Returns true
  /// when it did something, so the caller can give it another turn soon.
  @discardableResult
  public func step(now: EpochMillis) throws -> Bool {
    guard let windowsUntil = try startingPoint(now: now) else { return true }
    let next = calendar.window(containing: windowsUntil)
    if next.end + settings.graceMs <= now {
      if let resume = try skipEmptyStretch(from: next, now: now) {
        gapSkipped?(next.start, resume)
        return true
      }
      try connection.transaction {
        try summarise(.window, period: next, revision: 0, now: now)
        try Meta.write(MetaKey.windowsSummarisedUntil, String(next.end), in: connection)
      }
      return true
    }
    if let daysUntil = try Meta.readInt(MetaKey.daysSummarisedUntil, in: connection) {
      let day = calendar.day(containing: daysUntil)
      if day.end <= windowsUntil {
        try connection.transaction {
          // A day of a skipped stretch has no window at all: no empty day summary either.
          if day.end <= now - settings.maxCatchUpMs,
            try usage.periods(.window, from: day.start, to: day.end).isEmpty
          {
            try Meta.write(MetaKey.daysSummarisedUntil, String(day.end), in: connection)
            return
          }
          try summariseDay(day, revision: 0, now: now)
          try Meta.write(MetaKey.daysSummarisedUntil, String(day.end), in: connection)
        }
        return true
      }
    }
    return try reviseLateData(windowsUntil: windowsUntil, now: now)
  }

  /// Called with (from, to) when an empty stretch is skipped (the stage logs it).
  public var gapSkipped: ((EpochMillis, EpochMillis) -> Void)?

  // MARK: - Internals

  /// Far behind (older than `maxCatchUpMs`): skips to the first window with any data, or to the
  /// catch-up horizon when there is none. Returns where it resumed, nil when nothing is skipped.
  private func skipEmptyStretch(from next: Period, now: EpochMillis) throws -> EpochMillis? {
    let horizon = calendar.window(containing: now - settings.maxCatchUpMs).start
    guard next.start < horizon else { return nil }
    let firstData = try history.firstDataTime(from: next.start, to: horizon)
    let resume = firstData.map { calendar.window(containing: $0).start } ?? horizon
    guard resume > next.start else { return nil }
    try connection.transaction {
      try Meta.write(MetaKey.windowsSummarisedUntil, String(resume), in: connection)
      try Meta.write(MetaKey.lastGap, "\(next.start),\(resume)", in: connection)
    }
    return resume
  }

  /// The first run starts with the current window and day: history from before the agent (an
  /// upgraded store) is not sent as a flood of summaries. Returns nil after initialising.
  private func startingPoint(now: EpochMillis) throws -> EpochMillis? {
    if let until = try Meta.readInt(MetaKey.windowsSummarisedUntil, in: connection) { return until }
    try connection.transaction {
      try Meta.write(
        MetaKey.windowsSummarisedUntil, String(calendar.window(containing: now).start),
        in: connection)
      try Meta.write(
        MetaKey.daysSummarisedUntil, String(calendar.day(containing: now).start), in: connection)
    }
    return nil
  }

  private func summarise(_ kind: UsageStore.Kind, period: Period, revision: Int, now: EpochMillis)
    throws
  {
    // One device at a time: a dense window of a big school never sits in memory at once.
    var devices: [DeviceUsage] = []
    var fleet = FleetUsage()
    try history.forEachHistory(over: period, keepingCarry: kind == .window) { device in
      devices.append(Rollup.usage(of: device, over: period, settings: settings.rollup))
      fleet = Rollup.adding(fleet, Rollup.fleet([device], over: period, settings: settings.rollup))
    }
    try store(kind, period: period, revision: revision, devices: devices, fleet: fleet, now: now)
    if kind == .window {
      try updateDayToDate(after: period, revision: revision, devices: devices, fleet: fleet)
    }
  }

  /// Keeps "today so far" up to date for `classgate stats`: the to-date row plus this window when
  /// the window follows it, otherwise (a revision, a gap) the day's windows added up again.
  private func updateDayToDate(after window: Period, revision: Int, devices: [DeviceUsage], fleet: FleetUsage)
    throws
  {
    let day = calendar.day(containing: window.start)
    let daysUntil = try Meta.readInt(MetaKey.daysSummarisedUntil, in: connection) ?? 0
    guard day.start >= daysUntil else { return }  // the day row exists: nothing "to date"
    let header = try usage.periods(.dayToDate, from: day.start, to: day.start + 1).first
    var parts: [DeviceUsage]
    var fleets: [FleetUsage]
    let end = max(window.end, header?.period.end ?? window.end)
    if let header, header.period.end == window.start, revision == 0 {
      parts = try usage.deviceUsage(.dayToDate, from: day.start, to: day.start + 1).map(\.usage) + devices
      fleets = [header.fleet, fleet]
    } else {
      parts = try usage.deviceUsage(.window, from: day.start, to: end).map(\.usage)
      fleets = try usage.periods(.window, from: day.start, to: end).map(\.fleet)
    }
    var byDevice: [String: [DeviceUsage]] = [:]
    for part in parts { byDevice[part.id, default: []].append(part) }
    let cards = try usage.cardScansByDevice(from: day.start, to: end)
    var totals: [DeviceUsage] = []
    for (id, parts) in byDevice.sorted(by: { $0.key < $1.key }) {
      guard var total = Rollup.combine(parts) else { continue }
      if total.kind == .attendanceReader, let counted = cards[id] {
        total.distinctCards = min(counted.distinctCards, total.scans)
      }
      totals.append(total)
    }
    try usage.save(
      .dayToDate, period: Period(start: day.start, end: end), revision: 0, devices: totals,
      fleet: Rollup.combine(fleets), createdAt: end)
  }

  /// A day is its windows added up. A reader's scans and distinct cards are both counted from the
  /// day's scans, in one query: a window revised later cannot leave the day with more distinct
  /// cards than scans.
  private func summariseDay(_ day: Period, revision: Int, now: EpochMillis) throws {
    let rows = try usage.deviceUsage(.window, from: day.start, to: day.end)
    var byDevice: [String: [DeviceUsage]] = [:]
    for row in rows { byDevice[row.usage.id, default: []].append(row.usage) }
    let cards = try usage.cardScansByDevice(from: day.start, to: day.end)
    var devices: [DeviceUsage] = []
    for (id, parts) in byDevice.sorted(by: { $0.key < $1.key }) {
      guard var total = Rollup.combine(parts) else { continue }
      if total.kind == .attendanceReader {
        (total.scans, total.distinctCards) = cards[id] ?? (0, 0)
      }
      devices.append(total)
    }
    let fleet = Rollup.combine(try usage.periods(.window, from: day.start, to: day.end).map(\.fleet))
    try store(.day, period: day, revision: revision, devices: devices, fleet: fleet, now: now)
    try usage.delete(.dayToDate, startingAt: day.start)
    try summariseLessons(of: day, now: now)
  }

  /// The day's lessons, from the day's history (one snapshot: the caller's transaction), stored
  /// and queued with their own revision: a day revised for late data gets its lessons revised too.
  private func summariseLessons(of day: Period, now: EpochMillis) throws {
    guard let timetable = settings.timetable else { return }
    // One device's day at a time: a big school's day never sits in memory at once.
    var rollup = LessonRollup(day: day, timetable: timetable, calendar: calendar, settings: settings.rollup)
    try history.forEachHistory(over: day) { rollup.add($0) }
    let result = rollup.result()
    let revision = (try lessons.revision(ofDayStartingAt: day.start) ?? -1) + 1
    try lessons.save(result, revision: revision, createdAt: now)
    guard let outbox else { return }
    let threshold = settings.rollup.thresholds["co2"]
    let parts = messages.lessonParts(
      result.lessons, co2Threshold: threshold, maxBytes: settings.maxMessageBytes,
      outsideRooms: result.outside.count)
    for (index, part) in parts.enumerated() {
      try outbox.enqueue(lane: .summaries, topic: UplinkMessages.Topic.lessonSummary, createdAt: now) { seq in
        messages.lessonSummary(
          result, lessons: part, revision: revision, co2Threshold: threshold, seq: seq, createdAt: now,
          part: parts.count > 1 ? (index + 1, parts.count) : nil)
      }
    }
  }

  private func store(
    _ kind: UsageStore.Kind, period: Period, revision: Int, devices: [DeviceUsage],
    fleet: FleetUsage, now: EpochMillis
  ) throws {
    try usage.save(
      kind, period: period, revision: revision, devices: devices, fleet: fleet, createdAt: now)
    guard let outbox else { return }
    let parts = messages.summaryParts(
      devices, thresholds: settings.rollup.thresholds, maxBytes: settings.maxMessageBytes)
    for (index, part) in parts.enumerated() {
      try outbox.enqueue(lane: .summaries, topic: UplinkMessages.topic(for: kind), createdAt: now) { seq in
        messages.summary(
          kind, period: period, revision: revision, devices: part, fleet: fleet,
          thresholds: settings.rollup.thresholds, seq: seq, createdAt: now,
          part: parts.count > 1 ? (index + 1, parts.count) : nil)
      }
    }
  }

  /// Re-summarises the windows (then the days) that the oldest late range touches, a few
  /// windows per step; the range row is narrowed as it goes and deleted when done.
  private func reviseLateData(windowsUntil: EpochMillis, now: EpochMillis) throws -> Bool {
    guard try lateDataSettled(now: now) else { return false }
    let oldest = try connection.cachedStatement(
      sql:
        "SELECT id, from_ms, to_ms, coalesce(days_from_ms, from_ms) FROM late_ranges ORDER BY from_ms, id LIMIT 1"
    )
    guard try oldest.step() else { return false }
    let (id, from, to) = (oldest.int64(0), oldest.int64(1), min(oldest.int64(2), windowsUntil - 1))
    // Where the range began: `from` moves on as its windows are redone, the days start here.
    let daysFrom = min(oldest.int64(3), from)
    oldest.reset()
    try connection.transaction {
      var window = calendar.window(containing: from)
      var done = 0
      while window.start <= to && done < settings.maxWindowsPerStep {
        let revision = (try usage.revision(of: .window, startingAt: window.start) ?? -1) + 1
        try summarise(.window, period: window, revision: revision, now: now)
        window = calendar.window(containing: window.end)
        done += 1
      }
      if window.start <= to {
        try execute(
          "UPDATE late_ranges SET from_ms = ?, days_from_ms = ? WHERE id = ?", window.start, daysFrom, id)
        return
      }
      // Every late window is redone: now the days they belong to, once each.
      let daysUntil = try Meta.readInt(MetaKey.daysSummarisedUntil, in: connection) ?? 0
      var day = calendar.day(containing: min(daysFrom, to))
      while day.start <= to && day.end <= daysUntil {
        // Another late range in this day: the day is redone once that one's windows are.
        if try lateRangeOverlaps(day, except: id) {
          day = calendar.day(containing: day.end)
          continue
        }
        let revision = (try usage.revision(of: .day, startingAt: day.start) ?? -1) + 1
        try summariseDay(day, revision: revision, now: now)
        day = calendar.day(containing: day.end)
      }
      try execute("DELETE FROM late_ranges WHERE id = ?", id)
    }
    return true
  }

  private func lateRangeOverlaps(_ period: Period, except id: Int64) throws -> Bool {
    let statement = try connection.cachedStatement(
      sql: "SELECT 1 FROM late_ranges WHERE id != ? AND from_ms < ? AND to_ms >= ? LIMIT 1")
    statement.bind(id, at: 1)
    statement.bind(period.end, at: 2)
    statement.bind(period.start, at: 3)
    defer { statement.reset() }
    return try statement.step()
  }

  /// True when late data has stopped arriving for a while (or waited long enough). Ranges are
  /// then merged where they share a window, so each window is revised once.
  private func lateDataSettled(now: EpochMillis) throws -> Bool {
    let times = try connection.cachedStatement(
      sql: "SELECT min(noted_ms), max(noted_ms), count(*) FROM late_ranges")
    guard try times.step(), times.int(2) > 0 else {
      times.reset()
      return false
    }
    let (first, last, count) = (times.int64(0), times.int64(1), times.int(2))
    times.reset()
    guard now - last >= settings.lateSettleMs || now - first >= settings.lateMaxWaitMs else {
      return false
    }
    guard count > 1 else { return true }
    let ranges = try connection.cachedStatement(
      sql:
        "SELECT from_ms, to_ms, noted_ms, coalesce(days_from_ms, from_ms) FROM late_ranges ORDER BY from_ms")
    var merged: [(from: EpochMillis, to: EpochMillis, noted: EpochMillis, daysFrom: EpochMillis)] = []
    while try ranges.step() {
      let (from, to, noted, daysFrom) = (ranges.int64(0), ranges.int64(1), ranges.int64(2), ranges.int64(3))
      if let last = merged.last,
        calendar.window(containing: from).start <= calendar.window(containing: last.to).end
      {
        merged[merged.count - 1].to = max(last.to, to)
        merged[merged.count - 1].noted = min(last.noted, noted)
        merged[merged.count - 1].daysFrom = min(last.daysFrom, daysFrom)
      } else {
        merged.append((from, to, noted, min(from, daysFrom)))
      }
    }
    try connection.transaction {
      try execute("DELETE FROM late_ranges")
      for range in merged {
        try execute(
          "INSERT INTO late_ranges (from_ms, to_ms, noted_ms, days_from_ms) VALUES (?, ?, ?, ?)", range.from,
          range.to, range.noted, range.daysFrom)
      }
    }
    return true
  }

  private func execute(_ sql: String, _ values: Int64...) throws {
    let statement = try connection.cachedStatement(sql: sql)
    for (index, value) in values.enumerated() { statement.bind(value, at: Int32(index + 1)) }
    try statement.run()
  }
}

@available(*, unavailable)
extension Summariser: Sendable {}
