/// One error type for every failed libpq call: the SQLSTATE (when the server sent one), the
/// server's or libpq's message, and the SQL. Bound values never appear in it.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
  /// Five-character SQLSTATE, e.g. "23505" (unique violation); nil for connection failures.
  public let sqlState: String?
  public let message: String
  public let sql: String?

  public init(sqlState: String? = nil, message: String, sql: String? = nil) {
    self.sqlState = sqlState
    self.message = message
    self.sql = sql
  }

  /// The connection is gone (class 08, or no SQLSTATE at all): reconnect, then retry.
  public var isConnectionFailure: Bool { sqlState == nil || sqlState?.hasPrefix("08") == true }

  /// 40001 serialization failure, 40P01 deadlock: the transaction may simply be retried.
  public var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" }

  public var description: String {
    var text = "PostgreSQL error"
    if let sqlState { text += " \(sqlState)" }
    text += ": \(message)"
    if let sql { text += " - while executing `\(sql)`" }
    return text
  }
}
