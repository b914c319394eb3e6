#if canImport(Glibc)
  import Glibc
#endif

/// One agent per store: a POSIX record lock (`fcntl(F_SETLK)`, write, whole file) on
/// `<store>.lock`, held for the life of the process. The kernel drops it when the process exits
/// however it exits (`kill -9`, power cut), so a stale lock file never blocks a restart; and
/// `F_GETLK` tells a second agent which PID holds it. Read-only CLI commands never take it.
///
/// The file also holds the PID as text, for a technician with `cat`; the lock, not the text, is
/// what counts. Not Sendable: one owner keeps it until exit.
public final class InstanceLock {
  public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another process holds the lock (its PID when the kernel says).
    case held(path: String, pid: Int32?)
    /// The lock file cannot be opened or locked (missing directory, permissions, …).
    case unavailable(path: String, reason: String)

    public var description: String {
      switch self {
      case .held(let path, let pid):
        "\(path) is locked by another classgate agent" + (pid.map { " (PID \($0))" } ?? "")
      case .unavailable(let path, let reason):
        "cannot lock \(path): \(reason)"
      }
    }
  }

  public let path: String
  private let descriptor: Int32

  public init(path: String) throws(Failure) {
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw .unavailable(path: path, reason: Self.lastError()) }
    var request = Self.wholeFile(type: F_WRLCK)
    if fcntl(fd, F_SETLK, &request) != 0 {
      let code = errno
      defer { close(fd) }
      guard code == EAGAIN || code == EACCES else {
        throw .unavailable(path: path, reason: String(cString: strerror(code)))
      }
      var probe = Self.wholeFile(type: F_WRLCK)
      // 0 when the holder is in another PID namespace (a container): no PID to name then.
      let pid: Int32? =
        fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type != F_UNLCK && probe.l_pid > 0 ? probe.l_pid : nil
      throw .held(path: path, pid: pid)
    }
    descriptor = fd
    self.path = path
    let text = Array("\(getpid())\n".utf8)
    if ftruncate(fd, 0) == 0 {
      _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }
  }

  /// Releases the lock (closing the descriptor drops it). Normally only at process exit.
  deinit { close(descriptor) }

  private static func wholeFile(type: Int32) -> flock {
    var request = flock()
    request.l_type = Int16(type)
    request.l_whence = Int16(SEEK_SET)
    request.l_start = 0
    request.l_len = 0
    return request
  }

  private static func lastError() -> String { String(cString: strerror(errno)) }
}

@available(*, unavailable)
extension InstanceLock: Sendable {}
