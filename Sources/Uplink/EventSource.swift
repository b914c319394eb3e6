import Buffer
import DeviceModel
import SQLiteStore

/// Real-time events for the IOC, queued in the outbox in the same transaction that moves their
/// cursor, so each is queued exactly once:
/// - device status changes (online, offline, stale), followed by `status_changes.id`;
/// - threshold alerts: a metric with a threshold going above it, and back below it by a margin
///   (hysteresis, so a CO2 level hovering at the limit does not flap).
public final class EventSource {
  private let connection: Connection
  private let messages: UplinkMessages
  private let outbox: Outbox
  private let thresholds: [String: Double]
  /// An alert clears below threshold × (1 − hysteresis).
  private let hysteresis: Double

  public init(
    connection: Connection, messages: UplinkMessages, thresholds: [String: Double],
    hysteresis: Double = 0.05
  ) {
    self.connection = connection
    self.messages = messages
    outbox = Outbox(connection: connection)
    self.thresholds = thresholds
    self.hysteresis = hysteresis
  }

  /// Queues what happened since the last call; returns how many events were queued.
  @discardableResult
  public func collect(now: EpochMillis) throws -> Int {
    try connection.transaction { try statusEvents(now: now) + alerts(now: now) }
  }

  private func statusEvents(now: EpochMillis) throws -> Int {
    guard let cursor = try Meta.readInt(MetaKey.statusEventCursor, in: connection) else {
      // First run: history from before the uplink existed is not news.
      let newest = try connection.scalarInt(sql: "SELECT coalesce(max(id), 0) FROM status_changes")
      try Meta.write(MetaKey.statusEventCursor, String(newest ?? 0), in: connection)
      return 0
    }
    let changes = try connection.cachedStatement(
      sql: """
        SELECT s.id, s.ts, s.status, s.cause, d.key, d.kind, d.room
        FROM status_changes s JOIN devices d ON d.id = s.device
        WHERE s.id > ? ORDER BY s.id LIMIT 1000
        """)
    changes.bind(cursor, at: 1)
    var rows:
      [(id: Int64, time: EpochMillis, status: DeviceStatus, cause: String, ref: UplinkMessages.DeviceRef)] =
        []
    while try changes.step() {
      rows.append(
        (
          changes.int64(0), changes.int64(1),
          DeviceStatus(rawValue: changes.text(2) ?? "") ?? .unknown, changes.text(3) ?? "",
          UplinkMessages.DeviceRef(
            id: changes.text(4) ?? "", kind: DeviceKind(rawValue: changes.text(5) ?? "") ?? .other,
            room: changes.text(6))
        ))
    }
    guard let last = rows.last else { return 0 }
    var queued = 0
    for row in rows where row.status != .unknown {
      try outbox.enqueue(lane: .events, topic: UplinkMessages.Topic.events, createdAt: now) { seq in
        messages.statusEvent(
          device: row.ref, time: row.time, status: row.status, cause: row.cause, seq: seq,
          createdAt: now)
      }
      queued += 1
    }
    try Meta.write(MetaKey.statusEventCursor, String(last.id), in: connection)
    return queued
  }

  private func alerts(now: EpochMillis) throws -> Int {
    guard !thresholds.isEmpty else { return 0 }
    let latest = try connection.cachedStatement(
      sql: """
        SELECT v.device, v.metric, v.ts, v.value, m.name, d.key, d.kind, d.room, a.above
        FROM latest_values v JOIN metrics m ON m.id = v.metric JOIN devices d ON d.id = v.device
        LEFT JOIN alert_state a ON a.device = v.device AND a.metric = v.metric
        WHERE m.name IN (SELECT value FROM json_each(?))
        """)
    latest.bind("[" + thresholds.keys.sorted().map { "\"\($0)\"" }.joined(separator: ",") + "]", at: 1)
    struct Change {
      var device: Int64, metric: Int64, time: EpochMillis, value: Double, name: String
      var ref: UplinkMessages.DeviceRef, above: Bool, known: Bool
    }
    var changes: [Change] = []
    var unflushed = try ReadingLog(connection: connection).unflushedNewest()
    func consider(
      _ series: ReadingLog.SeriesID, _ sample: Sample, name: String, ref: UplinkMessages.DeviceRef,
      state: Int?
    ) {
      guard let threshold = thresholds[name] else { return }
      let known = state != nil
      let wasAbove = known && state != 0
      let isAbove = wasAbove ? sample.value > threshold * (1 - hysteresis) : sample.value > threshold
      guard !known || isAbove != wasAbove else { return }
      changes.append(
        Change(
          device: series.device, metric: series.metric, time: sample.time, value: sample.value,
          name: name, ref: ref, above: isAbove, known: known))
    }
    while try latest.step() {
      let series = ReadingLog.SeriesID(device: latest.int64(0), metric: latest.int64(1))
      var sample = Sample(time: latest.int64(2), value: latest.double(3))
      // Values the writer has not written to latest_values yet are newer.
      if let newer = unflushed.removeValue(forKey: series), newer.time >= sample.time { sample = newer }
      consider(
        series, sample, name: latest.text(4) ?? "",
        ref: UplinkMessages.DeviceRef(
          id: latest.text(5) ?? "", kind: DeviceKind(rawValue: latest.text(6) ?? "") ?? .other,
          room: latest.text(7)), state: latest.isNull(8) ? nil : latest.int(8))
    }
    latest.reset()
    // Series not in latest_values at all yet (new since the writer's last flush).
    let describe = try connection.cachedStatement(
      sql: """
        SELECT m.name, d.key, d.kind, d.room, a.above FROM metrics m JOIN devices d ON d.id = ?1
        LEFT JOIN alert_state a ON a.device = ?1 AND a.metric = m.id WHERE m.id = ?2
        """)
    for (series, sample) in unflushed {
      describe.bind(series.device, at: 1)
      describe.bind(series.metric, at: 2)
      if try describe.step() {
        consider(
          series, sample, name: describe.text(0) ?? "",
          ref: UplinkMessages.DeviceRef(
            id: describe.text(1) ?? "", kind: DeviceKind(rawValue: describe.text(2) ?? "") ?? .other,
            room: describe.text(3)), state: describe.isNull(4) ? nil : describe.int(4))
      }
      describe.reset()
    }
    var queued = 0
    let save = try connection.cachedStatement(
      sql: "INSERT OR REPLACE INTO alert_state (device, metric, above, since_ms) VALUES (?, ?, ?, ?)")
    for change in changes {
      save.bind(change.device, at: 1)
      save.bind(change.metric, at: 2)
      save.bind(change.above ? 1 : 0, at: 3)
      save.bind(change.time, at: 4)
      try save.run()
      // A metric seen for the first time below its threshold is the normal state, not news.
      guard change.known || change.above, let threshold = thresholds[change.name] else { continue }
      try outbox.enqueue(lane: .events, topic: UplinkMessages.Topic.events, createdAt: now) { seq in
        messages.thresholdAlert(
          device: change.ref, time: change.time, metric: change.name, value: change.value,
          threshold: threshold, above: change.above, seq: seq, createdAt: now)
      }
      queued += 1
    }
    return queued
  }
}

@available(*, unavailable)
extension EventSource: Sendable {}
