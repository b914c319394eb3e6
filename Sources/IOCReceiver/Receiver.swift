import EventLoop
import Logging
import MQTTClient
import PostgresClient

#if canImport(Glibc)
  import Glibc
#endif

/// The receiver's single loop: read a batch from the IOC broker, commit it to PostgreSQL, and only
/// then write the PUBACKs (libmosquitto queues them before `on_message`; see MQTTConnection). A
/// `kill -9` at any point therefore loses nothing: the broker redelivers what was not acknowledged,
/// and the ledger makes the redelivery a no-op.
public final class Receiver {
  private let config: ReceiverConfig
  private let logger: Logger
  private let mqtt: MQTTConnection
  private var store: IOCStore?
  private var nextDatabaseAttemptMs: Int64 = 0
  private var databaseFailures = 0
  public private(set) var totals = BatchOutcome()
  /// The longest a turn waits for the socket: short enough for the systemd watchdog's interval.
  private var maxWaitMs: Int64 = 500

  public init(config: ReceiverConfig, logger: Logger) throws {
    self.config = config
    self.logger = logger
    mqtt = try MQTTConnection(options: config.broker)
    for filter in config.subscriptions { mqtt.subscribe(filter, qos: 1) }
  }

  /// Runs until SIGTERM or SIGINT. Under systemd (`Type=notify`): READY=1 once the database is
  /// there, WATCHDOG=1 from the loop, a STATUS= line with the counts, STOPPING=1.
  public func run(signals: SignalWatcher, systemd: SystemdNotifier? = nil) {
    logger.info(
      "Receiver starting",
      metadata: [
        "mqtt.broker": "\(config.broker.host):\(config.broker.port)",
        "mqtt.client_id": "\(config.broker.clientID)",
      ])
    var ready = false
    var lastNotifyMs: Int64 = 0
    maxWaitMs = min(500, systemd?.watchdogIntervalMs ?? 500)
    while true {
      if !signals.take().filter({ $0 != .reload }).isEmpty { break }
      turn()
      let now = Clock.monotonicMs()
      if let systemd, now - lastNotifyMs >= min(systemd.watchdogIntervalMs ?? 5000, 5000) {
        lastNotifyMs = now
        if !ready, store != nil {
          ready = true
          systemd.notify("READY=1")
        }
        if systemd.watchdogIntervalMs != nil { systemd.notify("WATCHDOG=1") }
        systemd.notify(
          "STATUS=\(store == nil ? "waiting for the database; " : "")stored \(totals.stored), "
            + "duplicates \(totals.duplicates), rejected \(totals.rejected)")
      }
    }
    systemd?.notify("STOPPING=1")
    mqtt.close()
    store?.connection.close()
    logger.info(
      "Receiver stopped", metadata: ["ioc.stored": "\(totals.stored)", "ioc.rejected": "\(totals.rejected)"])
  }

  /// One turn: make sure the database is there, keep the MQTT link, wait, read, commit, acknowledge.
  func turn() {
    let now = Clock.monotonicMs()
    guard ensureDatabase(nowMs: now) else {
      usleep(50_000)
      return
    }
    mqtt.maintain(nowMs: now)
    mqtt.flush(nowMs: now)
    logEvents()
    let timeout = Int32(min(maxWaitMs, mqtt.millisecondsUntilNextAttempt(nowMs: now) ?? maxWaitMs))
    guard let fd = mqtt.socketDescriptor else {
      usleep(UInt32(max(timeout, 10)) * 1000)
      return
    }
    guard !Poller.wait([.init(fd: fd)], timeoutMs: timeout).isEmpty else { return }
    mqtt.read(maxMessages: config.batchMax, nowMs: Clock.monotonicMs())
    let messages = mqtt.takeMessages()
    if !messages.isEmpty, !commit(messages) { return }
    // Only now: the PUBACKs for everything just committed.
    mqtt.flush(nowMs: Clock.monotonicMs())
    logEvents()
  }

  /// Stores a batch; on failure drops the connection with its queued PUBACKs, so the broker
  /// redelivers the batch once the database is back.
  private func commit(_ messages: [MQTTMessage]) -> Bool {
    guard let store else { return false }
    let received = Clock.wallMs()
    let batch = messages.map {
      IncomingMessage(
        topic: $0.topic, payload: $0.payload, retained: $0.retained, receivedMs: received, size: $0.size)
    }
    for attempt in 1...3 {
      do {
        let outcome = try store.store(batch)
        add(outcome)
        logger.debug(
          "Batch committed",
          metadata: [
            "ioc.stored": "\(outcome.stored)", "ioc.duplicates": "\(outcome.duplicates)",
            "ioc.rejected": "\(outcome.rejected)",
          ])
        return true
      } catch let error as PostgresError where error.isRetryable && attempt < 3 {
        logger.debug("Batch retried", metadata: ["error": "\(error)"])
      } catch {
        logger.error("Batch not stored; the broker will redeliver it", metadata: ["error": "\(error)"])
        break
      }
    }
    databaseLost()
    do {
      try mqtt.discardQueuedPublishes(nowMs: Clock.monotonicMs())
    } catch {
      logger.error("Resetting the MQTT client failed", metadata: ["error": "\(error)"])
    }
    return false
  }

  private func ensureDatabase(nowMs: Int64) -> Bool {
    if let store, store.connection.isOpen { return true }
    guard nowMs >= nextDatabaseAttemptMs else { return false }
    do {
      store = try IOCStore(
        connection: try PostgresConnection(conninfo: config.conninfo), nowMs: Clock.wallMs())
      if databaseFailures > 0 { logger.notice("Database connected again") }
      databaseFailures = 0
      return true
    } catch {
      if databaseFailures == 0 { logger.error("Database unavailable", metadata: ["error": "\(error)"]) }
      databaseLost()
      return false
    }
  }

  private func databaseLost() {
    store?.connection.close()
    store = nil
    databaseFailures += 1
    nextDatabaseAttemptMs = Clock.monotonicMs() + min(5000, 100 << min(databaseFailures, 6))
  }

  private func add(_ outcome: BatchOutcome) {
    totals.stored += outcome.stored
    totals.duplicates += outcome.duplicates
    totals.superseded += outcome.superseded
    totals.presence += outcome.presence
    totals.rejected += outcome.rejected
    if outcome.rejected > 0 {
      logger.warning("Messages rejected", metadata: ["ioc.rejected": "\(outcome.rejected)"])
    }
  }

  private func logEvents() {
    for event in mqtt.takeEvents() {
      switch event {
      case .connected(let sessionPresent):
        logger.info("Connected to the IOC broker", metadata: ["mqtt.session_present": "\(sessionPresent)"])
      case .subscribed:
        logger.info("Subscribed")
      case .refused(let reason), .disconnected(let reason):
        logger.warning("IOC broker link down", metadata: ["mqtt.reason": "\(reason)"])
      case .published:
        break
      }
    }
  }
}

@available(*, unavailable)
extension Receiver: Sendable {}
