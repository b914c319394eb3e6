import Foundation
import SQLiteStore
import Testing

/// `Statement.init` looks past the SQL through the `tail` pointer that sqlite3_prepare_v3 returns.
/// That pointer points into the temporary C copy Swift makes of the `String` argument for the call,
/// which is freed as soon as the call returns, so the check reads freed memory: when the allocator
/// (or another thread) has written there, a single statement is refused with "a prepared statement
/// holds exactly one SQL statement". In the test suite this shows up at random, about one run in
/// eight, as BufferWriter commits failing on `INSERT INTO counters …`.
///
/// To fail every time instead of at random, the check runs in a child process started with glibc
/// told to overwrite freed memory (GLIBC_TUNABLES perturb, tcache off): reading freed memory then
/// never sees the NUL that ended the SQL.
@Suite("Statement: preparing SQL")
struct StatementLifetimeTests {
  @Test("a single statement is never refused as two, even when freed memory is overwritten")
  func singleStatementWithFreedMemoryOverwritten() async {
    await #expect(processExitsWith: .success) {
      let marker = "CLASSGATE_TEST_FREED_MEMORY_PERTURBED"
      if getenv(marker) == nil {
        // glibc reads its tunables at start only: start this child again with them set.
        setenv("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0:glibc.malloc.perturb=165", 1)
        setenv(marker, "1", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        exit(3)
      }
      FileManager.default.createFile(atPath: "/tmp/slt-probe-\(getpid())", contents: Array((String(cString: getenv("GLIBC_TUNABLES")!)).utf8).withUnsafeBufferPointer { Data(buffer: $0) })
      do {
        let connection = try Connection(path: ":memory:")
        try connection.execute(
          sql: "CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID")
        _ = try connection.makeStatement(
          sql: "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value")
        _ = try connection.makeStatement(sql: "SELECT name, value FROM counters WHERE name = ?")
        _ = try connection.cachedStatement(sql: "SELECT count(*) FROM counters")
      } catch {
        exit(1)
      }
      exit(0)
    }
  }
}
