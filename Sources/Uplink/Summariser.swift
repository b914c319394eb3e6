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
  private let lateRanges: LateRanges
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
    lateRanges = LateRanges(connection: connection)
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
    let cards = try usage.cardScans(from: day.start, to: end).byDevice
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
    let cards = try usage.cardScans(from: day.start, to: day.end).byDevice
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
    guard try lateDataSettled(now: now), let oldest = try lateRanges.oldest() else { return false }
    let (id, from, to) = (oldest.id, oldest.from, min(oldest.to, windowsUntil - 1))
    // Where the range began: `from` moves on as its windows are redone, the days start here.
    let daysFrom = min(oldest.daysFrom, from)
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
        try lateRanges.narrow(id, from: window.start, daysFrom: daysFrom)
        return
      }
      // Every late window is redone: now the days they belong to, once each.
      let daysUntil = try Meta.readInt(MetaKey.daysSummarisedUntil, in: connection) ?? 0
      var day = calendar.day(containing: min(daysFrom, to))
      while day.start <= to && day.end <= daysUntil {
        // Another late range in this day: the day is redone once that one's windows are.
        if try lateRanges.overlap(from: day.start, to: day.end, except: id) {
          day = calendar.day(containing: day.end)
          continue
        }
        let revision = (try usage.revision(of: .day, startingAt: day.start) ?? -1) + 1
        try summariseDay(day, revision: revision, now: now)
        day = calendar.day(containing: day.end)
      }
      try lateRanges.delete(id)
    }
    return true
  }

  /// True when late data has stopped arriving for a while (or waited long enough). Ranges are
  /// then merged where they share a window, so each window is revised once.
  private func lateDataSettled(now: EpochMillis) throws -> Bool {
    guard let noted = try lateRanges.noted(),
      now - noted.last >= settings.lateSettleMs || now - noted.first >= settings.lateMaxWaitMs
    else { return false }
    guard noted.count > 1 else { return true }
    var merged: [LateRanges.Range] = []
    for range in try lateRanges.all() {
      if let last = merged.last,
        calendar.window(containing: range.from).start <= calendar.window(containing: last.to).end
      {
        merged[merged.count - 1].to = max(last.to, range.to)
        merged[merged.count - 1].notedAt = min(last.notedAt, range.notedAt)
        merged[merged.count - 1].daysFrom = min(last.daysFrom, range.daysFrom)
      } else {
        merged.append(range)
      }
    }
    try connection.transaction { try lateRanges.replaceAll(with: merged) }
    return true
  }
}

@available(*, unavailable)
extension Summariser: Sendable {}
