import Buffer
import DeviceModel
import EventLoop
import Logging
import MQTTClient
import SQLiteStore

/// Drains the outbox to the IOC broker: QoS 1, a bounded number in flight and a bounded rate,
/// the events lane and the summaries lane taking turns, each oldest first. A message is marked
/// delivered only when its PUBACK arrives; anything unacknowledged when the link drops is sent
/// again after the reconnect (the IOC drops the copy by seq).
public final class UplinkPublisher {
  public struct Settings: Sendable {
    public var maxInFlight: Int
    public var maxPerSecond: Int
    public var presenceIntervalMs: Int64
    public init(maxInFlight: Int = 20, maxPerSecond: Int = 500, presenceIntervalMs: Int64 = 60_000) {
      self.maxInFlight = maxInFlight
      self.maxPerSecond = maxPerSecond
      self.presenceIntervalMs = presenceIntervalMs
    }
  }

  /// What `classgate uplink` shows; stored in `meta` when it changes.
  public struct State: Sendable, Equatable {
    public var connected = false
    public var since: EpochMillis?
    public var lastError: String?
    public var lastErrorAt: EpochMillis?
    public init() {}
  }

  /// Totals since the agent started, for metrics.
  public struct Counts: Sendable, Equatable {
    public var connects = 0
    public var sent = 0
    public var acknowledged = 0
    public init() {}
  }

  public let mqtt: MQTTConnection
  public private(set) var state = State()
  public private(set) var counts = Counts()
  /// Called when `state` changes (the stage stores it for the CLI).
  public var onStateChange: (State) -> Void = { _ in }
  /// Messages from the IOC on the subscribed topics (the commands), as they are read.
  var onMessage: (MQTTMessage) -> Void = { _ in }

  private let outbox: Outbox
  private let messages: UplinkMessages
  private let settings: Settings
  private let logger: Logger
  private let health: () -> UplinkMessages.Health
  private var inFlight: [Int32: Int64] = [:]
  private var queued: [Outbox.Lane: [Outbox.Message]] = [:]
  private var cursor: [Outbox.Lane: Int64] = [:]
  /// Lanes found empty; looked at again when `wake()` says there is news, or every second.
  private var idleUntilMs: [Outbox.Lane: Int64] = [:]
  private var nextLane: Outbox.Lane = .events
  private var tokens = 0.0
  private var lastRefillMs: Int64 = 0
  private var nextPresenceMs: Int64 = 0
  private var acknowledged: [Int64] = []
  private var nextAckWriteMs: Int64 = 0
  static let ackWriteIntervalMs: Int64 = 5000
  /// Link losses soon after a message was sent and before its PUBACK, per seq: a broker that
  /// closes the link on one message (over its packet limit) would otherwise block the queue.
  private var dropsWhileInFlight: [Int64: Int] = [:]
  /// Payload sizes of the messages in flight, by seq: the largest is the likely culprit.
  private var inFlightBytes: [Int64: Int] = [:]
  private var connectedAtMs: Int64?
  /// Drops before a message is set aside, and how soon after the connect a drop counts.
  static let dropsBeforeSetAside = 3
  static let dropWithinMs: Int64 = 15_000

  public init(
    options: MQTTOptions, outbox: Outbox, messages: UplinkMessages, settings: Settings,
    logger: Logger, health: @escaping () -> UplinkMessages.Health
  ) throws {
    var options = options
    options.will = .init(
      topic: messages.topicPrefix + UplinkMessages.Topic.presence,
      payload: messages.offlinePresence(), qos: 1, retain: true)
    mqtt = try MQTTConnection(options: options)
    self.outbox = outbox
    self.messages = messages
    self.settings = settings
    self.logger = logger
    self.health = health
  }

  /// New messages were queued: look at both lanes again now.
  public func wake() { idleUntilMs.removeAll() }

  public var pollInterests: [Poller.Interest] {
    guard let fd = mqtt.socketDescriptor else { return [] }
    return [Poller.Interest(fd: fd, read: true, write: mqtt.wantsWrite)]
  }

