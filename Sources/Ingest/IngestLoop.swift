import Buffer
import Decode
import DeviceModel
import EventLoop
import Logging
import MQTTClient

/// The agent's one loop: read a batch from the local broker → decode → commit to SQLite → only then
/// let the PUBACKs out. One thread, no locks: signals, timers and the socket all come through `poll`.
///
/// The rule that makes QoS 1 crash-safe: `mqtt.flush()` runs only when nothing read is uncommitted.
public final class IngestLoop {
  /// What a reload hands over: the new decoders and every topic filter they need.
  public struct Reload {
    public var decoders: DecoderChain
    public var filters: [String]
    public init(decoders: DecoderChain, filters: [String]) {
      self.decoders = decoders
      self.filters = filters
    }
  }

  /// What the loop has done since it started, for metrics.
  public struct Statistics: Sendable {
    public var messagesReceived = 0
    public var readingsStored = 0
    public var duplicateReadings = 0
    public var deadLetters: [String: Int] = [:]
    public var commits = 0
    public var commitFailures = 0
    public var lastCommitSeconds = 0.0
    public var maxCommitSeconds = 0.0
    public var pendingMessages = 0
    public var brokerConnected = false
    public var storeWritable = true
    public var devices: [DeviceStatus: Int] = [:]
    /// Nothing silent: fields decoded and not stored, by profile, field and reason (see
    /// `FieldNote`), and telemetry messages that gave no reading at all, by profile.
    public var notes = DecodeNotes()
  }

  /// Hooks the agent plugs in; each runs on the loop's thread.
  public struct Hooks {
    /// SIGHUP: returns the new decoding set, or nil to keep the current one (the hook logs why).
    public var reload: () -> Reload?
    /// Every few seconds, with the loop's statistics (the metrics textfile).
    public var report: (Statistics) -> Void

    public init(
      reload: @escaping () -> Reload? = { nil },
      report: @escaping (Statistics) -> Void = { _ in }
    ) {
      self.reload = reload
      self.report = report
    }
  }

  private let mqtt: MQTTConnection
  private var decoders: DecoderChain
  private let writer: BufferWriter
  private let signals: SignalWatcher
  private var settings: IngestSettings
  private let hooks: Hooks
  private var logger: Logger
  private let systemd: SystemdNotifier?
  private let companions: [any LoopCompanion]
  private var nextWatchdogMs: Int64 = 0
  private var nextStatusMs: Int64 = 0
  private var lastToldBrokerState: MQTTConnection.State?
  private var statistics = Statistics()
  private var nextReportMs: Int64 = 0

  private var pendingSinceMs: Int64?
  private var pendingAcks = 0
  private var stopping = false
  private var commitRetryAtMs: Int64 = 0
  private var commitFailures = 0
  private var lastCommitWallMs: Int64 = 0
  private var nextSweepMs: Int64 = 0
  private var deadLettersSinceReport: [String: Int] = [:]
  private var nextDeadLetterReportMs: Int64 = 0

  public init(
    mqtt: MQTTConnection, decoders: DecoderChain, writer: BufferWriter, signals: SignalWatcher,
    settings: IngestSettings, logger: Logger, hooks: Hooks = Hooks(), systemd: SystemdNotifier? = nil,
    companions: [any LoopCompanion] = []
  ) {
    self.systemd = systemd
    self.companions = companions
    self.mqtt = mqtt
    self.decoders = decoders
    self.writer = writer
    self.signals = signals
    self.settings = settings
    self.logger = logger
    self.hooks = hooks
    for subscription in settings.subscriptions {
      mqtt.subscribe(subscription.filter, qos: subscription.qos)
    }
  }

  /// Runs until SIGTERM/SIGINT, then commits what it holds, acknowledges it and disconnects.
  /// Throws only when the last batch cannot be committed (the broker will redeliver its QoS 1 part).
  public func run() throws {
    logger.info(
      "Ingest loop started",
      metadata: ["broker": "\(mqtt.options.host):\(mqtt.options.port)"])
    // The store is open and the loop about to run: ready, even while the broker is still retrying.
    systemd?.notify("READY=1\nSTATUS=\(statusLine())")
    while !stopping {
      turn()
      tellSystemd()
    }
    systemd?.notify("STOPPING=1")
    try shutDown()
  }

