import DeviceModel
import SQLiteStore

/// Reads what a rollup needs about every device over a period: status timeline, each metric's
/// samples (plus the one before the period) and events. One seek per series through the primary
/// key, so a 5-minute window of a 300-device school costs a few thousand index lookups.
public final class HistoryReader {
  private let connection: Connection
  private var metricNames: [Int64: String] = [:]

  public init(connection: Connection) {
    self.connection = connection
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
  public func forEachHistory(
    over period: Period, device key: String? = nil, _ body: (DeviceHistory) throws -> Void
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
    for (id, device) in rows {
      var history = device
      try readStatus(device: id, period: period, into: &history)
      try readSeries(device: id, period: period, into: &history)
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

  private func readSeries(device: Int64, period: Period, into history: inout DeviceHistory) throws {
    let metrics = try connection.cachedStatement(
      sql: "SELECT metric FROM latest_values WHERE device = ?")
    metrics.bind(device, at: 1)
    var ids: [Int64] = []
    while try metrics.step() { ids.append(metrics.int64(0)) }
    let before = try connection.cachedStatement(
      sql:
        "SELECT ts, value FROM readings WHERE device = ? AND metric = ? AND ts < ? ORDER BY ts DESC LIMIT 1"
    )
    let inside = try connection.cachedStatement(
      sql:
        "SELECT ts, value FROM readings WHERE device = ? AND metric = ? AND ts >= ? AND ts < ? ORDER BY ts"
    )
    for metric in ids {
      guard let name = metricNames[metric] else { continue }
      var series = MetricSeries()
      before.bind(device, at: 1)
      before.bind(metric, at: 2)
      before.bind(period.start, at: 3)
      if try before.step() { series.before = Sample(time: before.int64(0), value: before.double(1)) }
      before.reset()
      inside.bind(device, at: 1)
      inside.bind(metric, at: 2)
      inside.bind(period.start, at: 3)
      inside.bind(period.end, at: 4)
      while try inside.step() {
        series.samples.append(Sample(time: inside.int64(0), value: inside.double(1)))
      }
      inside.reset()
      if series.before != nil || !series.samples.isEmpty { history.series[name] = series }
    }
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

  private func loadMetricNames() throws {
    let statement = try connection.cachedStatement(sql: "SELECT id, name FROM metrics")
    while try statement.step() {
      if let name = statement.text(1) { metricNames[statement.int64(0)] = name }
    }
  }
}
