import DeviceModel
import SQLiteStore

/// Raw readings, the bulk of the store, in two tables that are only ever appended to
/// (docs/storage.md):
/// - `reading_log`: one row per message (device, time, packed values) in arrival order. A commit
///   appends rows at the end of the table and of its time index: a few pages, whatever the number
///   of devices and metrics.
/// - `reading_chunks`: every few minutes the committed log rows are compacted into one row per
///   device and hour (times as deltas), which is what makes a reading cost a few bytes on disk.
/// Readers read both; nothing in them depends on whether a row was compacted yet.
public final class ReadingLog {
  /// A chunk holds readings of one clock hour (UTC) of one device, so a time range finds its
  /// chunks through `start_ts` alone.
  static let chunkSpanMs: Int64 = 3_600_000

  private let connection: Connection
  private var appendStatement: Statement?

  public init(connection: Connection) {
    self.connection = connection
  }

  /// Schema 4's new tables (with the outbox's set-aside messages, which came with it).
  static let schema = """
    CREATE TABLE IF NOT EXISTS reading_log (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, data BLOB NOT NULL);
    CREATE INDEX IF NOT EXISTS reading_log_by_time ON reading_log (ts);
    CREATE TABLE IF NOT EXISTS reading_chunks (
      id INTEGER PRIMARY KEY,
      device INTEGER NOT NULL,
      start_ts INTEGER NOT NULL,
      end_ts INTEGER NOT NULL,
      data BLOB NOT NULL
    );
    CREATE INDEX IF NOT EXISTS reading_chunks_by_time ON reading_chunks (start_ts);
    CREATE TABLE IF NOT EXISTS outbox_set_aside (
      seq INTEGER PRIMARY KEY,
      lane TEXT NOT NULL,
      topic TEXT NOT NULL,
      payload BLOB NOT NULL,
      created_ms INTEGER NOT NULL,
      set_aside_ms INTEGER NOT NULL,
      reason TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS series_carry (
      device INTEGER NOT NULL,
      metric INTEGER NOT NULL,
      window_start INTEGER NOT NULL,
      ts INTEGER NOT NULL,
      value REAL NOT NULL,
      PRIMARY KEY (device, metric, window_start)
    ) WITHOUT ROWID;
    """

  // MARK: - Writing

  /// Appends one entry as row `id`. Call inside the writer's transaction. The writer numbers the
  /// rows itself: compaction can empty the table (a quiet school at night), and SQLite would then
  /// start again at 1, below `log.flushed_through`, so a tail written after it would be skipped.
  func append(_ entry: LogEntry, id: Int64) throws {
    // Held, not looked up by its SQL text: this runs once per message.
    if appendStatement == nil {
      appendStatement = try connection.cachedStatement(
        sql: "INSERT INTO reading_log (id, ts, data) VALUES (?, ?, ?)")
    }
    guard let insert = appendStatement else { return }
    insert.bind(id, at: 1)
    insert.bind(entry.time, at: 2)
    insert.bind(blob: entry.encoded(), at: 3)
    try insert.run()
  }

  /// Whether a reading of this series at exactly this time is stored (a redelivery). Only asked
  /// for a reading not newer than its series' newest, so in-order data never pays for it.
  func contains(device: Int64, metric: Int64, time: EpochMillis) throws -> Bool {
    let hot = try connection.cachedStatement(sql: "SELECT data FROM reading_log WHERE ts = ?")
    hot.bind(time, at: 1)
    defer { hot.reset() }
    while try hot.step() {
      if let entry = LogEntry(time: time, bytes: hot.blob(0)), entry.device == device,
        entry.values.contains(where: { $0.metric == metric })
      {
        return true
      }
    }
    let chunks = try connection.cachedStatement(
      sql: """
        SELECT start_ts, data FROM reading_chunks
        WHERE start_ts > ?1 - ?3 AND start_ts <= ?1 AND end_ts >= ?1 AND device = ?2
        """)
    chunks.bind(time, at: 1)
    chunks.bind(device, at: 2)
    chunks.bind(Self.chunkSpanMs, at: 3)
    defer { chunks.reset() }
    while try chunks.step() {
      let entries = ChunkCodec.decode(device: device, start: chunks.int64(0), chunks.blob(1)) ?? []
      if entries.contains(where: { $0.time == time && $0.values.contains { $0.metric == metric } }) {
        return true
      }
    }
    return false
  }

  // MARK: - Reading

