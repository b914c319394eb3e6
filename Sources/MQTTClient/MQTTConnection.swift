import CMosquitto

#if canImport(Glibc)
  import Glibc
#endif

/// A libmosquitto client whose network loop the owner drives, so that it decides when bytes go out.
///
/// libmosquitto 2.0.11 queues a QoS 1 PUBACK *before* `on_message` runs; in threaded mode the queue only
/// reaches the socket in `mosquitto_loop_write`. So an owner can read a batch (`read`), commit it, and
/// only then `flush()` — the broker then redelivers anything a crash lost. Nothing here writes on its
/// own, except the blocking TCP connect and the CONNECT packet's first write.
///
/// Not Sendable: one thread owns it and calls every method.
public final class MQTTConnection {
  public enum State: Sendable, Equatable {
    /// Waiting until `nextAttemptMs` (monotonic) to try again.
    case disconnected(nextAttemptMs: Int64)
    /// TCP up, CONNECT sent, waiting for CONNACK.
    case connecting
    case connected
    /// `close()` was called.
    case closed
  }

  public let options: MQTTOptions
  public private(set) var state: State = .disconnected(nextAttemptMs: 0)
  /// The last connect failure, refusal or loss, for status displays ("host:port: words").
  public private(set) var lastError: String?
  /// The same as a value, for callers that act on it.
  public private(set) var lastReason: MQTTReason?
  /// When the current connection's CONNACK arrived (monotonic), and how many connections in a row
  /// the broker dropped soon after accepting them (see `MQTTReason.closedAfterConnect`).
  private var connectedAtMs: Int64?
  private var quickDrops = 0
  /// A connection that drops sooner than this after CONNACK, 3 times in a row, counts as taken over.
  static let quickDropMs: Int64 = 30_000
  private var failedAttempts = 0
  private var subscriptions: [(filter: String, qos: Int32)] = []
  private var handle: OpaquePointer
  private let sink = CallbackSink()
  private var randomState: UInt64
  /// Events before this index were already acted on (they stay queued until `takeEvents`).
  private var processedEvents = 0

  public init(options: MQTTOptions) throws(MQTTError) {
    _ = Library.initialised
    self.options = options
    // Swift seeds String hashing per process, which is all the jitter needs.
    self.randomState = UInt64(bitPattern: Int64(options.clientID.hashValue)) | 1
    guard let handle = mosquitto_new(options.clientID, options.cleanSession, sink.opaque) else {
      throw MQTTError(code: MOSQ_ERR_ERRNO.rawValue, operation: "creating the MQTT client")
    }
    self.handle = handle
    sink.maxPayloadCopy = options.maxPayloadCopy
    sink.install(on: handle)
    do throws(MQTTError) {
      try configure()
    } catch {
      mosquitto_destroy(handle)
      throw error
    }
  }

  deinit {
    mosquitto_destroy(handle)
  }

