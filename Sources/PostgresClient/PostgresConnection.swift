import CPostgres

#if canImport(Glibc)
  import Glibc
#endif

/// One libpq connection (blocking calls), with a cache of server-side prepared statements.
///
/// Not Sendable: one thread owns it (the receiver's loop, or a CLI command). After a connection
/// failure (`PostgresError.isConnectionFailure`) make a new one: prepared statements live and die
/// with the server session.
public final class PostgresConnection {
  private var handle: OpaquePointer?
  /// SQL text → the name it was prepared under on this session.
  private var prepared: [String: String] = [:]

  /// Connects with a libpq connection string, e.g. `host=/run/postgresql dbname=ioc user=ioc`.
  /// Related: https://www.postgresql.org/docs/15/libpq-connect.html#LIBPQ-CONNSTRING
  public init(conninfo: String) throws(PostgresError) {
    guard let connection = PQconnectdb(conninfo) else {
      throw PostgresError(message: "out of memory connecting to PostgreSQL")
    }
    guard PQstatus(connection) == CONNECTION_OK else {
      let message = Self.trimmed(PQerrorMessage(connection))
      // libpq: "you should call PQfinish to free the memory used by the PGconn object" even on failure.
      PQfinish(connection)
      throw PostgresError(message: message)
    }
    // libpq prints NOTICEs ("relation already exists, skipping") to stderr unless told otherwise.
    PQsetNoticeProcessor(connection, { _, _ in }, nil)
    handle = connection
  }

  deinit { close() }

  /// Closes the session. Safe to call twice.
  public func close() {
    if let handle {
      PQfinish(handle)
      self.handle = nil
    }
    prepared.removeAll()
  }

  /// True while the session is usable as far as libpq knows (a dead socket shows on the next call).
  public var isOpen: Bool { handle.map { PQstatus($0) == CONNECTION_OK } ?? false }

  private var rawHandle: OpaquePointer {
    guard let handle else { preconditionFailure("use of a closed PostgreSQL connection") }
    return handle
  }

  /// Runs one or more statements without parameters (schema, BEGIN/COMMIT).
  public func execute(sql: String) throws(PostgresError) {
    let result = PQexec(rawHandle, sql)
    defer { PQclear(result) }
    try check(result, sql: sql)
  }

  /// Runs one statement with parameters (`$1`, `$2`, … in text format) and returns its rows.
  /// The statement is prepared once per session and reused.
  @discardableResult
  public func query(_ sql: String, _ parameters: [PostgresValue] = []) throws(PostgresError) -> Rows {
    let name = try preparedName(for: sql, parameterCount: parameters.count)
    let texts = parameters.map { $0.text.map { strdup($0) } ?? nil }
    defer { for text in texts { free(text) } }
    let result = texts.map { UnsafePointer($0) }.withUnsafeBufferPointer { values in
      PQexecPrepared(rawHandle, name, Int32(values.count), values.baseAddress, nil, nil, 0)
    }
    defer { PQclear(result) }
    try check(result, sql: sql)
    return Self.rows(of: result!)
  }

  /// Runs `body` between BEGIN and COMMIT; rolls back and rethrows the first error. Not reentrant.
  public func transaction<T>(_ body: () throws -> T) throws -> T {
    try execute(sql: "BEGIN")
    do {
      let result = try body()
      try execute(sql: "COMMIT")
      return result
    } catch {
      if isOpen { try? execute(sql: "ROLLBACK") }
      throw error
    }
  }

  // MARK: - Internals

  private func preparedName(for sql: String, parameterCount: Int) throws(PostgresError) -> String {
    if let name = prepared[sql] { return name }
    let name = "s\(prepared.count)"
    // nil parameter types: the server infers each from its use in the statement.
    let result = PQprepare(rawHandle, name, sql, Int32(parameterCount), nil)
    defer { PQclear(result) }
    try check(result, sql: sql)
    prepared[sql] = name
    return name
  }

  private func check(_ result: OpaquePointer?, sql: String) throws(PostgresError) {
    guard let result else {
      throw PostgresError(message: Self.trimmed(PQerrorMessage(rawHandle)), sql: sql)
    }
    let status = PQresultStatus(result)
    guard status != PGRES_COMMAND_OK, status != PGRES_TUPLES_OK, status != PGRES_EMPTY_QUERY else { return }
    // PG_DIAG_SQLSTATE is the character 'C' in libpq-fe.h.
    let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
    throw PostgresError(sqlState: state, message: Self.trimmed(PQresultErrorMessage(result)), sql: sql)
  }

  private static func rows(of result: OpaquePointer) -> Rows {
    let columnCount = PQnfields(result)
    let rowCount = PQntuples(result)
    let columns = (0..<columnCount).map { String(cString: PQfname(result, $0)) }
    var values: [[String?]] = []
    values.reserveCapacity(Int(rowCount))
    for row in 0..<rowCount {
      values.append(
        (0..<columnCount).map { column in
          PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
        })
    }
    let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
    return Rows(columns: columns, values: values, affected: affected)
  }

  private static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
    guard let message else { return "unknown libpq error" }
    var text = String(cString: message)
    while text.last == "\n" || text.last == " " { text.removeLast() }
    return text.isEmpty ? "unknown libpq error" : text
  }
}

@available(*, unavailable)
extension PostgresConnection: Sendable {}
