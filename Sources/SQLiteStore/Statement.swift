import CSQLite

/// SQLite copies bound text and blobs when given this destructor value; the Swift buffer may then go away.
private let transientDestructor = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A prepared statement. Parameters are 1-based, columns 0-based, as in SQLite.
public final class Statement {
  private let statement: OpaquePointer
  private unowned let connection: Connection
  public let sql: String

  init(connection: Connection, sql: String, persistent: Bool) throws(SQLiteError) {
    let flags: UInt32 = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
    // The tail must be read inside withCString: it points into that temporary C string.
    let (rc, prepared, trailing) = sql.withCString { text in
      var prepared: OpaquePointer?
      var tail: UnsafePointer<CChar>?
      let rc = sqlite3_prepare_v3(connection.rawHandle, text, -1, flags, &prepared, &tail)
      var rest = tail
      while let current = rest, [32, 10, 9, 13].contains(current.pointee) { rest = current + 1 }
      return (rc, prepared, rest.map { $0.pointee != 0 } ?? false)
    }
    guard rc == SQLITE_OK, let prepared else { throw connection.lastError(sql: sql) }
    if trailing {
      // Several statements belong in Connection.execute(sql:).
      sqlite3_finalize(prepared)
      throw SQLiteError(
        code: SQLITE_MISUSE, message: "a prepared statement holds exactly one SQL statement", sql: sql)
    }
    self.statement = prepared
    self.connection = connection
    self.sql = sql
  }

  deinit {
    sqlite3_finalize(statement)
  }

  public func reset() {
    sqlite3_reset(statement)
    sqlite3_clear_bindings(statement)
  }

  // A failing bind can only be a programming error (wrong index), so it traps.
  private func check(_ rc: Int32) {
    precondition(rc == SQLITE_OK, "sqlite3_bind failed (\(rc)) in `\(sql)`")
  }

  public func bind(_ value: Int64, at index: Int32) { check(sqlite3_bind_int64(statement, index, value)) }
  public func bind(_ value: Int, at index: Int32) { bind(Int64(value), at: index) }
  public func bind(_ value: Double, at index: Int32) { check(sqlite3_bind_double(statement, index, value)) }
  public func bindNull(at index: Int32) { check(sqlite3_bind_null(statement, index)) }

  public func bind(_ value: String, at index: Int32) {
    check(sqlite3_bind_text(statement, index, value, -1, transientDestructor))
  }

  public func bind(_ value: String?, at index: Int32) {
    if let value { bind(value, at: index) } else { bindNull(at: index) }
  }

  public func bind(_ value: Int64?, at index: Int32) {
    if let value { bind(value, at: index) } else { bindNull(at: index) }
  }

  public func bind(_ value: Double?, at index: Int32) {
    if let value { bind(value, at: index) } else { bindNull(at: index) }
  }

  public func bind(blob: [UInt8], at index: Int32) {
    let rc = blob.withUnsafeBytes { bytes in
      sqlite3_bind_blob(statement, index, bytes.baseAddress, Int32(bytes.count), transientDestructor)
    }
    check(rc)
  }

  /// Steps once: true when a row is available, false when done.
  @discardableResult
  public func step() throws(SQLiteError) -> Bool {
    let rc = sqlite3_step(statement)
    switch rc {
    case SQLITE_ROW: return true
    case SQLITE_DONE: return false
    default:
      let error = connection.lastError(sql: sql)
      sqlite3_reset(statement)
      throw error
    }
  }

  /// Steps to completion (INSERT/UPDATE/DELETE) and resets for the next use.
  public func run() throws(SQLiteError) {
    while try step() {}
    sqlite3_reset(statement)
  }

  public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }
  public func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }
  public func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(statement, column)) }
  public func double(_ column: Int32) -> Double { sqlite3_column_double(statement, column) }

  public func text(_ column: Int32) -> String? {
    guard let pointer = sqlite3_column_text(statement, column) else { return nil }
    let count = Int(sqlite3_column_bytes(statement, column))
    return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
  }

  public func blob(_ column: Int32) -> [UInt8] {
    let count = Int(sqlite3_column_bytes(statement, column))
    guard count > 0, let pointer = sqlite3_column_blob(statement, column) else { return [] }
    return Array(UnsafeRawBufferPointer(start: pointer, count: count))
  }

  public func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }
  public func optionalDouble(_ column: Int32) -> Double? { isNull(column) ? nil : double(column) }
}

@available(*, unavailable)
extension Statement: Sendable {}