  // MARK: - One turn of the loop

  private func turn() {
    let now = Clock.monotonicMs()
    mqtt.maintain(nowMs: now)
    logConnectionEvents()

    var interests = [Poller.Interest(fd: signals.descriptor)]
    // While commits fail, read nothing more: the broker keeps it, and a redelivery after a
    // keepalive timeout must not land in the held batch a second time.
    let canRead = commitFailures == 0 && writer.pendingCount < settings.maxBatch
    if let fd = mqtt.socketDescriptor, canRead || writer.pendingCount == 0 {
      interests.append(
        Poller.Interest(fd: fd, read: canRead, write: writer.pendingCount == 0 && mqtt.wantsWrite))
    }
    for companion in companions { interests += companion.pollInterests() }
    let ready = Poller.wait(interests, timeoutMs: Int32(timeoutMs(now: now)))

    if ready.contains(where: { $0.fd == signals.descriptor }) { handleSignals() }
    if let fd = mqtt.socketDescriptor, canRead,
      ready.contains(where: { $0.fd == fd && ($0.readable || $0.failed) })
    {
      mqtt.read(maxMessages: settings.maxBatch - writer.pendingCount, nowMs: Clock.monotonicMs())
      decodeReceived()
    }
    sweepIfDue()
    if shouldCommit(now: Clock.monotonicMs()) { commit() }
    if writer.pendingCount == 0 { mqtt.flush(nowMs: Clock.monotonicMs()) }
    for companion in companions { companion.turn(ready: ready, nowMs: Clock.monotonicMs()) }
  }

  /// WATCHDOG=1 from the loop itself: a hung loop (or a commit that never returns) stops it and
  /// systemd restarts the agent. STATUS= every few seconds for `systemctl status`.
  private func tellSystemd() {
    let now = Clock.monotonicMs()
    if now >= nextReportMs {
      statistics.pendingMessages = writer.pendingCount
      statistics.brokerConnected = mqtt.state == .connected
      statistics.storeWritable = commitFailures == 0
      statistics.devices = writer.deviceCounts()
      hooks.report(statistics)
      statistics.maxCommitSeconds = 0
      nextReportMs = now + 5000
    }
    guard let systemd else { return }
    if let interval = systemd.watchdogIntervalMs, now >= nextWatchdogMs {
      systemd.notify("WATCHDOG=1")
      nextWatchdogMs = now + interval
    }
    // Every few seconds, and at once when the broker connection changes.
    if now >= nextStatusMs || lastToldBrokerState != mqtt.state {
      systemd.notify("STATUS=\(statusLine())")
      nextStatusMs = now + 5000
      lastToldBrokerState = mqtt.state
    }
  }

  private func statusLine() -> String {
    let counts = writer.deviceCounts()
    let broker =
      switch mqtt.state {
      case .connected: "broker connected"
      case .connecting: "broker connecting"
      default: "broker unreachable, retrying"
      }
    var line =
      "\(counts[.online] ?? 0) devices online, \(counts[.offline] ?? 0) offline, \(counts[.stale] ?? 0) stale; "
      + "\(broker); \(writer.pendingCount) messages waiting to commit"
    if commitFailures > 0 { line += "; STORE NOT WRITABLE" }
    return line
  }

  private func timeoutMs(now: Int64) -> Int64 {
    var timeout: Int64 = 1000  // keepalive bookkeeping granularity
    if let interval = systemd?.watchdogIntervalMs { timeout = min(timeout, interval) }
    if let since = pendingSinceMs {
      let due = commitFailures > 0 ? commitRetryAtMs : since + settings.commitWindowMs
      timeout = min(timeout, max(0, due - now))
    }
    if let reconnect = mqtt.millisecondsUntilNextAttempt(nowMs: now) {
      timeout = min(timeout, reconnect)
    }
    timeout = min(timeout, max(0, nextSweepMs - now))
    for companion in companions { timeout = min(timeout, companion.millisecondsUntilDue(nowMs: now)) }
    return max(0, timeout)
  }

