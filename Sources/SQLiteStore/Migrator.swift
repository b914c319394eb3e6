/// Applies numbered schema migrations once each, in order, each in its own transaction.
///
/// The applied version is SQLite's `user_version`, so a migration and its version bump commit together:
/// a crash mid-migration leaves the previous version, and the next start retries it.
public struct Migrator: Sendable {
  public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String
    /// Work too big for one transaction (moving a table's rows), run before `sql` in transactions
    /// of its own. It must be resumable: a crash in it leaves the previous version, and the next
    /// start runs it again from where it stopped.
    public let prepare: (@Sendable (Connection) throws -> Void)?
    public init(
      version: Int, name: String, sql: String, prepare: (@Sendable (Connection) throws -> Void)? = nil
    ) {
      self.version = version
      self.name = name
      self.sql = sql
      self.prepare = prepare
    }
  }

  public let migrations: [Migration]

  public init(_ migrations: [Migration]) {
    precondition(
      migrations.map(\.version) == Array(1...migrations.count), "migrations must be numbered 1, 2, …")
    self.migrations = migrations
  }

  public var latestVersion: Int { migrations.count }

  /// Returns the names of the migrations it applied. Refuses a store written by a newer ClassGate.
  @discardableResult
  public func migrate(_ connection: Connection) throws -> [String] {
    let current = Int(try connection.scalarInt(sql: "PRAGMA user_version") ?? 0)
    guard current <= latestVersion else {
      throw SQLiteError(
        code: 1,
        message:
          "store schema version \(current) is newer than this ClassGate understands (\(latestVersion)); upgrade ClassGate"
      )
    }
    var applied: [String] = []
    for migration in migrations where migration.version > current {
      try migration.prepare?(connection)
      try connection.transaction {
        try connection.execute(sql: migration.sql)
        try connection.execute(sql: "PRAGMA user_version = \(migration.version)")
      }
      applied.append(migration.name)
    }
    return applied
  }

  public static func currentVersion(of connection: Connection) throws(SQLiteError) -> Int {
    Int(try connection.scalarInt(sql: "PRAGMA user_version") ?? 0)
  }
}
