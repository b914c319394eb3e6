#if canImport(Glibc)
  import Glibc
#endif

/// Runs a helper program (mosquitto_passwd, openssl) and waits for it.
public enum Subprocess {
  public struct Result: Sendable {
    public var status: Int32
    /// Standard output when captured, else empty.
    public var output: String
  }

  /// `arguments[0]` is the program's absolute path. Standard error goes to /dev/null when capturing
  /// (the caller reports in its own words), else both streams are inherited.
  public static func run(_ arguments: [String], captureOutput: Bool) -> Result? {
    var pipeEnds: [Int32] = [-1, -1]
    if captureOutput, pipe(&pipeEnds) != 0 { return nil }
    let argv = arguments.map { strdup($0) } + [nil]
    defer {
      for pointer in argv { free(pointer) }
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    if captureOutput {
      posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
      posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
      posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, arguments[0], &actions, nil, argv, environ) == 0
    var output: [UInt8] = []
    if captureOutput {
      close(pipeEnds[1])
      var buffer = [UInt8](repeating: 0, count: 4096)
      while spawned {
        let count = read(pipeEnds[0], &buffer, buffer.count)
        if count <= 0 { break }
        output += buffer[0..<count]
      }
      close(pipeEnds[0])
    }
    guard spawned else { return nil }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let exit = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    return Result(status: exit, output: String(decoding: output, as: UTF8.self))
  }
}