  private func decodeReceived() {
    let messages = mqtt.takeMessages()
    guard !messages.isEmpty else { return }
    let receivedAt = Clock.wallMs()
    for message in messages {
      switch decoders.decode(topic: message.topic, payload: message.payload, receivedAt: receivedAt)
      {
      case .decoded(let decoded):
        // A multi-channel device's message is one message per channel device.
        for part in decoded.parts { writer.add(part, receivedAt: receivedAt) }
        statistics.notes.count(decoded)
      case .ignored:
        // Nothing to store, so nothing to wait for: its PUBACK may leave with the next flush.
        continue
      case .deadLetter(let reason):
        writer.addDeadLetter(
          topic: message.topic, payload: message.payload, reason: reason, receivedAt: receivedAt)
        deadLettersSinceReport[reason.code.rawValue, default: 0] += 1
        statistics.deadLetters[reason.code.rawValue, default: 0] += 1
      }
      // Only messages handed to the writer hold the batch open and their acknowledgement back.
      if pendingSinceMs == nil { pendingSinceMs = Clock.monotonicMs() }
      if message.qos > 0 { pendingAcks += 1 }
    }
  }

  private func shouldCommit(now: Int64) -> Bool {
    guard writer.pendingCount > 0 || pendingAcks > 0 else { return false }
    if commitFailures > 0 && now < commitRetryAtMs && !stopping { return false }
    if stopping || writer.pendingCount >= settings.maxBatch || pendingAcks >= settings.ackBatch {
      return true
    }
    guard let since = pendingSinceMs else { return true }
    return now - since >= settings.commitWindowMs
  }

  private func commit() {
    let started = Clock.monotonicMs()
    let wallNow = Clock.wallMs()
    do {
      let summary = try writer.commit(now: wallNow)
      if commitFailures > 0 {
        logger.notice("Store writable again", metadata: ["failed.attempts": "\(commitFailures)"])
      }
      commitFailures = 0
      pendingSinceMs = nil
      pendingAcks = 0
      lastCommitWallMs = wallNow
      logStatusChanges(summary)
      reportDeadLetters(now: started)
      let seconds = Double(Clock.monotonicMs() - started) / 1000
      statistics.commits += 1
      statistics.messagesReceived += summary.messages
      statistics.readingsStored += summary.readingsStored
      statistics.duplicateReadings += summary.duplicateReadings
      statistics.lastCommitSeconds = seconds
      statistics.maxCommitSeconds = max(statistics.maxCommitSeconds, seconds)
      logger.trace(
        "Batch committed",
        metadata: [
          "messages": "\(summary.messages)", "ms": "\(Clock.monotonicMs() - started)",
        ])
    } catch {
      // Keep the batch and hold the PUBACKs: the broker keeps QoS 1 messages until we can store them.
      commitFailures += 1
      statistics.commitFailures += 1
      let delay: Int64 = min(30_000, 250 << Int64(min(commitFailures, 7)))
      commitRetryAtMs = started + delay
      if commitFailures == 1 || commitFailures % 20 == 0 {
        logger.error(
          "Cannot commit to the store; holding the batch and retrying",
          metadata: [
            "error": "\(error)", "pending": "\(writer.pendingCount)",
            "attempt": "\(commitFailures)",
          ])
      }
    }
  }

  private func sweepIfDue() {
    let now = Clock.monotonicMs()
    guard now >= nextSweepMs else { return }
    nextSweepMs = now + max(250, min(5000, settings.staleAfterMs / 4))
    let wallNow = Clock.wallMs()
    if writer.sweepStale(now: wallNow, staleAfterMs: settings.staleAfterMs) > 0 {
      if pendingSinceMs == nil { pendingSinceMs = now }
    } else if writer.pendingCount == 0, wallNow - lastCommitWallMs >= 10_000 {
      // Lets the CLI tell a quiet school from a stopped agent.
      do {
        try writer.heartbeat(now: wallNow)
        lastCommitWallMs = wallNow
      } catch {
        logger.warning("Cannot write the heartbeat", metadata: ["error": "\(error)"])
      }
    }
  }