  /// Every entry with a time in `[from, to)`, optionally of one device, ordered by time.
  public func entries(from: EpochMillis, to: EpochMillis, device: Int64? = nil) throws -> [Entry] {
    var result: [Entry] = []
    let hot = try connection.cachedStatement(
      sql: "SELECT ts, data FROM reading_log WHERE ts >= ? AND ts < ? ORDER BY ts, id")
    hot.bind(from, at: 1)
    hot.bind(to, at: 2)
    while try hot.step() {
      guard let entry = LogEntry(time: hot.int64(0), bytes: hot.blob(1)) else { continue }
      if device == nil || entry.device == device { result.append(Entry(entry)) }
    }
    hot.reset()
    let chunks = try connection.cachedStatement(
      sql: """
        SELECT device, start_ts, data FROM reading_chunks
        WHERE start_ts > ?1 - ?4 AND start_ts < ?2 AND end_ts >= ?1
          AND (?3 IS NULL OR device = ?3)
        """)
    chunks.bind(from, at: 1)
    chunks.bind(to, at: 2)
    chunks.bind(device, at: 3)
    chunks.bind(Self.chunkSpanMs, at: 4)
    var fromChunks = false
    while try chunks.step() {
      let entries = ChunkCodec.decode(device: chunks.int64(0), start: chunks.int64(1), chunks.blob(2)) ?? []
      for entry in entries where entry.time >= from && entry.time < to {
        result.append(Entry(entry))
        fromChunks = true
      }
    }
    chunks.reset()
    if fromChunks { result.sort { $0.time < $1.time } }
    return result
  }

  /// Log rows after `id` (those whose latest values and `last_seen` may not be written yet).
  public func entries(afterID id: Int64) throws -> [Entry] {
    let tail = try connection.cachedStatement(
      sql: "SELECT ts, data, id FROM reading_log WHERE id > ? ORDER BY id")
    tail.bind(id, at: 1)
    defer { tail.reset() }
    var result: [Entry] = []
    while try tail.step() {
      guard let entry = LogEntry(time: tail.int64(0), bytes: tail.blob(1)) else { continue }
      var decoded = Entry(entry)
      decoded.id = tail.int64(2)
      result.append(decoded)
    }
    return result
  }

  /// The newest sample per (device, metric) among the log rows the writer has not yet reflected
  /// in `latest_values` (it writes those every few seconds).
  public func unflushedNewest() throws -> [SeriesID: Sample] {
    let flushed = try Meta.readInt(MetaKey.logFlushedThrough, in: connection) ?? 0
    var newest: [SeriesID: Sample] = [:]
    for entry in try entries(afterID: flushed) {
      for (metric, value) in zip(entry.metrics, entry.values) {
        let key = SeriesID(device: entry.device, metric: metric)
        if (newest[key]?.time ?? .min) <= entry.time { newest[key] = Sample(time: entry.time, value: value) }
      }
    }
    return newest
  }

  public struct SeriesID: Hashable, Sendable {
    public var device: Int64
    public var metric: Int64
    public init(device: Int64, metric: Int64) {
      self.device = device
      self.metric = metric
    }
  }

  public func lastID() throws -> Int64 {
    try connection.scalarInt(sql: "SELECT max(id) FROM reading_log") ?? 0
  }

  /// Readings stored, optionally of one device (tests, benchmarks, diagnostics: reads everything).
  public func readingCount(device: Int64? = nil) throws -> Int {
    try entries(from: .min, to: .max, device: device).reduce(0) { $0 + $1.values.count }
  }

  /// Oldest and newest reading time, or nil when empty.
  public func timeRange() throws -> (oldest: EpochMillis, newest: EpochMillis)? {
    let statement = try connection.cachedStatement(
      sql: """
        SELECT min(t), max(t) FROM (
          SELECT min(ts) AS t FROM reading_log UNION ALL SELECT max(ts) FROM reading_log
          UNION ALL SELECT min(start_ts) FROM reading_chunks UNION ALL SELECT max(end_ts) FROM reading_chunks)
        """)
    defer { statement.reset() }
    guard try statement.step(), !statement.isNull(0) else { return nil }
    return (statement.int64(0), statement.int64(1))
  }

  /// One decoded entry: a device's readings at one time.
  public struct Entry: Sendable, Equatable {
    /// The log row's id (0 for an entry read from a chunk).
    public var id: Int64 = 0
    public var device: Int64
    public var time: EpochMillis
    public var receivedAt: EpochMillis
    public var metrics: [Int64]
    public var values: [Double]

    init(_ entry: LogEntry) {
      device = entry.device
      time = entry.time
      receivedAt = entry.receivedAt
      metrics = entry.values.map(\.metric)
      values = entry.values.map(\.value)
    }
  }

  // MARK: - Compaction and eviction