  public func millisecondsUntilDue(nowMs: Int64) -> Int64 {
    if let reconnect = mqtt.millisecondsUntilNextAttempt(nowMs: nowMs) { return reconnect }
    guard mqtt.state == .connected else { return 1000 }
    var due = max(0, nextPresenceMs - nowMs)
    if inFlight.count < settings.maxInFlight, hasWork(nowMs: nowMs) {
      due = min(due, tokens >= 1 ? 0 : Int64((1 - tokens) * 1000 / Double(settings.maxPerSecond)) + 1)
    }
    return min(due, 1000)
  }

  public func turn(ready: [Poller.Readiness], nowMs: Int64) {
    mqtt.maintain(nowMs: nowMs)
    if let fd = mqtt.socketDescriptor, ready.contains(where: { $0.fd == fd && ($0.readable || $0.failed) }) {
      mqtt.read(maxMessages: 1000, nowMs: nowMs)
      for message in mqtt.takeMessages() { onMessage(message) }
    }
    handleEvents(nowMs: nowMs)
    recordAcknowledged(nowMs: nowMs)
    if mqtt.state == .connected {
      publishPresenceIfDue(nowMs: nowMs)
      publishBacklog(nowMs: nowMs)
    }
    mqtt.flush(nowMs: nowMs)
    handleEvents(nowMs: nowMs)
  }

  /// A command's answer: QoS 1, not retained, not in the outbox (an answer the link loses is
  /// lost; the IOC asks again with the same request id and gets it from the agent's memory).
  func publishResponse(topic: String, payload: [UInt8]) {
    guard mqtt.state == .connected else { return }
    do {
      try mqtt.publish(topic: topic, payload: payload, qos: 1, retain: false)
    } catch {
      logger.warning("Cannot answer an IOC command", metadata: ["error": "\(error)"])
    }
  }

  /// Rows went back to pending below the lanes' cursors (a resend): read the outbox afresh.
  func rewind() {
    queued.removeAll()
    cursor.removeAll()
    idleUntilMs.removeAll()
  }

  /// Says goodbye: presence offline (retained) and DISCONNECT, so the Will does not fire.
  public func shutDown() {
    let now = Clock.monotonicMs()
    if mqtt.state == .connected {
      _ = try? mqtt.publish(
        topic: messages.topicPrefix + UplinkMessages.Topic.presence,
        payload: messages.offlinePresence(), qos: 1, retain: true)
      // Give in-flight acknowledgements and the goodbye a moment; whatever is not acknowledged
      // stays in the outbox for the next start.
      let deadline = now + 1000
      while Clock.monotonicMs() < deadline, mqtt.state == .connected,
        mqtt.hasUnacknowledgedPublishes
      {
        turnForShutdown()
      }
      recordAcknowledged(nowMs: .max)
    }
    mqtt.close()
  }

  // MARK: - Internals

  private func turnForShutdown() {
    mqtt.pump(waitMs: 50, nowMs: Clock.monotonicMs())
    handleEvents(nowMs: Clock.monotonicMs())
  }

  private func handleEvents(nowMs: Int64) {
    for event in mqtt.takeEvents() {
      switch event {
      case .connected:
        logger.notice(
          "Connected to the IOC", metadata: ["host": "\(mqtt.options.host):\(mqtt.options.port)"])
        var fresh = State()
        fresh.connected = true
        fresh.since = Clock.wallMs()
        fresh.lastError = state.lastError
        fresh.lastErrorAt = state.lastErrorAt
        update(fresh)
        nextPresenceMs = 0
        tokens = Double(settings.maxInFlight)
        lastRefillMs = nowMs
        connectedAtMs = nowMs
        counts.connects += 1
      case .refused(let reason), .disconnected(let reason):
        lost(reason)
      case .published(let messageID):
        if let seq = inFlight.removeValue(forKey: messageID) {
          acknowledged.append(seq)
          counts.acknowledged += 1
          dropsWhileInFlight[seq] = nil
          inFlightBytes[seq] = nil
        }
      case .subscribed:
        break
      }
    }
    if case .disconnected = mqtt.state, let reason = mqtt.lastReason { lost(reason) }
  }

