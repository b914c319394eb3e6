/// One part of the agent that shares its single thread: ingest, the uplink. The main loop polls
/// every component's sockets at once, gives each a turn in order, and shuts them down in reverse
/// order (as swift-service-lifecycle's ServiceGroup does, but synchronously: ingest must hold its
/// PUBACKs back until its commit, which an async hand-off cannot promise).
public protocol LoopComponent: AnyObject {
  /// File descriptors to poll this turn.
  func pollInterests() -> [Poller.Interest]
  /// Milliseconds until it next needs a turn without any socket activity.
  func millisecondsUntilDue(nowMs: Int64) -> Int64
  /// One turn: handle ready sockets and whatever is due. Must not block for long.
  func turn(ready: [Poller.Readiness], nowMs: Int64)
  /// SIGHUP: re-read what can be re-read without a restart.
  func reload()
  /// Its part of systemd's STATUS= line, if any.
  func statusLine() -> String?
  /// True when its status changed in a way worth telling at once (a lost broker).
  func statusChanged() -> Bool
  /// SIGTERM: finish what is in hand (commit, acknowledge, say goodbye).
  func shutDown() throws
}

extension LoopComponent {
  public func reload() {}
  public func statusLine() -> String? { nil }
  public func statusChanged() -> Bool { false }
}

/// The agent's neutral host: `poll`, signals, systemd READY/WATCHDOG/STATUS/STOPPING, the
/// periodic report (metrics), and ordered shutdown. It knows nothing of MQTT or SQLite.
public final class MainLoop {
  public struct Hooks {
    /// SIGHUP, before the components reload.
    public var reloading: () -> Void
    /// Every `reportIntervalMs` (the metrics textfile).
    public var report: () -> Void
    public init(reloading: @escaping () -> Void = {}, report: @escaping () -> Void = {}) {
      self.reloading = reloading
      self.report = report
    }
  }

  private let components: [any LoopComponent]
  private let signals: SignalWatcher?
  private let systemd: SystemdNotifier?
  private let hooks: Hooks
  private let reportIntervalMs: Int64
  private var stopping = false
  private var nextWatchdogMs: Int64 = 0
  private var nextStatusMs: Int64 = 0
  private var nextReportMs: Int64 = 0

  public init(
    components: [any LoopComponent], signals: SignalWatcher?, systemd: SystemdNotifier? = nil,
    hooks: Hooks = Hooks(), reportIntervalMs: Int64 = 5000
  ) {
    self.components = components
    self.signals = signals
    self.systemd = systemd
    self.hooks = hooks
    self.reportIntervalMs = reportIntervalMs
  }

  /// Asks the loop to stop after the current turn (what SIGTERM does; tests call it directly).
  public func stop() { stopping = true }

  /// Runs until stopped, then shuts the components down in reverse order. Every component is
  /// shut down even when one fails; the first error is thrown afterwards.
  public func run() throws {
    systemd?.notify("READY=1\nSTATUS=\(statusLine())")
    while !stopping {
      turn()
      tellSystemd()
    }
    systemd?.notify("STOPPING=1")
    var firstError: (any Error)?
    for component in components.reversed() {
      do {
        try component.shutDown()
      } catch {
        firstError = firstError ?? error
      }
    }
    if let firstError { throw firstError }
  }

  /// One turn: a single `poll` over every component's sockets and the signal descriptor.
  public func turn() {
    let now = Clock.monotonicMs()
    var interests: [Poller.Interest] = []
    if let signals { interests.append(Poller.Interest(fd: signals.descriptor)) }
    var timeout: Int64 = 1000
    if let interval = systemd?.watchdogIntervalMs { timeout = min(timeout, interval) }
    for component in components {
      interests += component.pollInterests()
      timeout = min(timeout, component.millisecondsUntilDue(nowMs: now))
    }
    let ready = Poller.wait(interests, timeoutMs: Int32(max(0, timeout)))
    if let signals, ready.contains(where: { $0.fd == signals.descriptor }) { handleSignals(signals) }
    for component in components { component.turn(ready: ready, nowMs: Clock.monotonicMs()) }
  }

  private func handleSignals(_ signals: SignalWatcher) {
    for signal in signals.take() {
      switch signal {
      case .terminate, .interrupt:
        stopping = true
      case .reload:
        systemd?.notify("RELOADING=1")
        hooks.reloading()
        for component in components { component.reload() }
        systemd?.notify("READY=1")
      }
    }
  }

  /// WATCHDOG=1 from the loop itself: a hung turn (or a commit that never returns) stops it and
  /// systemd restarts the agent. STATUS= every few seconds, and at once when it changes.
  private func tellSystemd() {
    let now = Clock.monotonicMs()
    if now >= nextReportMs {
      hooks.report()
      nextReportMs = now + reportIntervalMs
    }
    guard let systemd else { return }
    if let interval = systemd.watchdogIntervalMs, now >= nextWatchdogMs {
      systemd.notify("WATCHDOG=1")
      nextWatchdogMs = now + interval
    }
    // Every component is asked, so each can note what it last told.
    let changed = components.map { $0.statusChanged() }.contains(true)
    if now >= nextStatusMs || changed {
      systemd.notify("STATUS=\(statusLine())")
      nextStatusMs = now + 5000
    }
  }

  private func statusLine() -> String {
    components.compactMap { $0.statusLine() }.joined(separator: "; ")
  }
}

@available(*, unavailable)
extension MainLoop: Sendable {}
