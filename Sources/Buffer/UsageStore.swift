import DeviceModel
import SQLiteStore

/// Pre-aggregated usage: one row per device per summarised period (windows and days), so
/// `classgate stats` for a month reads ~30 rows per device instead of millions of readings.
public final class UsageStore {
  /// The period kinds the rollup stage writes.
  public enum Kind: String, Sendable, CaseIterable {
    case window
    case day
    /// Today so far: the windows of a day not yet summarised, added up as each window is, so
    /// `classgate stats` reads one row per device for today instead of every window. Local only
    /// (never uplinked); replaced by the day row when the day is summarised.
    case dayToDate = "day_to_date"
  }

  /// Deletes a period's rows (a to-date row once its day is summarised).
  public func delete(_ kind: Kind, startingAt start: EpochMillis) throws {
    for sql in [
      "DELETE FROM device_usage WHERE kind = ? AND start_ms = ?",
      "DELETE FROM metric_usage WHERE kind = ? AND start_ms = ?",
      "DELETE FROM usage_periods WHERE kind = ? AND start_ms = ?",
    ] {
      let delete = try connection.cachedStatement(sql: sql)
      delete.bind(kind.rawValue, at: 1)
      delete.bind(start, at: 2)
      try delete.run()
    }
  }

  public struct PeriodRow: Sendable, Equatable {
    public var period: Period
    public var revision: Int
    public var fleet: FleetUsage
  }

  private let connection: Connection

  public init(connection: Connection) {
    self.connection = connection
  }

  /// The revision already stored for a period, or nil if it was never summarised.
  public func revision(of kind: Kind, startingAt start: EpochMillis) throws -> Int? {
    let statement = try connection.cachedStatement(
      sql: "SELECT revision FROM usage_periods WHERE kind = ? AND start_ms = ?")
    statement.bind(kind.rawValue, at: 1)
    statement.bind(start, at: 2)
    defer { statement.reset() }
    return try statement.step() ? statement.int(0) : nil
  }

  /// Replaces a period's rows. Call inside the caller's transaction (with the outbox insert).
  public func save(
    _ kind: Kind, period: Period, revision: Int, devices: [DeviceUsage], fleet: FleetUsage,
    createdAt: EpochMillis
  ) throws {
    for sql in [
      "DELETE FROM device_usage WHERE kind = ? AND start_ms = ?",
      "DELETE FROM metric_usage WHERE kind = ? AND start_ms = ?",
    ] {
      let delete = try connection.cachedStatement(sql: sql)
      delete.bind(kind.rawValue, at: 1)
      delete.bind(period.start, at: 2)
      try delete.run()
    }
    let header = try connection.cachedStatement(
      sql: """
        INSERT OR REPLACE INTO usage_periods (kind, start_ms, end_ms, revision, created_ms, online,
          offline, stale, unknown, offline_incidents, online_ms, observed_ms)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """)
    header.bind(kind.rawValue, at: 1)
    header.bind(period.start, at: 2)
    header.bind(period.end, at: 3)
    header.bind(revision, at: 4)
    header.bind(createdAt, at: 5)
    header.bind(fleet.online, at: 6)
    header.bind(fleet.offline, at: 7)
    header.bind(fleet.stale, at: 8)
    header.bind(fleet.unknown, at: 9)
    header.bind(fleet.offlineIncidents, at: 10)
    header.bind(fleet.onlineMs, at: 11)
    header.bind(fleet.observedMs, at: 12)
    try header.run()
    for usage in devices {
      guard let device = try deviceID(usage.id) else { continue }
      try insert(kind, start: period.start, device: device, usage: usage)
    }
  }

  /// The start of the oldest stored period of `kind`.
  public func oldestStart(_ kind: Kind) throws -> EpochMillis? {
    let statement = try connection.cachedStatement(
      sql: "SELECT min(start_ms) FROM usage_periods WHERE kind = ?")
    statement.bind(kind.rawValue, at: 1)
    defer { statement.reset() }
    return try statement.step() ? statement.optionalInt64(0) : nil
  }

