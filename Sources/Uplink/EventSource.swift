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
  private let feed: EventFeed
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
    feed = EventFeed(connection: connection)
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
      try Meta.write(MetaKey.statusEventCursor, String(try feed.newestStatusChangeID()), in: connection)
      return 0
    }
    let changes = try feed.statusChanges(after: cursor)
    guard let last = changes.last else { return 0 }
    var queued = 0
    for change in changes where change.status != .unknown {
      try outbox.enqueue(lane: .events, topic: UplinkMessages.Topic.events, createdAt: now) { seq in
        messages.statusEvent(
          device: Self.ref(change.device), time: change.time, status: change.status, cause: change.cause,
          seq: seq, createdAt: now)
      }
      queued += 1
    }
    try Meta.write(MetaKey.statusEventCursor, String(last.id), in: connection)
    return queued
  }

  private func alerts(now: EpochMillis) throws -> Int {
    guard !thresholds.isEmpty else { return 0 }
    let states = try alertStates()
    var queued = 0
    for newest in try feed.newest(metrics: Array(thresholds.keys)) {
      guard let threshold = thresholds[newest.metric] else { continue }
      let state = states[newest.series]
      let known = state != nil
      let wasAbove = state ?? false
      let value = newest.sample.value
      let isAbove = wasAbove ? value > threshold * (1 - hysteresis) : value > threshold
      guard !known || isAbove != wasAbove else { continue }
      try saveAlertState(newest.series, above: isAbove, since: newest.sample.time)
      // A metric seen for the first time below its threshold is the normal state, not news.
      guard known || isAbove else { continue }
      try outbox.enqueue(lane: .events, topic: UplinkMessages.Topic.events, createdAt: now) { seq in
        messages.thresholdAlert(
          device: Self.ref(newest.device), time: newest.sample.time, metric: newest.metric, value: value,
          threshold: threshold, above: isAbove, seq: seq, createdAt: now)
      }
      queued += 1
    }
    return queued
  }

  // MARK: - alert_state, this type's own table

  private func alertStates() throws -> [ReadingLog.SeriesID: Bool] {
    let rows = try connection.cachedStatement(sql: "SELECT device, metric, above FROM alert_state")
    defer { rows.reset() }
    var states: [ReadingLog.SeriesID: Bool] = [:]
    while try rows.step() {
      states[ReadingLog.SeriesID(device: rows.int64(0), metric: rows.int64(1))] = rows.int(2) != 0
    }
    return states
  }

  private func saveAlertState(_ series: ReadingLog.SeriesID, above: Bool, since: EpochMillis) throws {
    let save = try connection.cachedStatement(
      sql: "INSERT OR REPLACE INTO alert_state (device, metric, above, since_ms) VALUES (?, ?, ?, ?)")
    save.bind(series.device, at: 1)
    save.bind(series.metric, at: 2)
    save.bind(above ? 1 : 0, at: 3)
    save.bind(since, at: 4)
    try save.run()
  }

  private static func ref(_ device: EventFeed.DeviceLabel) -> UplinkMessages.DeviceRef {
    UplinkMessages.DeviceRef(id: device.key, kind: device.kind, room: device.room)
  }
}

@available(*, unavailable)
extension EventSource: Sendable {}
