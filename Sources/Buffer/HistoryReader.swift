import DeviceModel
import SQLiteStore

/// Reads what a rollup needs about every device over a period: status timeline, each metric's
/// samples (plus the one before the period) and events. The readings come from one time-range
/// scan of the log; the sample before the period from `series_carry` (the last sample of the
/// series' previous summarised window) or, failing that, its latest value if that is older.
public final class HistoryReader {
  private let connection: Connection
  private let log: ReadingLog
  private var metricNames: [Int64: String] = [:]

  public init(connection: Connection) {
    self.connection = connection
    log = ReadingLog(connection: connection)
  }

  /// Devices known before the period's end, with their history inside it. A device's first data
  /// can be older than when ClassGate first heard of it (a device flushing its own buffer), so
  /// "first seen" is the earlier of the two.
  public func histories(over period: Period, device key: String? = nil) throws -> [DeviceHistory] {
    var histories: [DeviceHistory] = []
    try forEachHistory(over: period, device: key) { histories.append($0) }
    return histories
  }

  /// The same, one device at a time: memory is bounded by the busiest device, not the school.
  /// `keepingCarry`: also store each series' last sample as the next period's "before" (the
  /// summariser does, inside its transaction, for the windows it summarises).
  public func forEachHistory(
    over period: Period, device key: String? = nil, keepingCarry: Bool = false,
    _ body: (DeviceHistory) throws -> Void
  ) throws {
    try loadMetricNames()
    let devices = try connection.cachedStatement(
      sql: "SELECT id, key, kind, room, first_seen FROM devices WHERE ?1 IS NULL OR key = ?1 ORDER BY key")
    devices.bind(key, at: 1)
    var rows: [(id: Int64, history: DeviceHistory)] = []
    while try devices.step() {
      rows.append(
        (
          devices.int64(0),
          DeviceHistory(
            id: devices.text(1) ?? "", kind: DeviceKind(rawValue: devices.text(2) ?? "") ?? .other,
            room: devices.text(3), firstSeen: devices.int64(4))
        ))
    }
    let scanned = try log.entries(
      from: period.start, to: period.end, device: key == nil ? nil : rows.first?.id)
    var entriesByDevice: [Int64: [ReadingLog.Entry]] = [:]
    for entry in scanned { entriesByDevice[entry.device, default: []].append(entry) }
    for (id, device) in rows {
      var history = device
      try readStatus(device: id, period: period, into: &history)
      let carry = try readSeries(
        device: id, entries: entriesByDevice[id] ?? [], period: period, into: &history)
      if keepingCarry { try log.saveCarry(windowEnd: period.end, carry) }
      try readEvents(device: id, period: period, into: &history)
      let earliestData =
        history.series.values.compactMap { $0.before?.time ?? $0.samples.first?.time }
        + [history.events.first?.time].compactMap { $0 }
      history.firstSeen = ([history.firstSeen] + earliestData).min() ?? history.firstSeen
      if history.firstSeen < period.end { try body(history) }
    }
  }

  private func readStatus(device: Int64, period: Period, into history: inout DeviceHistory) throws {
    let before = try connection.cachedStatement(
      sql:
        "SELECT status FROM status_changes WHERE device = ? AND ts < ? ORDER BY ts DESC, id DESC LIMIT 1"
    )
    before.bind(device, at: 1)
    before.bind(period.start, at: 2)
    if try before.step() {
      history.statusAtStart = DeviceStatus(rawValue: before.text(0) ?? "") ?? .unknown
    }
    before.reset()  // an unfinished statement would hold a read snapshot open
    let inside = try connection.cachedStatement(
      sql:
        "SELECT ts, status FROM status_changes WHERE device = ? AND ts >= ? AND ts < ? ORDER BY ts, id"
    )
    inside.bind(device, at: 1)
    inside.bind(period.start, at: 2)
    inside.bind(period.end, at: 3)
    while try inside.step() {
      history.statusChanges.append(
        StatusPoint(
          time: inside.int64(0), status: DeviceStatus(rawValue: inside.text(1) ?? "") ?? .unknown))
    }
  }

  /// Fills the device's series; returns each series' last sample (for `keepingCarry`).
  private func readSeries(
    device: Int64, entries: [ReadingLog.Entry], period: Period, into history: inout DeviceHistory
  ) throws -> [(device: Int64, metric: Int64, sample: Sample)] {
    var samples: [Int64: [Sample]] = [:]
    for entry in entries {
      for (metric, value) in zip(entry.metrics, entry.values) {
        samples[metric, default: []].append(Sample(time: entry.time, value: value))
      }
    }
    let latest = try connection.cachedStatement(
      sql: "SELECT metric, ts, value FROM latest_values WHERE device = ?")
    latest.bind(device, at: 1)
    var latestBefore: [Int64: Sample] = [:]
    while try latest.step() {
      let sample = Sample(time: latest.int64(1), value: latest.double(2))
      latestBefore[latest.int64(0)] = sample.time < period.start ? sample : nil
      if samples[latest.int64(0)] == nil { samples[latest.int64(0)] = [] }
    }
    latest.reset()
    var carry: [(device: Int64, metric: Int64, sample: Sample)] = []
    for (metric, inside) in samples {
      guard let name = metricNames[metric] else { continue }
      var series = MetricSeries(samples: inside)
      let carried = try log.carry(device: device, metric: metric, before: period.start)
      series.before = [carried, latestBefore[metric]].compactMap { $0 }.max { $0.time < $1.time }
      if let last = series.samples.last ?? series.before { carry.append((device, metric, last)) }
      if series.before != nil || !series.samples.isEmpty { history.series[name] = series }
    }
    return carry
  }

  private func readEvents(device: Int64, period: Period, into history: inout DeviceHistory) throws {
    // Card ids were replaced by pseudonyms at ingest; `card` is where the decoder puts them.
    let events = try connection.cachedStatement(
      sql: """
        SELECT ts, type, card FROM events WHERE device = ? AND ts >= ? AND ts < ? ORDER BY ts, id
        """)
    events.bind(device, at: 1)
    events.bind(period.start, at: 2)
    events.bind(period.end, at: 3)
    while try events.step() {
      history.events.append(
        EventPoint(time: events.int64(0), type: events.text(1) ?? "", card: events.text(2)))
    }
  }

  /// The earliest time of any data (reading, event, status change) in `[from, to)`, or nil.
  public func firstDataTime(from: EpochMillis, to: EpochMillis) throws -> EpochMillis? {
    let statement = try connection.cachedStatement(
      sql: """
        SELECT min(t) FROM (
          SELECT min(ts) AS t FROM reading_log WHERE ts >= ?1 AND ts < ?2
          UNION ALL SELECT max(?1, min(start_ts)) FROM reading_chunks
            WHERE start_ts > ?1 - 3600000 AND start_ts < ?2 AND end_ts >= ?1
          UNION ALL SELECT min(ts) FROM events WHERE ts >= ?1 AND ts < ?2
          UNION ALL SELECT min(ts) FROM status_changes WHERE ts >= ?1 AND ts < ?2)
        """)
    statement.bind(from, at: 1)
    statement.bind(to, at: 2)
    defer { statement.reset() }
    guard try statement.step(), !statement.isNull(0) else { return nil }
    return statement.int64(0)
  }

  private func loadMetricNames() throws {
    let statement = try connection.cachedStatement(sql: "SELECT id, name FROM metrics")
    while try statement.step() {
      if let name = statement.text(1) { metricNames[statement.int64(0)] = name }
    }
  }
}