  /// Stored periods of `kind` starting in [from, to), oldest first.
  public func periods(_ kind: Kind, from: EpochMillis, to: EpochMillis) throws -> [PeriodRow] {
    let statement = try connection.cachedStatement(
      sql: """
        SELECT start_ms, end_ms, revision, online, offline, stale, unknown, offline_incidents,
          online_ms, observed_ms
        FROM usage_periods WHERE kind = ? AND start_ms >= ? AND start_ms < ? ORDER BY start_ms
        """)
    statement.bind(kind.rawValue, at: 1)
    statement.bind(from, at: 2)
    statement.bind(to, at: 3)
    var rows: [PeriodRow] = []
    while try statement.step() {
      var fleet = FleetUsage()
      fleet.online = statement.int(3)
      fleet.offline = statement.int(4)
      fleet.stale = statement.int(5)
      fleet.unknown = statement.int(6)
      fleet.offlineIncidents = statement.int(7)
      fleet.onlineMs = statement.int64(8)
      fleet.observedMs = statement.int64(9)
      rows.append(
        PeriodRow(
          period: Period(start: statement.int64(0), end: statement.int64(1)),
          revision: statement.int(2), fleet: fleet))
    }
    return rows
  }

  /// Per-device usage of every stored period of `kind` starting in [from, to), optionally for
  /// one device or room, as (period start, usage) oldest first.
  public func deviceUsage(
    _ kind: Kind, from: EpochMillis, to: EpochMillis, device key: String? = nil,
    room: String? = nil
  ) throws -> [(start: EpochMillis, usage: DeviceUsage)] {
    let statement = try connection.cachedStatement(
      sql: """
        SELECT u.start_ms, d.key, d.kind, d.room, u.device, u.online_ms, u.on_ms, u.active_ms,
          u.sessions, u.energy_kwh, u.lamp_hours, u.scans, u.distinct_cards, u.offline_incidents
        FROM device_usage u JOIN devices d ON d.id = u.device
        WHERE u.kind = ?1 AND u.start_ms >= ?2 AND u.start_ms < ?3
          AND (?4 IS NULL OR d.key = ?4) AND (?5 IS NULL OR d.room = ?5)
        ORDER BY u.start_ms, d.key
        """)
    statement.bind(kind.rawValue, at: 1)
    statement.bind(from, at: 2)
    statement.bind(to, at: 3)
    statement.bind(key, at: 4)
    statement.bind(room, at: 5)
    var rows: [(start: EpochMillis, device: Int64, usage: DeviceUsage)] = []
    while try statement.step() {
      var usage = DeviceUsage(
        id: statement.text(1) ?? "", kind: DeviceKind(rawValue: statement.text(2) ?? "") ?? .other,
        room: statement.text(3))
      usage.onlineMs = statement.int64(5)
      usage.onMs = statement.int64(6)
      usage.activeMs = statement.int64(7)
      usage.sessions = statement.int(8)
      usage.energyKWh = statement.optionalDouble(9)
      usage.lampHours = statement.optionalDouble(10)
      usage.scans = statement.int(11)
      usage.distinctCards = statement.int(12)
      usage.offlineIncidents = statement.int(13)
      rows.append((statement.int64(0), statement.int64(4), usage))
    }
    let metrics = try metricStats(kind, from: from, to: to)
    return rows.map { start, device, usage in
      var usage = usage
      usage.metrics = metrics[MetricKey(start: start, device: device)] ?? [:]
      return (start, usage)
    }
  }

  /// Card scans over [from, to): per reader its scans and distinct cards, and the distinct cards
  /// over all of them (a card seen at two readers is one) — counted in one pass over the covering
  /// `(type, ts, device, card)` index, from one snapshot, so distinct cards never exceed scans.
  /// Readers without scans in the period are absent.
  public struct CardScans: Sendable {
    public var byDevice: [String: (scans: Int, distinctCards: Int)]
    public var distinctCards: Int
  }

  public func cardScans(
    from: EpochMillis, to: EpochMillis, device key: String? = nil, room: String? = nil
  ) throws -> CardScans {
    let readers = try connection.cachedStatement(
      sql: "SELECT id, key FROM devices WHERE (?1 IS NULL OR key = ?1) AND (?2 IS NULL OR room = ?2)")
    readers.bind(key, at: 1)
    readers.bind(room, at: 2)
    var keys: [Int64: String] = [:]
    while try readers.step() { keys[readers.int64(0)] = readers.text(1) ?? "" }
    readers.reset()
    let scans = try connection.cachedStatement(
      sql: "SELECT device, card FROM events WHERE type = 'card_scan' AND ts >= ?1 AND ts < ?2")
    scans.bind(from, at: 1)
    scans.bind(to, at: 2)
    defer { scans.reset() }
    var perDevice: [Int64: (scans: Int, cards: Set<String>)] = [:]
    var all = Set<String>()
    while try scans.step() {
      let device = scans.int64(0)
      guard keys[device] != nil else { continue }
      let card = scans.text(1)
      perDevice[device, default: (0, [])].scans += 1
      // A scan without a card (no privacy.secret_file) counts as a scan, not as a card.
      if let card {
        perDevice[device]?.cards.insert(card)
        all.insert(card)
      }
    }
    var byDevice: [String: (scans: Int, distinctCards: Int)] = [:]
    for (device, counts) in perDevice {
      if let key = keys[device] { byDevice[key] = (counts.scans, counts.cards.count) }
    }
    return CardScans(byDevice: byDevice, distinctCards: all.count)
  }

