import Foundation

/// A real PostgreSQL server for one test: `initdb` and `pg_ctl` in a temp directory, listening only
/// on a unix socket in that directory (no TCP at all). PostgreSQL refuses to run as root, so as
/// root (CI) it runs as `nobody`, which owns the directory.
public final class PostgresServer: @unchecked Sendable {
  public let directory: TemporaryDirectory
  public let port: Int32 = 5432
  private var dataDirectory: String { directory.file("data") }
  private var running = false

  /// The libpq connection string for `database` (created by `createDatabase`, or `postgres`).
  public func conninfo(database: String = "postgres") -> String {
    "host=\(directory.path) port=\(port) dbname=\(database) user=postgres connect_timeout=5"
  }

  public init() throws {
    directory = TemporaryDirectory(prefix: "classgate-pg")
    if getuid() == 0 {
      // initdb checks that the data directory's parent is reachable and the directory is its own.
      chmod(directory.path, 0o755)
      guard chown(directory.path, Self.nobody, gid_t(Self.nobody)) == 0 else {
        throw TestFailure("cannot chown \(directory.path) to nobody")
      }
    }
    // --no-sync and fsync=off: the tests crash receivers, never the database server.
    try run(
      "\(Self.binaries)/initdb -D '\(dataDirectory)' -U postgres --auth=trust -E UTF8 --no-sync --no-instructions"
    )
    try start()
  }

  public func start() throws {
    let options =
      "-k \(directory.path) -p \(port) -c listen_addresses='' -c fsync=off -c max_connections=50"
    try run(
      "\(Self.binaries)/pg_ctl -D '\(dataDirectory)' -l '\(directory.file("postgres.log"))' -o \"\(options)\" -w -t 30 start"
    )
    running = true
  }

  /// Stops at once (no checkpoint): the tests do not need the data afterwards.
  public func stop() {
    guard running else { return }
    _ = try? run("\(Self.binaries)/pg_ctl -D '\(dataDirectory)' -m immediate -w stop")
    running = false
  }

  /// Creates a database owned by `postgres`.
  public func createDatabase(_ name: String) throws {
    try run("\(Self.binaries)/createdb -h '\(directory.path)' -p \(port) -U postgres '\(name)'")
  }

  /// Runs SQL with `psql` and returns its unaligned output (`-At`: values separated by `|`).
  public func psql(_ sql: String, database: String = "postgres") throws -> String {
    let file = directory.file("query-\(UUID().uuidString).sql")
    try sql.write(toFile: file, atomically: true, encoding: .utf8)
    chmod(file, 0o644)
    defer { try? FileManager.default.removeItem(atPath: file) }
    let result = try runShell(
      "\(Self.binaries)/psql -X -q -At -v ON_ERROR_STOP=1 -h '\(directory.path)' -p \(port) -U postgres -d '\(database)' -f '\(file)' 2>&1"
    )
    guard result.status == 0 else { throw TestFailure("psql failed: \(result.stdout)") }
    return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  public var log: String {
    (try? String(contentsOfFile: directory.file("postgres.log"), encoding: .utf8)) ?? ""
  }

  deinit {
    stop()
    directory.remove()
  }

  @discardableResult
  private func run(_ command: String) throws -> String {
    let asOwner = getuid() == 0 ? "runuser -u nobody -- \(command)" : command
    // posix_spawn with output to a file, not Process with a pipe: the server pg_ctl starts keeps
    // every inherited descriptor, and a pipe held open would never reach end-of-file.
    let output = directory.file("command.out")
    unlink(output)
    let shell = try ChildProcess(
      executable: "/bin/bash", arguments: ["-c", "cd / && exec \(asOwner)"],
      environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"], outputPath: output)
    let status = shell.wait(timeout: 120)
    let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
    guard status == 0 else {
      throw TestFailure("\(command) failed (\(status.map(String.init) ?? "timed out")): \(text)")
    }
    return text
  }

  static let nobody: uid_t = 65534

  /// Debian's versioned directory; the newest installed version wins.
  public static let binaries: String = {
    let root = "/usr/lib/postgresql"
    let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
    let newest = versions.compactMap { Int($0) }.max().map(String.init) ?? "15"
    return "\(root)/\(newest)/bin"
  }()
}
