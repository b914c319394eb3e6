import CSQLite

/// One error type for every failed sqlite3 call: the result code, SQLite's own message and the SQL.
/// Bound values never appear in it (they may be device data).
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
  public let code: Int32
  public let message: String
  public let sql: String?

  public init(code: Int32, message: String, sql: String? = nil) {
    self.code = code
    self.message = message
    self.sql = sql
  }

  /// The primary result code (`SQLITE_FULL`, `SQLITE_BUSY`, …) without extended bits.
  public var primaryCode: Int32 { code & 0xFF }
  public var isDiskFull: Bool { primaryCode == SQLITE_FULL }
  public var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }

  public var description: String {
    var text = "SQLite error \(code): \(message)"
    if let sql { text += " - while executing `\(sql)`" }
    return text
  }
}