  // MARK: - Internals

  private struct MetricKey: Hashable {
    var start: EpochMillis
    var device: Int64
  }

  private func metricStats(_ kind: Kind, from: EpochMillis, to: EpochMillis) throws
    -> [MetricKey: [String: MetricStats]]
  {
    let statement = try connection.cachedStatement(
      sql: """
        SELECT u.start_ms, u.device, m.name, u.count, u.min, u.max, u.sum, u.above_ms, u.held_ms,
          u.held_sum
        FROM metric_usage u JOIN metrics m ON m.id = u.metric
        WHERE u.kind = ? AND u.start_ms >= ? AND u.start_ms < ?
        """)
    statement.bind(kind.rawValue, at: 1)
    statement.bind(from, at: 2)
    statement.bind(to, at: 3)
    var stats: [MetricKey: [String: MetricStats]] = [:]
    while try statement.step() {
      let key = MetricKey(start: statement.int64(0), device: statement.int64(1))
      stats[key, default: [:]][statement.text(2) ?? ""] = MetricStats(
        count: statement.int(3), min: statement.double(4), max: statement.double(5),
        sum: statement.double(6), aboveMs: statement.optionalInt64(7),
        heldMs: statement.optionalInt64(8) ?? 0, heldSum: statement.optionalDouble(9) ?? 0)
    }
    return stats
  }

  private func insert(_ kind: Kind, start: EpochMillis, device: Int64, usage: DeviceUsage) throws {
    let row = try connection.cachedStatement(
      sql: """
        INSERT INTO device_usage (kind, start_ms, device, online_ms, on_ms, active_ms, sessions,
          energy_kwh, lamp_hours, scans, distinct_cards, offline_incidents)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """)
    row.bind(kind.rawValue, at: 1)
    row.bind(start, at: 2)
    row.bind(device, at: 3)
    row.bind(usage.onlineMs, at: 4)
    row.bind(usage.onMs, at: 5)
    row.bind(usage.activeMs, at: 6)
    row.bind(usage.sessions, at: 7)
    row.bind(usage.energyKWh, at: 8)
    row.bind(usage.lampHours, at: 9)
    row.bind(usage.scans, at: 10)
    row.bind(usage.distinctCards, at: 11)
    row.bind(usage.offlineIncidents, at: 12)
    try row.run()
    for (name, stats) in usage.metrics {
      guard let metric = try metricID(name) else { continue }
      let statement = try connection.cachedStatement(
        sql: """
          INSERT INTO metric_usage (kind, start_ms, device, metric, count, min, max, sum, above_ms,
            held_ms, held_sum)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          """)
      statement.bind(kind.rawValue, at: 1)
      statement.bind(start, at: 2)
      statement.bind(device, at: 3)
      statement.bind(metric, at: 4)
      statement.bind(stats.count, at: 5)
      statement.bind(stats.min, at: 6)
      statement.bind(stats.max, at: 7)
      statement.bind(stats.sum, at: 8)
      statement.bind(stats.aboveMs, at: 9)
      statement.bind(stats.heldMs, at: 10)
      statement.bind(stats.heldSum, at: 11)
      try statement.run()
    }
  }

  private func deviceID(_ key: String) throws -> Int64? {
    let statement = try connection.cachedStatement(sql: "SELECT id FROM devices WHERE key = ?")
    statement.bind(key, at: 1)
    defer { statement.reset() }
    return try statement.step() ? statement.int64(0) : nil
  }

  private func metricID(_ name: String) throws -> Int64? {
    let statement = try connection.cachedStatement(sql: "SELECT id FROM metrics WHERE name = ?")
    statement.bind(name, at: 1)
    defer { statement.reset() }
    return try statement.step() ? statement.int64(0) : nil
  }
}
