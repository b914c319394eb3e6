import SQLiteStore

/// Opening the store file the one way the agent and the CLI agree on.
public enum StoreFile {
  public enum Durability: String, Sendable, CaseIterable {
    /// fsync at every commit: survives power loss, not just a crash. The default.
    case full
    /// WAL default: survives a process crash; a power cut may lose the last commits.
    case normal
  }

  /// The agent's read-write connection: WAL, the chosen durability, schema migrated.
  public static func openForWriting(path: String, durability: Durability) throws -> Connection {
    let connection = try Connection(path: path, mode: .readWrite)
    try connection.execute(sql: "PRAGMA journal_mode = WAL")
    try connection.execute(
      sql: durability == .full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
    try Schema.migrator.migrate(connection)
    return connection
  }

  /// The CLI's connection: read-only, so it can never block or damage the agent's writes.
  public static func openForReading(path: String) throws -> Connection {
    let connection = try Connection(path: path, mode: .readOnly)
    let version = try Migrator.currentVersion(of: connection)
    guard version > 0 else {
      throw SQLiteError(code: 1, message: "\(path) is not a ClassGate store (no schema)")
    }
    guard version <= Schema.migrator.latestVersion else {
      throw SQLiteError(
        code: 1, message: "\(path) was written by a newer ClassGate (schema \(version))")
    }
    return connection
  }
}