  private func lost(_ reason: MQTTReason) {
    let hinted = Self.explain(reason, beforeConnack: !state.connected)
    guard state.connected || state.lastError != hinted else { return }
    logger.warning("IOC link down; messages stay queued", metadata: ["reason": "\(hinted)"])
    var fresh = State()
    fresh.connected = false
    fresh.since = state.connected ? Clock.wallMs() : (state.since ?? Clock.wallMs())
    fresh.lastError = hinted
    fresh.lastErrorAt = Clock.wallMs()
    update(fresh)
    noteDropWhileInFlight()
    // Unacknowledged messages are sent again from the outbox after the reconnect.
    inFlight.removeAll()
    queued.removeAll()
    cursor.removeAll()
    idleUntilMs.removeAll()
  }

  /// The reason in words, with what to check. A TLS failure on our side means we refused the
  /// server; when the server refuses our certificate, libmosquitto sees the connection lost or a
  /// protocol error before any CONNACK, depending on where the handshake was cut.
  static func explain(_ reason: MQTTReason, beforeConnack: Bool) -> String {
    let words = reason.isNotAuthorised ? "IOC broker refused the connection: \(reason)" : "\(reason)"
    if reason.isTLS {
      return words
        + " (TLS handshake failed: check that ioc.ca_file signed the IOC's certificate, and the clock)"
    }
    if beforeConnack && reason.isDropped {
      return words
        + " (the IOC closed the connection during the TLS handshake: it probably refused the client certificate; check ioc.cert_file and ioc.key_file are the ones the IOC issued and not expired)"
    }
    if reason.isNotAuthorised {
      return words
        + " (the IOC does not accept this school's certificate or account: ask the IOC to enable it)"
    }
    if reason.isSessionTakenOver {
      return words
        + " (another agent uses this school's client id: check that no second box or agent runs with the same school_id and certificate)"
    }
    if reason.isTimeout {
      return words
        + " (check ioc.host and ioc.port, and that the school's network lets the connection through)"
    }
    if case .refused = reason { return "IOC broker refused the connection: \(reason)" }
    return words
  }

  /// The largest unacknowledged message when the link dropped soon after the connect: after a few
  /// such drops it is set aside, so everything behind it flows again.
  private func noteDropWhileInFlight() {
    defer { connectedAtMs = nil }
    defer { inFlightBytes.removeAll() }
    // The largest message in flight: an oversize packet is what a broker closes the link on.
    guard let since = connectedAtMs, Clock.monotonicMs() - since <= Self.dropWithinMs,
      let oldest = inFlight.values.max(by: { (inFlightBytes[$0] ?? 0, -$0) < (inFlightBytes[$1] ?? 0, -$1) })
    else { return }
    dropsWhileInFlight[oldest, default: 0] += 1
    guard let drops = dropsWhileInFlight[oldest], drops >= Self.dropsBeforeSetAside else { return }
    dropsWhileInFlight[oldest] = nil
    setAside(
      oldest,
      reason:
        "the IOC broker closed the link \(drops) times while this message (\(inFlightBytes[oldest] ?? 0) bytes) was the largest unacknowledged one: over its packet limit?"
    )
  }

  private func setAside(_ seq: Int64, reason: String) {
    do {
      try outbox.setAside(seq, reason: reason, at: Clock.wallMs())
      // libmosquitto would resend it first after the reconnect: make it forget.
      inFlight.removeAll()
      try mqtt.discardQueuedPublishes(nowMs: Clock.monotonicMs())
      logger.error(
        "Set aside a message the IOC will not take; the rest of the queue goes on",
        metadata: ["seq": "\(seq)", "reason": "\(reason)"])
    } catch {
      logger.error("Cannot set aside an outbox message", metadata: ["seq": "\(seq)", "error": "\(error)"])
    }
  }

  private func update(_ fresh: State) {
    guard fresh != state else { return }
    state = fresh
    onStateChange(fresh)
  }

