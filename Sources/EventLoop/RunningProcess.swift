import CLinux

#if canImport(Glibc)
  import Glibc
#endif

/// A helper program running beside the loop: spawned without a shell, its standard output read
/// through a non-blocking pipe the loop polls, reaped without waiting. For work that may take
/// seconds (`classgate doctor`), which the loop must not wait for.
public final class RunningProcess {
  public let pid: pid_t
  /// The read end of the standard-output pipe, for `Poller`; -1 once it reached end of file.
  public private(set) var outputDescriptor: Int32
  public private(set) var output: [UInt8] = []
  /// The exit status (128 + signal when killed) once the process ended and was reaped.
  public private(set) var status: Int32?
  private let maxOutputBytes: Int

  /// `arguments[0]` is the program's absolute path; standard input and error are /dev/null.
  public init?(_ arguments: [String], maxOutputBytes: Int = 1 << 20) {
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else { return nil }
    // Not inherited by other children the agent spawns later.
    _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
    let spawned = Subprocess.spawn(arguments) { actions in
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
      posix_spawn_file_actions_adddup2(&actions, ends[1], 1)
      posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
      // Nothing else of the agent's (the store, the broker sockets) stays open in the helper.
      posix_spawn_file_actions_addclosefrom_np(&actions, 3)
    }
    close(ends[1])
    guard let spawned else {
      close(ends[0])
      return nil
    }
    _ = fcntl(ends[0], F_SETFL, fcntl(ends[0], F_GETFL) | O_NONBLOCK)
    pid = spawned
    outputDescriptor = ends[0]
    self.maxOutputBytes = maxOutputBytes
  }

  deinit {
    if status == nil {
      kill()
    }
    if outputDescriptor >= 0 { close(outputDescriptor) }
  }

  /// Reads what the pipe holds and reaps the process if it has ended. True once it has.
  @discardableResult
  public func poll() -> Bool {
    var buffer = [UInt8](repeating: 0, count: 16 << 10)
    while outputDescriptor >= 0 {
      let count = read(outputDescriptor, &buffer, buffer.count)
      if count > 0 {
        if output.count < maxOutputBytes { output += buffer[0..<min(count, maxOutputBytes - output.count)] }
        continue
      }
      if count < 0 && (errno == EAGAIN || errno == EINTR) { break }
      close(outputDescriptor)
      outputDescriptor = -1
    }
    if status == nil {
      var raw: Int32 = 0
      if waitpid(pid, &raw, WNOHANG) == pid { status = Subprocess.exitStatus(raw) }
    }
    return status != nil && outputDescriptor < 0
  }

  /// SIGKILL and reap (a helper that outlived its timeout).
  public func kill() {
    guard status == nil else { return }
    _ = Glibc.kill(pid, SIGKILL)
    var raw: Int32 = 0
    while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
    status = Subprocess.exitStatus(raw)
  }

}

@available(*, unavailable)
extension RunningProcess: Sendable {}
