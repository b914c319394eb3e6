import Buffer
import Decode
import DeviceModel
import EventLoop
import Logging
import MQTTClient

/// The ingest stage, a component of the agent's main loop: read a batch from the local broker →
/// decode → commit to SQLite → only then let the PUBACKs out. One thread, no locks.
///
/// The rule that makes QoS 1 crash-safe (`IngestPolicy`): `mqtt.flush()` runs only when nothing
/// read is uncommitted.
public final class IngestStage: LoopComponent {
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
    public var commitLatency = LatencyHistogram()
    /// Connections to the local broker that were accepted (the first one and each reconnect).
    public var brokerConnects = 0
    public var reloadsSucceeded = 0
    public var reloadsFailed = 0
    public var pendingMessages = 0
    public var brokerConnected = false
    public var storeWritable = true
    public var devices: [DeviceStatus: Int] = [:]
    public var maxDevices = 0
    public var clockTrusted = true
    /// Nothing silent: fields decoded and not stored, by profile, field and reason (see
    /// `FieldNote`), and telemetry messages that gave no reading at all, by profile.
    public var notes = DecodeNotes()
  }

  /// Hooks the agent plugs in; each runs on the loop's thread.
  public struct Hooks {
    /// SIGHUP: returns the new decoding set, or nil to keep the current one (the hook logs why).
    public var reload: () -> Reload?
    /// After a commit that stored a device's status change (the uplink sends it at once).
    public var statusChanged: () -> Void

    public init(reload: @escaping () -> Reload? = { nil }, statusChanged: @escaping () -> Void = {}) {
      self.reload = reload
      self.statusChanged = statusChanged
    }
  }

  private let mqtt: MQTTConnection
  private var decoders: DecoderChain
  let writer: BufferWriter
  private var settings: IngestSettings
  private let hooks: Hooks
  var logger: Logger
  private var lastToldBrokerState: MQTTConnection.State?
  private var counts = Statistics()

  private var policy: IngestPolicy
  private var admission: DeviceAdmission
  private var commitFailures: Int { policy.failures }
  private var nextSweepMs: Int64 = 0
  private var clockJumps = ClockJumpDetector()
  var clockTrust = ClockTrust()
  var clockLastTold: ClockTrust.Assessment?
  var nextClockCheckMs: Int64 = 0
  var clockMetaUnwritten = false
  /// Dead letters refused for their time are decoded again at start and after a clock jump
  /// (a box whose clock was wrong refused correctly stamped readings as "in the future").
  private var redecodeAfterID: Int64? = 0
  private var nextCompactMs: Int64 = 0
  private var deadLettersSinceReport: [String: Int] = [:]
  private var nextDeadLetterReportMs: Int64 = 0

  public init(
    mqtt: MQTTConnection, decoders: DecoderChain, writer: BufferWriter, settings: IngestSettings,
    logger: Logger, hooks: Hooks = Hooks()
  ) {
    self.mqtt = mqtt
    self.decoders = decoders
    self.writer = writer
    self.settings = settings
    self.logger = logger
    self.hooks = hooks
    policy = IngestPolicy(
      commitWindowMs: settings.commitWindowMs, maxBatch: settings.maxBatch,
      maxBatchBytes: settings.maxBatchBytes, ackBatch: settings.ackBatch)
    admission = DeviceAdmission(
      maxDevices: settings.maxDevices, maxNewPerMinute: settings.maxNewDevicesPerMinute)
    for subscription in settings.subscriptions {
      mqtt.subscribe(subscription.filter, qos: subscription.qos)
    }
    logger.info(
      "Ingest loop started",
      metadata: ["broker": "\(mqtt.options.host):\(mqtt.options.port)"])
  }

  /// What ingest has done since it started, for metrics; the max commit time is per call.
  public func statistics() -> Statistics {
    var snapshot = counts
    snapshot.pendingMessages = writer.pendingCount
    snapshot.brokerConnected = mqtt.state == .connected
    snapshot.storeWritable = commitFailures == 0
    snapshot.devices = writer.deviceCounts()
    snapshot.maxDevices = settings.maxDevices
    snapshot.clockTrusted = clockAssessment().trusted
    counts.maxCommitSeconds = 0
    return snapshot
  }

  // MARK: - LoopComponent

  public func pollInterests() -> [Poller.Interest] {
    // While commits fail, read nothing more: the broker keeps it, and a redelivery after a
    // keepalive timeout must not land in the held batch a second time.
    let canRead = policy.canRead
    guard let fd = mqtt.socketDescriptor, canRead || policy.mayReleaseAcks else { return [] }
    return [Poller.Interest(fd: fd, read: canRead, write: policy.mayReleaseAcks && mqtt.wantsWrite)]
  }

  public func millisecondsUntilDue(nowMs now: Int64) -> Int64 {
    var timeout: Int64 = 1000  // keepalive bookkeeping granularity
    if let due = policy.commitDueMs() { timeout = min(timeout, max(0, due - now)) }
    if let reconnect = mqtt.millisecondsUntilNextAttempt(nowMs: now) {
      timeout = min(timeout, reconnect)
    }
    return max(0, min(timeout, nextSweepMs - now))
  }

  public func turn(ready: [Poller.Readiness], nowMs now: Int64) {
    mqtt.maintain(nowMs: now)
    logConnectionEvents()
    if let fd = mqtt.socketDescriptor, policy.canRead,
      ready.contains(where: { $0.fd == fd && ($0.readable || $0.failed) })
    {
      mqtt.read(maxMessages: policy.readLimit, nowMs: Clock.monotonicMs())
      decodeReceived()
    }
    sweepIfDue()
    if policy.shouldCommit(nowMs: Clock.monotonicMs()) { commit() }
    if policy.mayReleaseAcks { mqtt.flush(nowMs: Clock.monotonicMs()) }
  }

  public func statusLine() -> String? {
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

  public func statusChanged() -> Bool {
    defer { lastToldBrokerState = mqtt.state }
    return lastToldBrokerState != mqtt.state
  }

  /// SIGHUP. Messages already read were decoded with the old set and stay in the batch.
  public func reload() {
    logger.notice("Reload requested")
    guard let reloaded = hooks.reload() else {
      counts.reloadsFailed += 1
      return
    }
    counts.reloadsSucceeded += 1
    decoders = reloaded.decoders
    let qos = settings.subscriptions.first?.qos ?? 1
    for filter in reloaded.filters
    where !settings.subscriptions.contains(where: { $0.filter == filter }) {
      settings.subscriptions.append(.init(filter: filter, qos: qos))
      mqtt.subscribe(filter, qos: qos)
    }
    logger.notice("Reloaded", metadata: ["decoders": "\(reloaded.decoders.decoders.map(\.name))"])
  }

  private func decodeReceived() {
    let messages = mqtt.takeMessages()
    guard !messages.isEmpty else { return }
    let receivedAt = Clock.wallMs()
    for message in messages {
      let (family, result) = decoders.explain(
        topic: message.topic, payload: message.payload, size: message.size, receivedAt: receivedAt)
      var outcome = result
      noteDeviceTime(result, topic: message.topic)
      if case .decoded(let decoded) = result,
        case .refuse(let why) = admission.decide(
          known: writer.knows(decoded.device.id), deviceCount: writer.deviceCount,
          family: family ?? "unknown", nowMs: Clock.monotonicMs())
      {
        outcome = .deadLetter(DeadLetterReason(.deviceLimit, why))
      }
      switch outcome {
      case .decoded(let decoded):
        // A multi-channel device's message is one message per channel device.
        for part in decoded.parts { writer.add(part, receivedAt: receivedAt) }
        counts.notes.count(decoded)
      case .ignored:
        // Nothing to store, so nothing to wait for: its PUBACK may leave with the next flush.
        continue
      case .deadLetter(let reason):
        writer.addDeadLetter(
          topic: message.topic, payload: message.payload, size: message.size, reason: reason,
          receivedAt: receivedAt)
        deadLettersSinceReport[reason.code.rawValue, default: 0] += 1
        counts.deadLetters[reason.code.rawValue, default: 0] += 1
      }
      // Only messages handed to the writer hold the batch open and their acknowledgement back.
      policy.held(
        qos: message.qos, bytes: message.payload.count + message.topic.utf8.count,
        nowMs: Clock.monotonicMs())
    }
  }

  private func commit() {
    let started = Clock.monotonicMs()
    let wallNow = Clock.wallMs()
    do {
      let summary = try writer.commit(now: wallNow)
      if commitFailures > 0 {
        logger.notice("Store writable again", metadata: ["failed.attempts": "\(commitFailures)"])
      }
      policy.committed()
      logStatusChanges(summary)
      if !summary.statusChanges.isEmpty { hooks.statusChanged() }
      reportDeadLetters(now: started)
      let seconds = Double(Clock.monotonicMs() - started) / 1000
      counts.commits += 1
      counts.messagesReceived += summary.messages
      counts.readingsStored += summary.readingsStored
      counts.duplicateReadings += summary.duplicateReadings
      counts.lastCommitSeconds = seconds
      counts.maxCommitSeconds = max(counts.maxCommitSeconds, seconds)
      counts.commitLatency.observe(seconds)
      logger.trace(
        "Batch committed",
        metadata: [
          "messages": "\(summary.messages)", "ms": "\(Clock.monotonicMs() - started)",
        ])
    } catch {
      // Keep the batch and hold the PUBACKs: the broker keeps QoS 1 messages until we can store them.
      policy.commitFailed(nowMs: started)
      counts.commitFailures += 1
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
    let stale = writer.sweepStale(now: wallNow, staleAfterMs: settings.staleAfterMs)
    for _ in 0..<stale { policy.heldOther(nowMs: now) }
    if let jump = clockJumps.jump(wallMs: wallNow, monotonicMs: now) {
      clockTrust.noteJump(byMs: jump, nowMs: now)
      logger.warning(
        "The wall clock jumped; dead letters refused for their time are decoded again",
        metadata: [
          "jump.s": "\(jump / 1000)",
          "ntp.synchronised": "\(SystemFacts.clockSynchronized().map(String.init) ?? "unknown")",
        ])
      redecodeAfterID = 0
    }
    guard policy.pendingItems == 0, commitFailures == 0 else { return }
    checkClock(nowMs: now)
    if redecodeAfterID != nil { redecodeTimeRefusals(nowMs: now, wallMs: wallNow) }
    do {
      // Latest values, last_seen, counters and the heartbeat (the CLI tells a quiet school from
      // a stopped agent by it); then, now and then, compaction of the committed log.
      try writer.flushIfDue(now: wallNow)
      if now >= nextCompactMs {
        let moved = try writer.compact(limit: settings.compactRows)
        nextCompactMs = moved >= settings.compactRows ? now + 1000 : now + settings.compactEveryMs
      }
    } catch {
      logger.warning("Cannot write the agent's state to the store", metadata: ["error": "\(error)"])
    }
  }

  /// One batch of time refusals through today's decoders: what decodes now is stored and its
  /// dead letter deleted in the same commit; what is still refused stays.
  private func redecodeTimeRefusals(nowMs: Int64, wallMs: Int64) {
    guard let after = redecodeAfterID else { return }
    do {
      let refusals = try writer.timeRefusals(after: after, limit: 500)
      var recovered = 0
      for refusal in refusals {
        guard
          case .decoded(let decoded) = decoders.decode(
            topic: refusal.topic, payload: refusal.payload, receivedAt: wallMs)
        else { continue }
        for part in decoded.parts { writer.add(part, receivedAt: wallMs) }
        writer.resolveDeadLetter(refusal.id)
        policy.heldOther(nowMs: nowMs)
        recovered += 1
      }
      redecodeAfterID = refusals.count < 500 ? nil : refusals.last?.id
      if recovered > 0 {
        logger.notice(
          "Stored messages refused earlier for their time (the clock was wrong)",
          metadata: ["messages": "\(recovered)"])
      }
    } catch {
      logger.warning("Cannot read the dead letters refused for their time", metadata: ["error": "\(error)"])
      redecodeAfterID = nil
    }
  }

  /// SIGTERM: commits what it holds, acknowledges it and disconnects. Throws only when the last
  /// batch cannot be committed (the broker will redeliver its QoS 1 part).
  public func shutDown() throws {
    logger.notice("Stopping: committing the last batch")
    var lastError: (any Error)?
    do {
      if writer.pendingCount > 0 { _ = try writer.commit(now: Clock.wallMs()) }
      try writer.flush(now: Clock.wallMs())
    } catch {
      lastError = error
      logger.error(
        "Could not commit the last batch; unacknowledged QoS 1 messages stay with the broker",
        metadata: ["error": "\(error)", "pending": "\(writer.pendingCount)"])
    }
    if lastError == nil {
      mqtt.flush(nowMs: Clock.monotonicMs())
    }
    mqtt.close()
    logger.notice("Stopped")
    if let lastError { throw lastError }
  }

  // MARK: - Logging

  private func logConnectionEvents() {
    for event in mqtt.takeEvents() {
      switch event {
      case .connected(let sessionPresent):
        subacksSinceConnect = 0
        counts.brokerConnects += 1
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
    let refused = admission.takeRefusals()
    if !refused.isEmpty {
      logger.warning(
        "New devices refused: the device limits are reached",
        metadata: [
          "by.family":
            "\(refused.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))",
          "devices": "\(writer.deviceCount)", "limit": "\(settings.maxDevices)",
        ])
    }
    deadLettersSinceReport.removeAll()
    nextDeadLetterReportMs = now + 60_000
  }
}

@available(*, unavailable)
extension IngestStage: Sendable {}