  /// Acknowledgements are written a few seconds at a time (one transaction, a few pages), not
  /// per turn: a school's trickle of events would otherwise rewrite the same pages every second.
  /// An acknowledgement lost to a crash only means that message is sent again (the IOC drops it
  /// by seq).
  private func recordAcknowledged(nowMs: Int64) {
    guard !acknowledged.isEmpty else { return }
    guard nowMs >= nextAckWriteMs || acknowledged.count >= 500 else { return }
    nextAckWriteMs = nowMs == .max ? 0 : nowMs + Self.ackWriteIntervalMs
    do {
      try outbox.markDelivered(acknowledged, at: Clock.wallMs())
      acknowledged.removeAll()
    } catch {
      // Kept in memory and retried next turn; if the agent dies first, they are sent again.
      logger.error("Cannot mark messages delivered", metadata: ["error": "\(error)"])
    }
  }

  private func publishPresenceIfDue(nowMs: Int64) {
    guard nowMs >= nextPresenceMs else { return }
    nextPresenceMs = nowMs + settings.presenceIntervalMs
    do {
      try mqtt.publish(
        topic: messages.topicPrefix + UplinkMessages.Topic.presence,
        payload: messages.presence(health()), qos: 1, retain: true)
    } catch {
      logger.warning("Cannot publish presence", metadata: ["error": "\(error)"])
    }
  }

  private func hasWork(nowMs: Int64) -> Bool {
    Outbox.Lane.allCases.contains { !(queued[$0]?.isEmpty ?? true) || (idleUntilMs[$0] ?? 0) <= nowMs }
  }

  private func publishBacklog(nowMs: Int64) {
    let elapsed = nowMs - lastRefillMs
    lastRefillMs = nowMs
    tokens = min(
      Double(settings.maxInFlight), tokens + Double(elapsed) * Double(settings.maxPerSecond) / 1000)
    while inFlight.count < settings.maxInFlight, tokens >= 1, let message = next(nowMs: nowMs) {
      do {
        let id = try mqtt.publish(
          topic: messages.topicPrefix + message.topic, payload: message.payload, qos: 1,
          retain: false)
        inFlight[id] = message.seq
        counts.sent += 1
        inFlightBytes[message.seq] = message.payload.count
        tokens -= 1
      } catch  where error.isOversizePacket {
        // MQTT 5: the broker announced its packet limit, and this message is over it.
        setAside(
          message.seq, reason: "\(message.payload.count) bytes is over the IOC broker's maximum packet size")
      } catch {
        // The connection is going down; the reconnect starts from the outbox again.
        logger.warning("Cannot publish to the IOC", metadata: ["error": "\(error)"])
        return
      }
    }
  }

  /// The next message, alternating lanes so neither starves the other.
  private func next(nowMs: Int64) -> Outbox.Message? {
    for lane in [nextLane, nextLane == .events ? .summaries : .events] {
      if let message = take(from: lane, nowMs: nowMs) {
        nextLane = lane == .events ? .summaries : .events
        return message
      }
    }
    return nil
  }

  private func take(from lane: Outbox.Lane, nowMs: Int64) -> Outbox.Message? {
    if queued[lane]?.isEmpty ?? true {
      guard (idleUntilMs[lane] ?? 0) <= nowMs else { return nil }
      do {
        // A few rows at a time: a window summary of a big school is ~80 kB, and 500 msg/s needs
        // only ~20 rows per turn.
        queued[lane] = try outbox.pending(lane, after: cursor[lane] ?? 0, limit: 20)
      } catch {
        logger.error("Cannot read the outbox", metadata: ["error": "\(error)"])
        queued[lane] = []
      }
      if queued[lane]?.isEmpty ?? true {
        idleUntilMs[lane] = nowMs + 1000
        return nil
      }
    }
    guard let message = queued[lane]?.removeFirst() else { return nil }
    cursor[lane] = message.seq
    return message
  }
}

@available(*, unavailable)
extension UplinkPublisher: Sendable {}
