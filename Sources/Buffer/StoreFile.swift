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
  /// `checkpointPages`: WAL pages after which SQLite copies them back into the file (its default
  /// 1000 ≈ 4 MiB; smaller keeps the WAL small at the cost of more checkpoints).
  public static func openForWriting(
    path: String, durability: Durability, checkpointPages: Int = 1000
  ) throws -> Connection {
    let connection = try Connection(path: path, mode: .readWrite)
    try connection.execute(sql: "PRAGMA journal_mode = WAL")
    // A PRAGMA takes no bound parameters; the value is an integer.
    try connection.execute(sql: "PRAGMA wal_autocheckpoint = " + String(max(1, checkpointPages)))
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

  /// Why the agent will not write to a store (a damaged file after a crash or power cut).
  public struct Damaged: Error, CustomStringConvertible {
    public let description: String
  }

  /// Marks the store in use; if the previous run did not stop cleanly (crash, SIGKILL, power
  /// cut), first checks the file (`PRAGMA quick_check`). A damaged store is refused with what to
  /// do: it is never silently replaced, so no outbox message is lost without a word.
  public static func openRun(_ connection: Connection) throws {
    if try Meta.read(MetaKey.agentRunning, in: connection) == "1" {
      var problems: [String] = []
      do {
        let statement = try connection.makeStatement(sql: "PRAGMA quick_check")
        while try statement.step(), problems.count < 5 { problems.append(statement.text(0) ?? "") }
      } catch {
        // A page too damaged for quick_check to go on is a damaged store too.
        problems.append("\(error)")
      }
      if problems != ["ok"] {
        throw Damaged(
          description:
            "the store \(connection.path) is damaged after an unclean stop (quick_check: \(problems.joined(separator: "; "))). "
            + "The agent will not write to it: stop here, keep a copy of the file and its -wal, then run "
            + "sqlite3 \(connection.path) '.recover' | sqlite3 recovered.db and point store.path at it")
      }
    }
    try connection.transaction { try Meta.write(MetaKey.agentRunning, "1", in: connection) }
  }

  /// The clean end of a run: the next start skips the check.
  public static func closeRun(_ connection: Connection) throws {
    try connection.transaction { try Meta.write(MetaKey.agentRunning, "0", in: connection) }
  }
}