  private func handleSignals() {
    for signal in signals.take() {
      switch signal {
      case .terminate, .interrupt:
        if !stopping { logger.notice("Stopping: committing the last batch") }
        stopping = true
      case .reload:
        logger.notice("Reload requested")
        systemd?.notify("RELOADING=1")
        defer { systemd?.notify("READY=1") }
        // Messages already read were decoded with the old set and stay in the batch: nothing is lost.
        if let reloaded = hooks.reload() {
          decoders = reloaded.decoders
          let qos = settings.subscriptions.first?.qos ?? 1
          for filter in reloaded.filters
          where !settings.subscriptions.contains(where: { $0.filter == filter }) {
            settings.subscriptions.append(.init(filter: filter, qos: qos))
            mqtt.subscribe(filter, qos: qos)
          }
          logger.notice(
            "Reloaded", metadata: ["decoders": "\(reloaded.decoders.decoders.map(\.name))"])
        }
      }
    }
  }

  private func shutDown() throws {
    var lastError: (any Error)?
    if writer.pendingCount > 0 {
      do {
        _ = try writer.commit(now: Clock.wallMs())
      } catch {
        lastError = error
        logger.error(
          "Could not commit the last batch; unacknowledged QoS 1 messages stay with the broker",
          metadata: ["error": "\(error)", "pending": "\(writer.pendingCount)"])
      }
    }
    if lastError == nil {
      mqtt.flush(nowMs: Clock.monotonicMs())
    }
    mqtt.close()
    for companion in companions { companion.shutDown() }
    logger.notice("Stopped")
    if let lastError { throw lastError }
  }

  // MARK: - Logging

  private func logConnectionEvents() {
    for event in mqtt.takeEvents() {
      switch event {
      case .connected(let sessionPresent):
        subacksSinceConnect = 0
        logger.notice(
          "Connected to the local broker", metadata: ["session.present": "\(sessionPresent)"])
      case .refused(let reason):
        logger.error("Local broker refused the connection", metadata: ["reason": "\(reason)"])
      case .disconnected(let reason):
        logger.warning("Disconnected from the local broker", metadata: ["reason": "\(reason)"])
      case .subscribed(_, let granted):
        if granted.contains(where: { $0 > 2 }) {
          logger.error(
            "Local broker refused a subscription (check the ACL)", metadata: ["granted": "\(granted)"])
        } else {
          subacksSinceConnect += 1
          // One line per connection, once every filter is granted.
          if subacksSinceConnect == settings.subscriptions.count {
            logger.info("Subscribed", metadata: ["filters": "\(settings.subscriptions.count)"])
          }
        }
      case .published:
        break
      }
    }
    if case .disconnected = mqtt.state, let error = mqtt.lastError, !reportedConnectError {
      logger.warning("Local broker not reachable; retrying", metadata: ["error": "\(error)"])
      reportedConnectError = true
    } else if mqtt.state == .connected {
      reportedConnectError = false
    }
  }

  private var reportedConnectError = false
  private var subacksSinceConnect = 0

  private func logStatusChanges(_ summary: BufferWriter.CommitSummary) {
    for change in summary.statusChanges {
      logger.info(
        "Device status changed",
        metadata: [
          "device.id": "\(change.device)", "status": "\(change.status.rawValue)",
          "cause": "\(change.cause)",
        ])
    }
  }

  private func reportDeadLetters(now: Int64) {
    guard !deadLettersSinceReport.isEmpty, now >= nextDeadLetterReportMs else { return }
    let reasons = deadLettersSinceReport.sorted { $0.key < $1.key }
      .map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    logger.warning("Dead letters stored", metadata: ["reasons": "\(reasons)"])
    deadLettersSinceReport.removeAll()
    nextDeadLetterReportMs = now + 60_000
  }
}

@available(*, unavailable)
extension IngestLoop: Sendable {}
