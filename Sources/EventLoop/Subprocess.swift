#if canImport(Glibc)
  import Glibc
#endif

/// Runs a helper program (mosquitto_passwd, systemctl) and waits for it.
public enum Subprocess {
  public struct Result: Sendable {
    public var status: Int32
    /// Standard output when captured, else empty.
    public var output: String
  }

  /// `arguments[0]` is the program's absolute path. When capturing, it runs as a `RunningProcess`
  /// (standard error to /dev/null: the caller reports in its own words); else both streams and
  /// standard input are inherited (mosquitto_passwd asks for a password on the terminal).
  public static func run(_ arguments: [String], captureOutput: Bool) -> Result? {
    if captureOutput {
      guard let process = RunningProcess(arguments) else { return nil }
      while !process.poll() {
        var descriptor = pollfd(fd: process.outputDescriptor, events: Int16(POLLIN), revents: 0)
        // Once the output is closed, only the exit is left to wait for.
        if descriptor.fd >= 0 { _ = Glibc.poll(&descriptor, 1, 100) } else { usleep(5_000) }
      }
      return Result(status: process.status ?? -1, output: String(decoding: process.output, as: UTF8.self))
    }
    guard let pid = spawn(arguments, fileActions: { _ in }) else { return nil }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return Result(status: exitStatus(status), output: "")
  }

  /// posix_spawn of `arguments` (no shell, no PATH search) with these file actions.
  static func spawn(_ arguments: [String], fileActions: (inout posix_spawn_file_actions_t) -> Void) -> pid_t?
  {
    let argv = arguments.map { strdup($0) } + [nil]
    defer {
      for pointer in argv { free(pointer) }
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    fileActions(&actions)
    var pid: pid_t = 0
    return posix_spawn(&pid, arguments[0], &actions, nil, argv, environ) == 0 ? pid : nil
  }

  /// A `waitpid` status as a shell shows it: the exit code, or 128 + the signal.
  static func exitStatus(_ raw: Int32) -> Int32 {
    (raw & 0x7F) == 0 ? (raw >> 8) & 0xFF : 128 + (raw & 0x7F)
  }
}
