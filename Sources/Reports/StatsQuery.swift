import Buffer
import DeviceModel
import Rollup

/// What `classgate stats` found for a period.
public struct StatsResult {
  /// nil when nothing is summarised for the selection (or, for `--window`, at all).
  public var period: Period?
  public var devices: [DeviceUsage]
  public var fleet: FleetUsage?
  /// The end of the latest summarised period included (today is summarised up to here).
  public var coveredUntil: EpochMillis?
  /// Past local days of the period with no summary at all (the agent was not running).
  public var missingDays: [Int]
  /// Distinct cards over all the readers shown, when more than one period was added up (counted
  /// from the scans with the readers' own counts; nil: the largest reader's count is the answer).
  public var distinctCards: Int?

  public init(
    period: Period?, devices: [DeviceUsage], fleet: FleetUsage?, coveredUntil: EpochMillis?,
    missingDays: [Int], distinctCards: Int? = nil
  ) {
    self.distinctCards = distinctCards
    self.period = period
    self.devices = devices
    self.fleet = fleet
    self.coveredUntil = coveredUntil
    self.missingDays = missingDays
  }
}

/// Reads the summaries: day rows for whole days, window rows only for days not yet summarised
/// as a day (today). Never reads readings; distinct cards come from the scans themselves.
public struct StatsQuery {
  public let store: UsageStore
  public let calendar: SchoolCalendar
  public let device: String?
  public let room: String?
  public let kind: DeviceKind?

  public init(store: UsageStore, calendar: SchoolCalendar, device: String?, room: String?, kind: DeviceKind?)
  {
    self.store = store
    self.calendar = calendar
    self.device = device
    self.room = room
    self.kind = kind
  }

  public func run(
    _ selection: StatsPeriod.Selection, now: EpochMillis, windowsUntil: () throws -> EpochMillis?
  ) throws -> StatsResult {
    switch selection {
    case .lastWindow:
      guard let until = try windowsUntil(),
        let last = try store.periods(.window, from: until - 86_400_000, to: until).last
      else {
        return StatsResult(period: nil, devices: [], fleet: nil, coveredUntil: nil, missingDays: [])
      }
      let rows = try store.deviceUsage(
        .window, from: last.period.start, to: last.period.end, device: device, room: room)
      return StatsResult(
        period: last.period, devices: filtered(rows.map(\.usage)), fleet: last.fleet,
        coveredUntil: last.period.end, missingDays: [])
    case .days(let first, let last):
      return try days(first: first, last: last, now: now)
    }
  }

  private func days(first: Int, last: Int, now: EpochMillis) throws -> StatsResult {
    let period = Period(
      start: StatsPeriod.period(ofDay: first, calendar: calendar).start,
      end: StatsPeriod.period(ofDay: last, calendar: calendar).end)
    let dayRows = try store.periods(.day, from: period.start, to: period.end)
    var headers = dayRows.map { (period: $0.period, fleet: $0.fleet) }
    var parts = try store.deviceUsage(
      .day, from: period.start, to: period.end, device: device, room: room)
    // The stretches no day row covers (today, or a day whose summary is not written yet): windows.
    var gaps: [Period] = []
    var cursor = period.start
    for row in dayRows {
      if row.period.start > cursor { gaps.append(Period(start: cursor, end: row.period.start)) }
      cursor = max(cursor, row.period.end)
    }
    if cursor < period.end { gaps.append(Period(start: cursor, end: period.end)) }
    for var gap in gaps {
      // Today so far is one row per device (kept by the summariser), then any later windows.
      if let toDate = try store.periods(.dayToDate, from: gap.start, to: gap.start + 1).first,
        toDate.period.end <= gap.end
      {
        headers.append((period: toDate.period, fleet: toDate.fleet))
        parts += try store.deviceUsage(
          .dayToDate, from: gap.start, to: gap.start + 1, device: device, room: room)
        gap = Period(start: toDate.period.end, end: gap.end)
        guard gap.start < gap.end else { continue }
      }
      let windows = try store.periods(.window, from: gap.start, to: gap.end)
      guard !windows.isEmpty else { continue }
      headers += windows.map { (period: $0.period, fleet: $0.fleet) }
      parts += try store.deviceUsage(.window, from: gap.start, to: gap.end, device: device, room: room)
    }
    headers.sort { $0.period.start < $1.period.start }
    // Past days with no summary at all (headers are sorted and do not overlap: one sweep).
    var missing: [Int] = []
    var index = 0
    for day in first...last {
      let span = StatsPeriod.period(ofDay: day, calendar: calendar)
      guard span.end <= now else { break }
      while index < headers.count && headers[index].period.end <= span.start { index += 1 }
      if index == headers.count || headers[index].period.start >= span.end { missing.append(day) }
    }
    guard let coveredUntil = headers.map(\.period.end).max() else {
      return StatsResult(period: period, devices: [], fleet: nil, coveredUntil: nil, missingDays: missing)
    }

    var byDevice: [String: [(start: EpochMillis, usage: DeviceUsage)]] = [:]
    for part in parts { byDevice[part.usage.id, default: []].append(part) }
    var distinctCards: Int?
    var devices = filtered(
      byDevice.values.compactMap { rows in Rollup.combine(rows.sorted { $0.start < $1.start }.map(\.usage)) })
    if headers.count > 1 && devices.contains(where: { $0.kind == .attendanceReader }) {
      // Never summed: a card scanned on two days is one card, so they are counted from the scans
      // (all readers in one pass). Old scans may have been deleted (privacy.scan_retention_days):
      // the count is never below the largest single period's.
      // Scans not yet in a summary (late data) are left out of both, so cards ≤ scans holds.
      let counted = try store.cardScans(from: period.start, to: coveredUntil, device: device, room: room)
      for index in devices.indices where devices[index].kind == .attendanceReader {
        let cards = max(counted.byDevice[devices[index].id]?.distinctCards ?? 0, devices[index].distinctCards)
        devices[index].distinctCards = min(cards, devices[index].scans)
      }
      distinctCards = counted.distinctCards
    }
    return StatsResult(
      period: period, devices: devices, fleet: Rollup.combine(headers.map(\.fleet)),
      coveredUntil: coveredUntil, missingDays: missing, distinctCards: distinctCards)
  }

  /// `--kind`, then the order `classgate devices` uses: by room, then id.
  private func filtered(_ devices: [DeviceUsage]) -> [DeviceUsage] {
    devices.filter { kind == nil || $0.kind == kind }
      .sorted { ($0.room ?? "~", $0.id) < ($1.room ?? "~", $1.id) }
  }
}

extension StatsQuery {
  /// As `run`; nothing summarised for a store the agent has not opened since the upgrade that
  /// added the summary tables.
  public func runIfSummarised(
    _ selection: StatsPeriod.Selection, now: EpochMillis, windowsUntil: () throws -> EpochMillis?
  ) throws -> StatsResult {
    do {
      return try run(selection, now: now, windowsUntil: windowsUntil)
    } catch let error where MissingTable.matches(error) {
      return StatsResult(period: nil, devices: [], fleet: nil, coveredUntil: nil, missingDays: [])
    }
  }
}

/// SQLite's error for a table an older store does not have yet.
enum MissingTable {
  static func matches(_ error: any Error) -> Bool { "\(error)".contains("no such table") }
}
