import CLinux

#if canImport(Glibc)
  import Glibc
#endif

/// Turns SIGTERM, SIGINT and SIGHUP into readable events on a descriptor (signalfd), so the agent's
/// single loop handles them between batches instead of in an async-signal context.
///
/// Create it before any other thread starts: the signals are blocked for the calling thread, and
/// threads created later inherit the mask.
public final class SignalWatcher {
  public enum Signal: Sendable, Equatable {
    case terminate  // SIGTERM
    case interrupt  // SIGINT
    case reload  // SIGHUP
  }

  public let descriptor: Int32

  public init() {
    var mask = sigset_t()
    sigemptyset(&mask)
    for signal in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&mask, signal) }
    pthread_sigmask(SIG_BLOCK, &mask, nil)
    descriptor = signalfd(-1, &mask, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
    precondition(descriptor >= 0, "signalfd failed: \(String(cString: strerror(errno)))")
  }

  deinit {
    Glibc.close(descriptor)
  }

  /// Signals delivered since the last call, oldest first.
  public func take() -> [Signal] {
    var signals: [Signal] = []
    var info = signalfd_siginfo()
    while read(descriptor, &info, MemoryLayout<signalfd_siginfo>.size)
      == MemoryLayout<signalfd_siginfo>.size
    {
      switch Int32(info.ssi_signo) {
      case SIGTERM: signals.append(.terminate)
      case SIGINT: signals.append(.interrupt)
      case SIGHUP: signals.append(.reload)
      default: break
      }
    }
    return signals
  }
}

@available(*, unavailable)
extension SignalWatcher: Sendable {}
