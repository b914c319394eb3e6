import Foundation

/// A child process started with `posix_spawn`, an empty signal mask and default handlers.
///
/// Foundation's `Process` starts children with the spawning thread's signal mask, and Swift's
/// worker threads block almost every signal: a mosquitto started that way never sees SIGTERM.
/// Daemons under test must start the way systemd starts them.
public final class ChildProcess: @unchecked Sendable {
  public let pid: pid_t
  private var exitStatus: Int32?

  /// Starts `executable` with `arguments`; stdout and stderr go to `outputPath` (appended) or nowhere.
  public init(executable: String, arguments: [String], environment: [String: String], outputPath: String?)
    throws
  {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    let output = outputPath ?? "/dev/null"
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t()
    sigemptyset(&empty)
    var all = sigset_t()
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      for pointer in argv { free(pointer) }
      for pointer in envp { free(pointer) }
    }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
    guard rc == 0 else {
      throw TestFailure("cannot start \(executable): \(String(cString: strerror(rc)))")
    }
    self.pid = pid
  }

  /// Reaps the child if it exited; true while it runs.
  public var isRunning: Bool {
    if exitStatus != nil { return false }
    var status: Int32 = 0
    let rc = waitpid(pid, &status, WNOHANG)
    if rc == pid {
      exitStatus = Self.decode(status)
      return false
    }
    return rc == 0
  }

  /// Exit code, or 128 + signal number when killed by a signal (as shells report it).
  public var terminationStatus: Int32? {
    _ = isRunning
    return exitStatus
  }

  public func signal(_ number: Int32) {
    if isRunning { kill(pid, number) }
  }

  /// Waits up to `timeout` seconds; returns the termination status or nil.
  @discardableResult
  public func wait(timeout: Double) -> Int32? {
    waitUntil(timeout: timeout) { !isRunning }
    return exitStatus
  }

  private static func decode(_ status: Int32) -> Int32 {
    let signal = status & 0x7F
    return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
  }

  deinit {
    if isRunning {
      kill(pid, SIGKILL)
      var status: Int32 = 0
      waitpid(pid, &status, 0)
    }
  }
}