  /// Moves log rows up to `throughID` (at most `limit` of them, oldest first) into chunks, in one
  /// transaction. Returns how many rows it moved.
  @discardableResult
  public func compact(throughID: Int64, limit: Int = 20_000) throws -> Int {
    try connection.transaction {
      let rows = try connection.cachedStatement(
        sql: "SELECT id, ts, data FROM reading_log WHERE id <= ? ORDER BY id LIMIT ?")
      rows.bind(throughID, at: 1)
      rows.bind(limit, at: 2)
      var lastID: Int64 = 0
      var groups: [ChunkKey: [LogEntry]] = [:]
      var moved = 0
      while try rows.step() {
        lastID = rows.int64(0)
        moved += 1
        guard let entry = LogEntry(time: rows.int64(1), bytes: rows.blob(2)) else { continue }
        let hour = entry.time - ((entry.time % Self.chunkSpanMs) + Self.chunkSpanMs) % Self.chunkSpanMs
        groups[ChunkKey(device: entry.device, hour: hour), default: []].append(entry)
      }
      rows.reset()
      guard moved > 0 else { return 0 }
      let insert = try connection.cachedStatement(
        sql: "INSERT INTO reading_chunks (device, start_ts, end_ts, data) VALUES (?, ?, ?, ?)")
      for key in groups.keys.sorted(by: { ($0.hour, $0.device) < ($1.hour, $1.device) }) {
        let entries = groups[key, default: []].sorted { $0.time < $1.time }
        guard let first = entries.first, let last = entries.last else { continue }
        insert.bind(key.device, at: 1)
        insert.bind(first.time, at: 2)
        insert.bind(last.time, at: 3)
        insert.bind(blob: ChunkCodec.encode(start: first.time, entries), at: 4)
        try insert.run()
      }
      let delete = try connection.cachedStatement(sql: "DELETE FROM reading_log WHERE id <= ?")
      delete.bind(lastID, at: 1)
      try delete.run()
      return moved
    }
  }

  private struct ChunkKey: Hashable {
    var device: Int64
    var hour: EpochMillis
  }

  /// Deletes raw readings older than `cutoff` (whole chunks and log rows); returns how many
  /// readings went. Call inside a transaction.
  func deleteReadings(before cutoff: EpochMillis) throws -> Int {
    var readings = 0
    let oldChunks = try connection.cachedStatement(
      sql: "SELECT data FROM reading_chunks WHERE start_ts < ?1 AND end_ts < ?1")
    oldChunks.bind(cutoff, at: 1)
    while try oldChunks.step() {
      readings += (ChunkCodec.decode(device: 0, start: 0, oldChunks.blob(0)) ?? []).reduce(0) {
        $0 + $1.values.count
      }
    }
    oldChunks.reset()
    try execute("DELETE FROM reading_chunks WHERE start_ts < ?1 AND end_ts < ?1", cutoff)
    let oldRows = try connection.cachedStatement(sql: "SELECT ts, data FROM reading_log WHERE ts < ?")
    oldRows.bind(cutoff, at: 1)
    while try oldRows.step() {
      readings += LogEntry(time: oldRows.int64(0), bytes: oldRows.blob(1))?.values.count ?? 0
    }
    oldRows.reset()
    try execute("DELETE FROM reading_log WHERE ts < ?1", cutoff)
    return readings
  }

  // MARK: - The sample before a window

  /// Keeps each series' last sample of the window that ends at `windowEnd`: the next window's
  /// "before". Call inside the summariser's transaction.
  public func saveCarry(windowEnd: EpochMillis, _ samples: [(device: Int64, metric: Int64, sample: Sample)])
    throws
  {
    let insert = try connection.cachedStatement(
      sql:
        "INSERT OR REPLACE INTO series_carry (device, metric, window_start, ts, value) VALUES (?, ?, ?, ?, ?)"
    )
    for (device, metric, sample) in samples {
      insert.bind(device, at: 1)
      insert.bind(metric, at: 2)
      insert.bind(windowEnd, at: 3)
      insert.bind(sample.time, at: 4)
      insert.bind(sample.value, at: 5)
      try insert.run()
    }
  }

  /// The newest carried sample of a series from a window ending at or before `start`.
  public func carry(device: Int64, metric: Int64, before start: EpochMillis) throws -> Sample? {
    let statement = try connection.cachedStatement(
      sql: """
        SELECT ts, value FROM series_carry WHERE device = ? AND metric = ? AND window_start <= ?
        ORDER BY window_start DESC LIMIT 1
        """)
    statement.bind(device, at: 1)
    statement.bind(metric, at: 2)
    statement.bind(start, at: 3)
    defer { statement.reset() }
    guard try statement.step() else { return nil }
    return Sample(time: statement.int64(0), value: statement.double(1))
  }

  /// Carried samples older than `cutoff` serve no revision any more.
  public func deleteCarry(before cutoff: EpochMillis) throws {
    try execute("DELETE FROM series_carry WHERE window_start < ?1", cutoff)
  }

  private func execute(_ sql: String, _ value: Int64) throws {
    let statement = try connection.cachedStatement(sql: sql)
    statement.bind(value, at: 1)
    try statement.run()
  }
}

@available(*, unavailable)
extension ReadingLog: Sendable {}