  private func configure() throws(MQTTError) {
    try check(mosquitto_threaded_set(handle, true), "enabling owner-driven network loop")
    let version = options.protocolVersion == .v5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311
    try check(
      mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, version),
      "setting the MQTT protocol version")
    if options.username != nil || options.password != nil {
      try check(
        mosquitto_username_pw_set(handle, options.username, options.password), "setting credentials")
    }
    if let will = options.will {
      let rc = will.payload.withUnsafeBytes { bytes in
        mosquitto_will_set(
          handle, will.topic, Int32(bytes.count), bytes.baseAddress, will.qos, will.retain)
      }
      try check(rc, "setting the Last Will on \(will.topic)")
    }
    if let tls = options.tls {
      try check(
        mosquitto_tls_set(handle, tls.caFile, nil, tls.certFile, tls.keyFile, nil),
        "loading TLS files (CA \(tls.caFile))")
      // 1 = SSL_VERIFY_PEER: the server certificate must chain to the configured CA.
      try check(mosquitto_tls_opts_set(handle, 1, nil, nil), "requiring server verification")
      try check(mosquitto_tls_insecure_set(handle, false), "requiring host name verification")
    }
  }

  /// Filters to (re-)subscribe on every successful connect.
  public func subscribe(_ filter: String, qos: Int32) {
    subscriptions.append((filter, qos))
    if state == .connected { sendSubscribe(filter: filter, qos: qos) }
  }

  /// The socket to poll, or nil while there is none.
  public var socketDescriptor: Int32? {
    let fd = mosquitto_socket(handle)
    return fd >= 0 ? fd : nil
  }

  /// True when queued packets wait for `flush()`.
  public var wantsWrite: Bool { mosquitto_want_write(handle) }

  /// Milliseconds until `maintain` next has work (a reconnect attempt), for the owner's poll timeout.
  public func millisecondsUntilNextAttempt(nowMs: Int64) -> Int64? {
    if case .disconnected(let next) = state { return max(0, next - nowMs) }
    return nil
  }

  /// Connects when due, and runs keepalive. Call on every loop turn.
  public func maintain(nowMs: Int64) {
    switch state {
    case .closed:
      return
    case .disconnected(let next):
      guard nowMs >= next else { return }
      attemptConnect(nowMs: nowMs)
    case .connecting, .connected:
      let rc = mosquitto_loop_misc(handle)
      if rc != MOSQ_ERR_SUCCESS.rawValue { lost(reason: .failure(code: rc, errno: errno), nowMs: nowMs) }
    }
    processEvents(nowMs: nowMs)
  }

  /// Reads while the socket has data, up to `maxMessages` new messages. Queues PUBACKs, sends nothing.
  public func read(maxMessages: Int, nowMs: Int64) {
    guard let fd = socketDescriptor else { return }
    let start = sink.messages.count
    repeat {
      let rc = mosquitto_loop_read(handle, 1)
      if rc != MOSQ_ERR_SUCCESS.rawValue {
        lost(reason: .failure(code: rc, errno: errno), nowMs: nowMs)
        break
      }
      // A DISCONNECT from the broker (MQTT 5) makes libmosquitto close the socket and then
      // report success for every further read: stop as soon as the socket is gone.
    } while sink.messages.count - start < maxMessages && mosquitto_socket(handle) == fd
      && Self.isReadable(fd)
    processEvents(nowMs: nowMs)
  }

  /// Writes everything queued: PUBACKs for what was read, SUBSCRIBEs, PINGREQs, publishes.
  public func flush(nowMs: Int64) {
    guard socketDescriptor != nil, wantsWrite else { return }
    let rc = mosquitto_loop_write(handle, 1)
    if rc != MOSQ_ERR_SUCCESS.rawValue { lost(reason: .failure(code: rc, errno: errno), nowMs: nowMs) }
    processEvents(nowMs: nowMs)
  }

  /// One turn for a client that holds nothing back (a publisher, a probe, an observer; not the
  /// ingest loop, which releases PUBACKs only after its commit): connect or keep alive, write what
  /// is queued, wait up to `waitMs` for data and read it. Results stay in `takeMessages()` and
  /// `takeEvents()`.
  public func pump(waitMs: Int32, nowMs: Int64) {
    maintain(nowMs: nowMs)
    flush(nowMs: nowMs)
    if let fd = socketDescriptor {
      var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      if poll(&descriptor, 1, waitMs) > 0 { read(maxMessages: 100_000, nowMs: nowMs) }
    } else if waitMs > 0 {
      usleep(UInt32(waitMs) * 1000)
    }
  }

  /// Messages received since the last call.
  public func takeMessages() -> [MQTTMessage] {
    defer { sink.messages.removeAll(keepingCapacity: true) }
    return sink.messages
  }

  /// QoS 1 publishes the broker has not acknowledged yet (on this connection).
  public var hasUnacknowledgedPublishes: Bool { !unacknowledged.isEmpty }
  private var unacknowledged: Set<Int32> = []

  /// Connection events since the last call.
  public func takeEvents() -> [MQTTEvent] {
    defer {
      sink.events.removeAll(keepingCapacity: true)
      processedEvents = 0
    }
    return sink.events
  }

  /// Queues a publish; `flush` sends it. Returns the message id that `.published` will carry.
  @discardableResult
  public func publish(topic: String, payload: [UInt8], qos: Int32, retain: Bool) throws(MQTTError)
    -> Int32
  {
    var messageID: Int32 = 0
    let rc = payload.withUnsafeBytes { bytes in
      mosquitto_publish(handle, &messageID, topic, Int32(bytes.count), bytes.baseAddress, qos, retain)
    }
    try check(rc, "publishing to \(topic)")
    if qos > 0 { unacknowledged.insert(messageID) }
    return messageID
  }

  /// Forgets every publish libmosquitto still holds for a resend (it resends unacknowledged QoS 1
  /// messages after a reconnect): for a message the broker refuses, which would otherwise go
  /// out first on every new connection. The client starts afresh, disconnected; the owner's own
  /// queue (the outbox) sends again what it still wants sent.
  public func discardQueuedPublishes(nowMs: Int64) throws(MQTTError) {
    try check(
      mosquitto_reinitialise(handle, options.clientID, options.cleanSession, sink.opaque),
      "resetting the MQTT client")
    sink.install(on: handle)
    try configure()
    unacknowledged.removeAll()
    state = .disconnected(nextAttemptMs: nowMs)
  }

  /// Sends DISCONNECT (so the broker does not fire our Will) and closes the socket.
  public func close() {
    guard state != .closed else { return }
    // Only when nothing is queued: a write now would also send PUBACKs the owner is holding back
    // (e.g. after a failed commit), acknowledging messages that were never stored.
    if state == .connected && !wantsWrite {
      mosquitto_disconnect(handle)
      _ = mosquitto_loop_write(handle, 1)
    }
    state = .closed
    _ = takeEvents()
  }

  // MARK: - Internals

  private func attemptConnect(nowMs: Int64) {
    var properties: OpaquePointer? = nil
    defer { mosquitto_property_free_all(&properties) }
    let rc: Int32
    if options.protocolVersion == .v5 {
      mosquitto_property_add_int32(
        &properties, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue),
        options.cleanSession ? 0 : options.sessionExpirySeconds)
      mosquitto_property_add_int16(
        &properties, Int32(MQTT_PROP_RECEIVE_MAXIMUM.rawValue), options.receiveMaximum)
      rc = mosquitto_connect_bind_v5(
        handle, options.host, options.port, options.keepAliveSeconds, nil, properties)
    } else {
      rc = mosquitto_connect(handle, options.host, options.port, options.keepAliveSeconds)
    }
    if rc == MOSQ_ERR_SUCCESS.rawValue {
      state = .connecting
      // The CONNECT packet carries no PUBACKs, so sending it now is always safe.
      _ = mosquitto_loop_write(handle, 1)
    } else {
      scheduleRetry(reason: .failure(code: rc, errno: errno), nowMs: nowMs)
    }
  }

  private func processEvents(nowMs: Int64) {
    let start = processedEvents
    processedEvents = sink.events.count
    for index in start..<sink.events.count {
      switch sink.events[index] {
      case .connected:
        state = .connected
        lastError = nil
        lastReason = nil
        connectedAtMs = nowMs
        // The backoff is reset only once the link has stayed up (scheduleRetry): a broker that
        // accepts and then drops us at once (a refused message, a session taken over) is retried
        // ever more slowly, not five times a second.
        linkUpSinceMs = nowMs
        for subscription in subscriptions {
          sendSubscribe(filter: subscription.filter, qos: subscription.qos)
        }
      case .refused(let reason):
        note(reason)
        if !isDisconnected { scheduleRetry(reason: reason, nowMs: nowMs) }
      case .disconnected(var reason):
        if let since = connectedAtMs {
          connectedAtMs = nil
          quickDrops = reason.isDropped && nowMs - since < Self.quickDropMs ? quickDrops + 1 : 0
          if quickDrops >= 3 {
            // Callers see the conclusion, not the third "connection lost".
            reason = .closedAfterConnect(times: quickDrops)
            sink.events[index] = .disconnected(reason: reason)
          }
        }
        guard state != .closed else { break }
        if !isDisconnected {
          scheduleRetry(reason: reason, nowMs: nowMs)
        } else if case .closedAfterConnect = reason {
          note(reason)
        }  // else: the failure or refusal that ended it is already noted
      case .published(let messageID):
        unacknowledged.remove(messageID)
      default:
        break
      }
    }
  }

  private var isDisconnected: Bool {
    if case .disconnected = state { return true }
    return false
  }

  private func lost(reason: MQTTReason, nowMs: Int64) {
    // libmosquitto has already closed the socket and queued `.disconnected` through on_disconnect.
    if state != .closed, !isDisconnected { scheduleRetry(reason: reason, nowMs: nowMs) }
  }

  /// When the current connection came up (`MQTTOptions.backoffResetAfterMs`).
  private var linkUpSinceMs: Int64?

  private func scheduleRetry(reason: MQTTReason, nowMs: Int64) {
    if let since = linkUpSinceMs, nowMs - since >= options.backoffResetAfterMs { failedAttempts = 0 }
    linkUpSinceMs = nil
    note(reason)
    let delay = options.reconnectDelay.delayMs(attempt: failedAttempts, random: nextRandom())
    failedAttempts += 1
    state = .disconnected(nextAttemptMs: nowMs + delay)
  }

  private func sendSubscribe(filter: String, qos: Int32) {
    // On failure the connection is gone; the next connect subscribes again.
    if options.protocolVersion == .v5 {
      // Retained messages only for new subscriptions: a reconnect does not replay every status.
      let sendRetainedIfNew = Int32(MQTT_SUB_OPT_SEND_RETAIN_NEW.rawValue)
      _ = mosquitto_subscribe_v5(handle, nil, filter, qos, sendRetainedIfNew, nil)
    } else {
      _ = mosquitto_subscribe(handle, nil, filter, qos)
    }
  }

  private func note(_ reason: MQTTReason) {
    lastReason = reason
    if case .refused = reason {
      lastError = "broker refused the connection: \(reason)"
    } else {
      lastError = "\(options.host):\(options.port): \(reason)"
    }
  }

  private func nextRandom() -> Double {
    // xorshift: jitter needs no cryptographic randomness.
    randomState ^= randomState << 13
    randomState ^= randomState >> 7
    randomState ^= randomState << 17
    return Double(randomState % 1_000_000) / 1_000_000
  }

  private static func isReadable(_ fd: Int32) -> Bool {
    var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    return poll(&descriptor, 1, 0) > 0 && descriptor.revents & Int16(POLLNVAL) == 0
  }
}

@available(*, unavailable)
extension MQTTConnection: Sendable {}
