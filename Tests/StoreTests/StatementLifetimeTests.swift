import SQLiteStore
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `Statement.init` checks what follows the SQL through the `tail` pointer sqlite3_prepare_v3 returns.
/// That pointer points into the C copy of the `String`, which only lives while the copy does: read
/// after it is freed, the check refused single statements at random ("a prepared statement holds
/// exactly one SQL statement", seen as BufferWriter commits failing in about one StoreTests run in
/// eight). These checks run in a child process that tells glibc to overwrite freed memory
/// (mallopt M_PERTURB), with SQL longer than 1 KiB so its C copy skips glibc's per-thread cache
/// (where freed blocks are not overwritten): a read after free then fails every time, not by chance.
@Suite("Statement: preparing SQL")
struct StatementLifetimeTests {
  @Test("a long single statement is accepted and two statements are refused, with freed memory overwritten")
  func tailReadWhileTheSQLLives() async {
    await #expect(processExitsWith: .success) {
      typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
      let mPerturb: Int32 = -6  // <malloc.h>
      guard let process = dlopen(nil, RTLD_NOW) else { exit(2) }
      // Under AddressSanitizer (scripts/sanitizers.sh) freed memory is poisoned anyway and any read
      // of it aborts; glibc's mallopt is not in charge there.
      let underASan = dlsym(process, "__asan_init") != nil
      if !underASan {
        guard let symbol = dlsym(process, "mallopt"),
          unsafeBitCast(symbol, to: Mallopt.self)(mPerturb, 0xA5) == 1
        else { exit(2) }
      }

      let name = String(repeating: "x", count: 2_000)
      do {
        let connection = try Connection(path: ":memory:")
        try connection.execute(
          sql: "CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID")
        _ = try connection.makeStatement(sql: "SELECT value FROM counters WHERE name = '\(name)'")
        _ = try connection.cachedStatement(sql: "SELECT count(*) FROM counters WHERE name <> '\(name)' \n\t ")
      } catch {
        exit(1)  // a single statement was refused
      }
      do {
        let connection = try Connection(path: ":memory:")
        _ = try connection.makeStatement(sql: "SELECT 1; SELECT '\(name)'")
        exit(3)  // two statements were accepted
      } catch let error as SQLiteError where error.primaryCode == 21 {
        exit(0)
      } catch {
        exit(4)
      }
    }
  }
}
