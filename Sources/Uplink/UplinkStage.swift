import Buffer
import DeviceModel
import EventLoop
import JSON
import Logging
import MQTTClient
import Rollup
import SQLiteStore

/// The rollup → uplink half of the agent, a component of the main loop beside ingest: summarises closed
/// periods, turns status changes and threshold crossings into events, drains the outbox to the
/// IOC, and keeps house (delivered messages, old card scans).
public final class UplinkStage: LoopComponent {
  public struct Settings: Sendable {
    public var summariser: Summariser.Settings
    public var publisher: UplinkPublisher.Settings
    /// How often status changes and alerts are looked for (and queued, in one transaction).
    public var eventIntervalMs: Int64 = 3000
    /// After a committed status change, events are looked for this soon instead (a burst of
    /// changes in that time goes in one transaction): a status change is real time.
    public var eventPromptMs: Int64 = 100
    /// Delivered outbox rows are kept this long (for diagnosis), then deleted.
    public var keepDeliveredMs: Int64 = 86_400_000
    /// Commands from the IOC on the uplink (`ioc.commands`); nil: not subscribed, none run.
    public var commands: CommandRunner.Settings? = .init()
    public init(summariser: Summariser.Settings, publisher: UplinkPublisher.Settings) {
      self.summariser = summariser
      self.publisher = publisher
    }
  }

  private let connection: Connection
  private let settings: Settings
  private let summariser: Summariser
  private let events: EventSource?
  private let publisher: UplinkPublisher?
  private let commands: CommandRunner?
  private let outbox: Outbox
  private let logger: Logger
  private let housekeeping: (EpochMillis) -> Void
  /// Tells the ingest writer which periods are summarised (for the late-data rule).
  private var nextSummaryMs: Int64 = 0
  private var nextEventsMs: Int64 = 0
  private var nextHousekeepingMs: Int64 = 0
  private var nextCapCheckMs: Int64 = 0
  private let cap: StoreCap?
  private var failing = false

  /// `ioc` nil: summaries are still made (for `classgate stats`) but nothing is queued or sent.
  public init(
    connection: Connection, calendar: SchoolCalendar, ioc: MQTTOptions?,
    messages: UplinkMessages, settings: Settings, logger: Logger, version: String = "",
    health: @escaping () -> UplinkMessages.Health,
    housekeeping: @escaping (EpochMillis) -> Void = { _ in }, cap: StoreCap? = nil
  ) throws {
    self.connection = connection
    self.cap = cap
    self.settings = settings
    self.logger = logger
    self.housekeeping = housekeeping
    outbox = Outbox(connection: connection)
    summariser = Summariser(
      connection: connection, calendar: calendar, settings: settings.summariser,
      messages: messages, outbox: ioc == nil ? nil : outbox)
    summariser.gapSkipped = { [logger] from, to in
      logger.notice(
        "No data at all in a stretch older than the catch-up horizon: its windows are not summarised",
        metadata: [
          "from": "\(calendar.localISO(from))", "to": "\(calendar.localISO(to))",
          "windows": "\((to - from) / (Int64(max(1, calendar.windowMinutes)) * 60_000))",
        ])
    }
    if let ioc {
      events = EventSource(
        connection: connection, messages: messages,
        thresholds: settings.summariser.rollup.thresholds)
      let publisher = try UplinkPublisher(
        options: ioc, outbox: outbox, messages: messages, settings: settings.publisher,
        logger: logger, health: health)
      publisher.onStateChange = { [connection] state in
        try? Meta.write(MetaKey.uplinkState, Self.encode(state), in: connection)
      }
      self.publisher = publisher
      commands = settings.commands.map {
        CommandRunner(
          connection: connection, calendar: calendar, messages: messages, settings: $0, logger: logger,
          version: version)
      }
    } else {
      events = nil
      publisher = nil
      commands = nil
    }
    if let commands, let publisher { connect(commands, to: publisher) }
  }

  /// Commands arrive on the uplink's own session (QoS 1, kept while the link is down) and are
  /// answered on it.
  private func connect(_ commands: CommandRunner, to publisher: UplinkPublisher) {
    publisher.mqtt.subscribe(commands.topic, qos: 1)
    publisher.onMessage = { [commands] message in
      guard message.topic == commands.topic else { return }
      commands.handle(message, nowMs: Clock.monotonicMs())
    }
    // Weak: the publisher holds the runner through `onMessage`.
    commands.respond = { [weak commands, weak publisher] payload in
      guard let commands else { return }
      publisher?.publishResponse(topic: commands.responseTopic, payload: payload)
    }
    commands.rewind = { [weak publisher] in publisher?.rewind() }
    commands.wake = { [weak self] in self?.nextSummaryMs = 0 }
  }

  public func pollInterests() -> [Poller.Interest] {
    (publisher?.pollInterests ?? []) + (commands?.pollInterests ?? [])
  }

