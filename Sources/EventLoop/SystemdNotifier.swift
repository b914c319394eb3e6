#if canImport(Glibc)
  import Glibc
#endif

/// The sd_notify protocol without libsystemd: one datagram per message to `$NOTIFY_SOCKET`
/// (a path, or `@name` for the abstract namespace). Does nothing when not run by systemd.
/// See sd_notify(3): READY=1, STATUS=…, WATCHDOG=1, RELOADING=1, STOPPING=1.
public final class SystemdNotifier {
  private let socket: Int32
  private var address = sockaddr_un()
  private let addressLength: socklen_t
  /// Half of `WatchdogSec=` in ms when the watchdog is on for this process, else nil.
  public let watchdogIntervalMs: Int64?

  /// nil when `NOTIFY_SOCKET` is unset or unusable.
  public init?(environment: [String: String]) {
    guard let path = environment["NOTIFY_SOCKET"], !path.isEmpty, path.utf8.count < 108 else { return nil }
    let fd = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { return nil }
    socket = fd
    address.sun_family = sa_family_t(AF_UNIX)
    var bytes = Array(path.utf8)
    if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }  // abstract namespace
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
      for (index, byte) in bytes.enumerated() { raw[index] = byte }
    }
    addressLength = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
    if let usec = environment["WATCHDOG_USEC"].flatMap(Int64.init), usec > 0,
      environment["WATCHDOG_PID"].flatMap(Int32.init).map({ $0 == getpid() }) ?? true
    {
      watchdogIntervalMs = max(usec / 2000, 1)
    } else {
      watchdogIntervalMs = nil
    }
  }

  deinit {
    close(socket)
  }

  /// Sends one notification; failures are ignored, as sd_notify's callers do.
  public func notify(_ state: String) {
    var message = Array(state.utf8)
    _ = withUnsafePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
        message.withUnsafeMutableBytes { bytes in
          sendto(socket, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), socketAddress, addressLength)
        }
      }
    }
  }
}

@available(*, unavailable)
extension SystemdNotifier: Sendable {}
