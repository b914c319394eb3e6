import DeviceModel
import SQLiteStore

/// Moves a schema-3 store's `readings` (one row per reading) into `reading_chunks`, one device
/// per transaction: a crash leaves every reading either still in `readings` or already in a
/// chunk, never both and never neither, and the next start goes on with the devices left.
enum LegacyReadings {
  /// `maxDevices`: stop after that many (tests: an upgrade cut short).
  static func move(in connection: Connection, maxDevices: Int = .max) throws {
    try connection.transaction { try connection.execute(sql: ReadingLog.schema) }
    let exists = try connection.scalarInt(
      sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'readings'")
    guard exists == 1 else { return }
    var moved = 0
    while moved < maxDevices,
      let device = try connection.scalarInt(sql: "SELECT device FROM readings LIMIT 1")
    {
      try connection.transaction { try moveDevice(device, in: connection) }
      moved += 1
    }
  }

  private static func moveDevice(_ device: Int64, in connection: Connection) throws {
    // Primary-key order: per metric, by time. Regrouped here by time, as the log keeps them.
    let rows = try connection.makeStatement(
      sql: "SELECT metric, ts, value FROM readings WHERE device = ? ORDER BY metric, ts")
    rows.bind(device, at: 1)
    var byTime: [EpochMillis: [(metric: Int64, value: Double)]] = [:]
    while try rows.step() {
      byTime[rows.int64(1), default: []].append((rows.int64(0), rows.double(2)))
    }
    let entries = byTime.keys.sorted().map {
      LogEntry(device: device, time: $0, receivedAt: $0, values: byTime[$0] ?? [])
    }
    let insert = try connection.makeStatement(
      sql: "INSERT INTO reading_chunks (device, start_ts, end_ts, data) VALUES (?, ?, ?, ?)")
    var start = 0
    while start < entries.count {
      let hour = floorHour(entries[start].time)
      var end = start
      while end < entries.count, floorHour(entries[end].time) == hour { end += 1 }
      let chunk = Array(entries[start..<end])
      insert.bind(device, at: 1)
      insert.bind(chunk[0].time, at: 2)
      insert.bind(chunk[chunk.count - 1].time, at: 3)
      insert.bind(blob: ChunkCodec.encode(start: chunk[0].time, chunk), at: 4)
      try insert.run()
      start = end
    }
    // Each series' newest reading is its latest value (what the writer's duplicate check starts from).
    let latest = try connection.makeStatement(
      sql: """
        INSERT INTO latest_values (device, metric, ts, value)
        SELECT device, metric, ts, value FROM readings r WHERE device = ?1
          AND ts = (SELECT max(ts) FROM readings WHERE device = r.device AND metric = r.metric)
        ON CONFLICT (device, metric) DO UPDATE SET ts = excluded.ts, value = excluded.value
        WHERE excluded.ts > latest_values.ts
        """)
    latest.bind(device, at: 1)
    try latest.run()
    let delete = try connection.makeStatement(sql: "DELETE FROM readings WHERE device = ?")
    delete.bind(device, at: 1)
    try delete.run()
  }

  private static func floorHour(_ time: EpochMillis) -> EpochMillis {
    let span = ReadingLog.chunkSpanMs
    return time - ((time % span) + span) % span
  }
}
