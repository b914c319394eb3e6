import Foundation
import SQLiteStore
import Testing

/// `Statement.init` checks what follows the SQL through the `tail` pointer sqlite3_prepare_v3 returns.
/// That pointer points into the C copy Swift makes of the `String` for the call, which is freed as
/// soon as the call returns: when another thread reuses that memory, a single statement is refused
/// as "a prepared statement holds exactly one SQL statement" (seen in about one run in eight of
/// StoreTests, always from a BufferWriter commit).
@Suite("Statement: preparing SQL")
struct StatementLifetimeTests {
  /// Literal SQL of several lengths, as the store's own statements are written.
  static let statements = [
    "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
    "SELECT name, value FROM counters",
    "SELECT value FROM counters WHERE name = ?",
    "DELETE FROM counters WHERE name = ?",
    "UPDATE counters SET value = value + 1 WHERE name = ?",
    "INSERT OR IGNORE INTO counters (name, value) VALUES (?, ?)",
    "SELECT count(*) FROM counters WHERE ?1 IS NULL OR name = ?1",
  ]

  @Test("preparing single statements on several threads at once never refuses one as two")
  func concurrentPrepare() throws {
    let threads = 4
    let iterations = 20_000
    let lock = NSLock()
    nonisolated(unsafe) var failures: [String] = []
    let done = DispatchGroup()
    for worker in 0..<threads {
      done.enter()
      Thread.detachNewThread {
        defer { done.leave() }
        var local: [String] = []
        do {
          let connection = try Connection(path: ":memory:")
          try connection.execute(
            sql: "CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID")
          for index in 0..<iterations {
            do {
              _ = try connection.makeStatement(sql: Self.statements[(index + worker) % Self.statements.count])
            } catch {
              local.append("\(error)")
            }
          }
        } catch {
          local.append("\(error)")
        }
        lock.lock()
        failures += local
        lock.unlock()
      }
    }
    done.wait()
    #expect(failures.isEmpty, "\(failures.count) of \(threads * iterations) refused; first: \(failures.first ?? "")")
  }
}
