import DeviceModel
import SQLiteStore

/// Keeps the store under its cap (`store.max_mb`): SQLite refuses to grow the file past it
/// (`max_page_count`, so a full cap behaves like a full disk: commits fail and are retried, QoS 1
/// messages wait at the broker), and before that, from 90 % of the cap, the oldest data goes in
/// this order — raw readings first, summaries and the outbox last:
///
/// 1. raw readings of summarised periods, oldest first (their numbers live on in the usage rows);
/// 2. dead letters, then events (card scans included), then status history, oldest first;
/// 3. window usage rows older than a week (day rows stay), delivered outbox rows;
/// 4. only then undelivered outbox messages, oldest first — logged and counted, never silent.
///
/// Deleted pages are reused by SQLite, so "used" is pages in use, not the file's size.
public final class StoreCap {
  public struct Step: Sendable, Equatable {
    public var table: String
    public var rows: Int
  }

  public let maxBytes: Int64
  private let connection: Connection
  private let pageSize: Int64

  public init(connection: Connection, maxBytes: Int64) throws {
    self.connection = connection
    self.maxBytes = maxBytes
    pageSize = try connection.scalarInt(sql: "PRAGMA page_size") ?? 4096
    try Meta.write(MetaKey.storeMaxBytes, String(maxBytes), in: connection)
    // A PRAGMA takes no bound parameters; the value is a computed integer.
    try connection.execute(sql: "PRAGMA max_page_count = " + String(max(16, maxBytes / pageSize)))
  }

  /// Rows deleted so far, per table (`evicted.<table>` counters).
  public static func evictedCounts(in connection: Connection) throws -> [String: Int64] {
    let statement = try connection.cachedStatement(
      sql: "SELECT substr(name, 9), value FROM counters WHERE name LIKE 'evicted.%'")
    var counts: [String: Int64] = [:]
    while try statement.step() { counts[statement.text(0) ?? ""] = statement.int64(1) }
    return counts
  }

  /// Bytes in pages that hold data (the file minus its free pages).
  public func usedBytes() throws -> Int64 { try Self.usedBytes(of: connection) }

  /// The same for any connection (the CLI's read-only one).
  public static func usedBytes(of connection: Connection) throws -> Int64 {
    let pages = try connection.scalarInt(sql: "PRAGMA page_count") ?? 0
    let free = try connection.scalarInt(sql: "PRAGMA freelist_count") ?? 0
    return (pages - free) * (try connection.scalarInt(sql: "PRAGMA page_size") ?? 4096)
  }

  public var highWaterBytes: Int64 { maxBytes / 10 * 9 }
  public var lowWaterBytes: Int64 { maxBytes / 10 * 8 }

  /// When above 90 % of the cap, deletes the oldest data in the order above until under 80 %, at
  /// most `maxSteps` deletions per call (each its own short transaction). Returns what went.
  public func evictIfNeeded(summarisedUntil: EpochMillis?, now: EpochMillis, maxSteps: Int = 20)
    throws -> [Step]
  {
    guard try usedBytes() > highWaterBytes else { return [] }
    var steps: [Step] = []
    while steps.count < maxSteps, try usedBytes() > lowWaterBytes {
      guard let step = try evictOnce(summarisedUntil: summarisedUntil, now: now) else { break }
      steps.append(step)
      try connection.transaction {
        try Counters.add(step.rows, to: Counter.evicted(step.table), in: connection)
      }
    }
    return steps
  }

  /// One deletion, from the first table in the order that has something to give.
  private func evictOnce(summarisedUntil: EpochMillis?, now: EpochMillis) throws -> Step? {
    if let until = summarisedUntil, let rows = try evictReadings(before: until), rows > 0 {
      return Step(table: "readings", rows: rows)
    }
    for (table, sql) in Self.oldestFirst {
      let rows = try delete(sql, now: now)
      if rows > 0 { return Step(table: table, rows: rows) }
    }
    return nil
  }

  /// Oldest-first deletions after raw readings; each removes one chunk.
  static let oldestFirst: [(String, String)] = [
    (
      "dead_letters",
      "DELETE FROM dead_letters WHERE id IN (SELECT id FROM dead_letters ORDER BY id LIMIT 5000)"
    ),
    ("events", "DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY ts LIMIT 5000)"),
    (
      "status_changes",
      "DELETE FROM status_changes WHERE id IN (SELECT id FROM status_changes ORDER BY ts LIMIT 5000)"
    ),
    (
      "window_usage",
      "DELETE FROM usage_periods WHERE kind = 'window' AND start_ms < ?1 - 604800000 AND start_ms IN (SELECT start_ms FROM usage_periods WHERE kind = 'window' ORDER BY start_ms LIMIT 288)"
    ),
    (
      "delivered_outbox",
      "DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE delivered_ms IS NOT NULL ORDER BY seq LIMIT 5000)"
    ),
    (
      "undelivered_outbox",
      "DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE delivered_ms IS NULL ORDER BY seq LIMIT 500)"
    ),
  ]

  private func delete(_ sql: String, now: EpochMillis) throws -> Int {
    try connection.transaction {
      let statement = try connection.cachedStatement(sql: sql)
      if sql.contains("?1") { statement.bind(now, at: 1) }
      try statement.run()
      let rows = connection.changes
      if sql.contains("usage_periods") {
        // Their device and metric rows go with them.
        for table in ["device_usage", "metric_usage"] {
          let orphans = try connection.cachedStatement(
            sql: table == "device_usage"
              ? "DELETE FROM device_usage WHERE kind = 'window' AND start_ms NOT IN (SELECT start_ms FROM usage_periods WHERE kind = 'window')"
              : "DELETE FROM metric_usage WHERE kind = 'window' AND start_ms NOT IN (SELECT start_ms FROM usage_periods WHERE kind = 'window')"
          )
          try orphans.run()
        }
      }
      return rows
    }
  }

  /// The oldest six hours of raw readings, if they are summarised (whole chunks: a chunk that
  /// reaches past the cut stays, so what is kept has no hole).
  private func evictReadings(before until: EpochMillis) throws -> Int? {
    let log = ReadingLog(connection: connection)
    guard let range = try log.timeRange(), range.oldest < until else { return nil }
    let cutoff = min(until, range.oldest + 6 * 3_600_000)
    return try connection.transaction { try log.deleteReadings(before: cutoff) }
  }
}

@available(*, unavailable)
extension StoreCap: Sendable {}
