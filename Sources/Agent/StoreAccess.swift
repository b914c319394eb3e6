import EventLoop
import SQLiteStore

#if canImport(Glibc)
  import Glibc
#endif

/// Another agent already runs on this store (a technician starting one by hand beside the service).
public struct StoreInUse: Error, Sendable, CustomStringConvertible {
  public let storePath: String
  public let lockPath: String
  public let pid: Int32?

  public var description: String {
    "another classgate agent\(pid.map { " (PID \($0))" } ?? "") is already running on the store \(storePath) "
      + "(it holds the lock on \(lockPath)). Only one agent may write a store: stop that one first "
      + "(systemctl stop classgate), or give this one its own store.path. The CLI (classgate devices, "
      + "stats, uplink, doctor) reads the store beside the running agent without stopping it."
  }
}

/// What `classgate run` checks about `store.path` before SQLite opens it: that the file can be
/// created there, and that no other agent holds the store. Errors name the key and a fix, instead
/// of SQLite's bare "unable to open database file" (which systemd would restart in a loop).
enum StoreAccess {
  /// Takes the single-instance lock on `<store.path>.lock`; keep the result for the whole run.
  static func lock(_ config: AgentConfig) throws -> InstanceLock {
    try checkDirectory(config)
    let lockPath = config.storePath + ".lock"
    do {
      return try InstanceLock(path: lockPath)
    } catch .held(_, let pid) {
      throw StoreInUse(storePath: config.storePath, lockPath: lockPath, pid: pid)
    } catch .unavailable(_, let reason) {
      throw problem(
        config,
        "cannot create the lock file \(lockPath) (\(reason)); the service user must be able to write \(directory(of: config.storePath))"
      )
    }
  }

  /// A store that cannot be opened for writing, as a configuration error naming `store.path`.
  static func explain(_ error: SQLiteError, _ config: AgentConfig) -> ConfigError? {
    // SQLITE_PERM, SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_AUTH
    guard [3, 8, 14, 23].contains(error.primaryCode) else { return nil }
    let path = config.storePath
    return problem(
      config,
      "cannot open \(path) for writing (\(error.message)); check that \(path) and its -wal and -shm files belong to the service user (chown classgate: \(path)*), or correct store.path"
    )
  }

  private static func checkDirectory(_ config: AgentConfig) throws(ConfigError) {
    let path = config.storePath
    let directory = directory(of: path)
    var info = stat()
    guard stat(directory, &info) == 0 else {
      let reason = String(cString: strerror(errno))
      throw problem(
        config,
        "cannot create \(path): the directory \(directory) is not there (\(reason)); create it for the service user (install -d -o classgate -g classgate -m 750 \(directory)) or correct store.path"
      )
    }
    guard info.st_mode & S_IFMT == S_IFDIR else {
      throw problem(config, "cannot create \(path): \(directory) is not a directory; correct store.path")
    }
    if access(path, F_OK) == 0 {
      guard access(path, R_OK | W_OK) == 0 else {
        throw problem(
          config,
          "\(path) is not writable by this user (uid \(getuid())); run the agent as the store's owner or chown classgate: \(path)*"
        )
      }
    } else if access(directory, W_OK | X_OK) != 0 {
      throw problem(
        config,
        "cannot create \(path): the directory \(directory) is not writable by this user (uid \(getuid())); chown classgate: \(directory), or correct store.path"
      )
    }
  }

  private static func problem(_ config: AgentConfig, _ message: String) -> ConfigError {
    ConfigError(problems: [.init(location: config.file, key: "store.path", message: message)])
  }

  private static func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }
}