  /// The ingest stage committed a status change: queue its event soon, not at the next tick.
  public func statusChanged(nowMs: Int64) {
    nextEventsMs = min(nextEventsMs, nowMs + settings.eventPromptMs)
  }

  public func millisecondsUntilDue(nowMs: Int64) -> Int64 {
    var due = min(nextSummaryMs, nextHousekeepingMs, nextCapCheckMs) - nowMs
    if events != nil { due = min(due, nextEventsMs - nowMs) }
    if let publisher { due = min(due, publisher.millisecondsUntilDue(nowMs: nowMs)) }
    if let commands { due = min(due, commands.millisecondsUntilDue(nowMs: nowMs)) }
    return max(0, due)
  }

  public func turn(ready: [Poller.Readiness], nowMs: Int64) {
    let wallNow = Clock.wallMs()
    var queuedSomething = false
    do {
      if nowMs >= nextSummaryMs {
        let worked = try summariser.step(now: wallNow)
        // Catching up (after downtime, or late data): one period per turn, ingest in between.
        nextSummaryMs = nowMs + (worked ? 0 : 1000)
        queuedSomething = worked
      }
      if let events, nowMs >= nextEventsMs {
        nextEventsMs = nowMs + settings.eventIntervalMs
        if try events.collect(now: wallNow) > 0 { queuedSomething = true }
      }
      if let cap, nowMs >= nextCapCheckMs {
        nextCapCheckMs = nowMs + 2000
        try keepUnderCap(cap, now: wallNow)
      }
      if nowMs >= nextHousekeepingMs {
        nextHousekeepingMs = nowMs + 3_600_000
        try outbox.purgeDelivered(before: wallNow - settings.keepDeliveredMs)
        housekeeping(wallNow)
      }
      if failing { logger.notice("Rollup and uplink queue writable again") }
      failing = false
    } catch {
      if !failing {
        logger.error("Cannot summarise or queue for the IOC; retrying", metadata: ["error": "\(error)"])
      }
      failing = true
      nextSummaryMs = nowMs + 5000
      nextEventsMs = nowMs + 5000
    }
    if queuedSomething { publisher?.wake() }
    publisher?.turn(ready: ready, nowMs: nowMs)
    commands?.turn(nowMs: nowMs)
  }

  private func keepUnderCap(_ cap: StoreCap, now: EpochMillis) throws {
    let steps = try cap.evictIfNeeded(summarisedUntil: try summariser.summarisedUntil(), now: now)
    guard !steps.isEmpty else { return }
    var byTable: [String: Int] = [:]
    for step in steps { byTable[step.table, default: 0] += step.rows }
    let summary = byTable.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    let used = (try? cap.usedBytes()) ?? 0
    let metadata: Logger.Metadata = [
      "deleted": "\(summary)", "used.mib": "\(used >> 20)", "cap.mib": "\(cap.maxBytes >> 20)",
    ]
    if byTable["undelivered_outbox"] != nil {
      logger.error("Store full: deleted messages the IOC has not received yet", metadata: metadata)
    } else {
      logger.warning("Store near its cap: deleted the oldest data", metadata: metadata)
    }
    nextCapCheckMs = 0  // keep going next turn until under the low-water mark
  }

  public func shutDown() {
    publisher?.shutDown()
  }

  /// For the metrics textfile: nil fields when there is no IOC configured.
  public struct Snapshot: Sendable, Equatable {
    public var configured: Bool
    public var connected: Bool
    public var outbox: Outbox.Status
    public var storeUsedBytes: Int64?
    public var storeCapBytes: Int64?
    /// Rows deleted to stay under the cap, per table, since the store was created.
    public var evicted: [String: Int64] = [:]
    /// Connections, messages sent and acknowledged by the IOC since the agent started.
    public var counts = UplinkPublisher.Counts()
    /// IOC commands by command and outcome since the agent started.
    public var commands: [CommandRunner.Outcome: Int] = [:]
  }

  public func snapshot() -> Snapshot {
    Snapshot(
      configured: publisher != nil, connected: publisher?.state.connected ?? false,
      outbox: (try? outbox.status()) ?? Outbox.Status(), storeUsedBytes: try? cap?.usedBytes(),
      storeCapBytes: cap?.maxBytes, evicted: (try? StoreCap.evictedCounts(in: connection)) ?? [:],
      counts: publisher?.counts ?? .init(), commands: commands?.counts ?? [:])
  }

  static func encode(_ state: UplinkPublisher.State) -> String {
    JSONWriter.compact(
      .object([
        "connected": .bool(state.connected),
        "since_ms": state.since.map { .number(Double($0)) } ?? .null,
        "last_error": state.lastError.map(JSONValue.string) ?? .null,
        "last_error_ms": state.lastErrorAt.map { .number(Double($0)) } ?? .null,
      ]))
  }
}

@available(*, unavailable)
extension UplinkStage: Sendable {}
