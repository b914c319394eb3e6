import SQLiteStore

/// The `meta` table: small named values (heartbeat, seq counters, cursors, uplink state).
public enum Meta {
  public static func read(_ key: String, in connection: Connection) throws -> String? {
    let statement = try connection.cachedStatement(sql: "SELECT value FROM meta WHERE key = ?")
    statement.bind(key, at: 1)
    defer { statement.reset() }
    return try statement.step() ? statement.text(0) : nil
  }

  public static func readInt(_ key: String, in connection: Connection) throws -> Int64? {
    try read(key, in: connection).flatMap { Int64($0) }
  }

  public static func write(_ key: String, _ value: String, in connection: Connection) throws {
    let statement = try connection.cachedStatement(
      sql:
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    )
    statement.bind(key, at: 1)
    statement.bind(value, at: 2)
    try statement.run()
  }
}

/// The `counters` table: totals that only grow (messages, dead letters by reason, evictions).
public enum Counters {
  public static func add(_ amount: Int, to name: String, in connection: Connection) throws {
    guard amount != 0 else { return }
    let statement = try connection.cachedStatement(
      sql:
        "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value"
    )
    statement.bind(name, at: 1)
    statement.bind(amount, at: 2)
    try statement.run()
  }
}
