import PostgresClient
import TestSupport
import Testing

/// The libpq wrapper against a real server started in a temp directory.
@Suite("PostgreSQL connection", .serialized)
struct PostgresConnectionTests {
  @Test func parametersRoundTripAsText_andNullStaysNull() throws {
    let server = try PostgresServer()
    let connection = try PostgresConnection(conninfo: server.conninfo())
    try connection.execute(sql: "CREATE TABLE t (id bigint PRIMARY KEY, name text, body jsonb, flag boolean)")
    let inserted = try connection.query(
      "INSERT INTO t (id, name, body, flag) VALUES ($1, $2, $3, $4) RETURNING id",
      [.int(Int64(9_007_199_254_740_993)), "naïve 'quoted'", #"{"a": [1, 2]}"#, .bool(true)])
    #expect(inserted.first?.int("id") == 9_007_199_254_740_993)
    try connection.query("INSERT INTO t (id, name) VALUES ($1, $2)", [2, .null])
    let rows = try connection.query("SELECT id, name, body->'a'->>1 AS second, flag FROM t ORDER BY id")
    #expect(rows.count == 2)
    #expect(rows[0]["name"] == nil)
    #expect(rows[0].bool("flag") == nil)
    #expect(rows[1]["name"] == "naïve 'quoted'")
    #expect(rows[1]["second"] == "2")
    #expect(rows[1].bool("flag") == true)
  }

  @Test func aUniqueViolationCarriesItsSQLState_andTheSessionStaysUsable() throws {
    let server = try PostgresServer()
    let connection = try PostgresConnection(conninfo: server.conninfo())
    try connection.execute(sql: "CREATE TABLE t (id bigint PRIMARY KEY)")
    try connection.query("INSERT INTO t VALUES ($1)", [1])
    #expect {
      try connection.query("INSERT INTO t VALUES ($1)", [1])
    } throws: { error in
      let failure = error as? PostgresError
      return failure?.sqlState == "23505" && failure?.description.contains("INSERT INTO t") == true
        && failure?.isConnectionFailure == false
    }
    #expect(try connection.query("SELECT count(*) AS n FROM t").first?.int("n") == 1)
  }

  @Test func aFailedTransactionRollsBackEverything() throws {
    let server = try PostgresServer()
    let connection = try PostgresConnection(conninfo: server.conninfo())
    try connection.execute(sql: "CREATE TABLE t (id bigint PRIMARY KEY)")
    #expect(throws: PostgresError.self) {
      try connection.transaction {
        try connection.query("INSERT INTO t VALUES ($1)", [1])
        try connection.query("INSERT INTO t VALUES ($1)", [1])
      }
    }
    let changed = try connection.transaction {
      try connection.query("INSERT INTO t VALUES ($1), ($2) ON CONFLICT DO NOTHING", [1, 2]).affected
    }
    #expect(changed == 2)
    #expect(try connection.query("SELECT count(*) AS n FROM t").first?.int("n") == 2)
  }

  @Test func aStoppedServerIsAConnectionFailure() throws {
    let server = try PostgresServer()
    let connection = try PostgresConnection(conninfo: server.conninfo())
    server.stop()
    #expect {
      try connection.query("SELECT 1")
    } throws: { error in
      (error as? PostgresError)?.isConnectionFailure == true
    }
    #expect {
      try PostgresConnection(conninfo: server.conninfo())
    } throws: { error in
      (error as? PostgresError)?.isConnectionFailure == true
    }
  }
}
