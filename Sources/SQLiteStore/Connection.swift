import CSQLite

/// One sqlite3 connection and its prepared-statement cache.
///
/// Not Sendable: one thread owns it (the agent's ingest loop, or a CLI command).
public final class Connection {
  public enum Mode: Sendable {
    case readWrite
    case readOnly
  }

  private var handle: OpaquePointer?
  private var statementCache: [String: Statement] = [:]
  public let path: String

  /// Opens (and for `.readWrite` creates) the database at `path`.
  public init(path: String, mode: Mode = .readWrite, busyTimeoutMs: Int32 = 5000) throws(SQLiteError) {
    self.path = path
    let flags: Int32 =
      switch mode {
      case .readWrite: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
      case .readOnly: SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
      }
    var db: OpaquePointer?
    let rc = sqlite3_open_v2(path, &db, flags, nil)
    guard rc == SQLITE_OK, let db else {
      // https://sqlite.org/c3ref/open.html: a handle is returned even on failure and must be closed.
      let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
      sqlite3_close_v2(db)
      throw SQLiteError(code: rc, message: "\(message) (\(path))")
    }
    handle = db
    sqlite3_extended_result_codes(db, 1)
    sqlite3_busy_timeout(db, busyTimeoutMs)
  }

  deinit {
    close()
  }

  /// Finalizes cached statements, then closes. Safe to call twice.
  public func close() {
    statementCache.removeAll()
    if let handle {
      sqlite3_close_v2(handle)
      self.handle = nil
    }
  }

  var rawHandle: OpaquePointer {
    guard let handle else { preconditionFailure("use of a closed SQLite connection") }
    return handle
  }

  func lastError(sql: String?) -> SQLiteError {
    SQLiteError(
      code: sqlite3_extended_errcode(rawHandle), message: String(cString: sqlite3_errmsg(rawHandle)),
      sql: sql)
  }

  /// Runs one or more statements that take no parameters (schema, pragmas).
  public func execute(sql: String) throws(SQLiteError) {
    let rc = sqlite3_exec(rawHandle, sql, nil, nil, nil)
    guard rc == SQLITE_OK else { throw lastError(sql: sql) }
  }

  /// A statement compiled once and reused; reset before it is handed out.
  public func cachedStatement(sql: String) throws(SQLiteError) -> Statement {
    if let statement = statementCache[sql] {
      statement.reset()
      return statement
    }
    let statement = try Statement(connection: self, sql: sql, persistent: true)
    statementCache[sql] = statement
    return statement
  }

  /// A one-off statement (cold paths).
  public func makeStatement(sql: String) throws(SQLiteError) -> Statement {
    try Statement(connection: self, sql: sql, persistent: false)
  }

  /// Runs `body` in `BEGIN IMMEDIATE … COMMIT`; rolls back and rethrows the first error. Not reentrant.
  public func transaction<T>(_ body: () throws -> T) throws -> T {
    try execute(sql: "BEGIN IMMEDIATE")
    do {
      let result = try body()
      try execute(sql: "COMMIT")
      return result
    } catch {
      try? execute(sql: "ROLLBACK")
      throw error
    }
  }

  /// Reads from one snapshot (a deferred transaction: no write lock, fine on a read-only
  /// connection), so several queries see the same commit.
  public func snapshot<T>(_ body: () throws -> T) throws -> T {
    // Inside a transaction already (the writer's): that is one snapshot.
    guard sqlite3_get_autocommit(rawHandle) != 0 else { return try body() }
    try execute(sql: "BEGIN DEFERRED")
    defer { try? execute(sql: "COMMIT") }
    return try body()
  }

  public var changes: Int { Int(sqlite3_changes(rawHandle)) }
  public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(rawHandle) }

  /// Convenience for `PRAGMA name` and other single-value queries.
  public func scalarInt(sql: String) throws(SQLiteError) -> Int64? {
    let statement = try makeStatement(sql: sql)
    guard try statement.step() else { return nil }
    return statement.isNull(0) ? nil : statement.int64(0)
  }

  public func scalarText(sql: String) throws(SQLiteError) -> String? {
    let statement = try makeStatement(sql: sql)
    guard try statement.step() else { return nil }
    return statement.text(0)
  }
}

@available(*, unavailable)
extension Connection: Sendable {}
