import EventLoop
import Logging
import MQTTClient
import PJLink

/// Polls the configured projectors and publishes what they say in the native protocol
/// (`<prefix>/<room>/projector/<id>/telemetry|status|event`) to the school's broker, so the
/// agent stores them like any MQTT projector.
///
/// One thread: projectors are polled one after another, one per loop turn, each bounded by the
/// connect and response timeouts, and the MQTT connection gets a turn between them.
public final class PJLinkBridge: LoopComponent {
  private let mqtt: MQTTConnection
  private let settings: PJLinkSettings
  private let prefix: String
  private let logger: Logger
  private let poll: (PJLinkProjector, PJLinkSettings) -> PollResult
  public private(set) var trackers: [ProjectorTracker]
  private var wasConnected = false

  public init(
    mqtt: MQTTConnection, settings: PJLinkSettings, prefix: String, logger: Logger,
    nowMs: Int64 = Clock.monotonicMs(),
    poll: @escaping (PJLinkProjector, PJLinkSettings) -> PollResult = PJLinkClient.poll
  ) {
    self.mqtt = mqtt
    self.settings = settings
    self.prefix = prefix
    self.logger = logger
    self.poll = poll
    trackers = settings.projectors.map {
      ProjectorTracker(projector: $0, maxBackoffMs: settings.maxBackoffMs, firstDueMs: nowMs)
    }
  }

  public func pollInterests() -> [Poller.Interest] {
    guard let fd = mqtt.socketDescriptor else { return [] }
    return [Poller.Interest(fd: fd, read: true, write: mqtt.wantsWrite)]
  }

  public func millisecondsUntilDue(nowMs: Int64) -> Int64 {
    var due = mqtt.millisecondsUntilNextAttempt(nowMs: nowMs) ?? 1000
    // Projectors wait for the broker: readings polled while it is away would be lost.
    if mqtt.state == .connected {
      for tracker in trackers { due = min(due, max(0, tracker.nextDueMs - nowMs)) }
    }
    return due
  }

  public func turn(ready: [Poller.Readiness], nowMs: Int64) {
    pumpBroker(nowMs: nowMs)
    guard mqtt.state == .connected else { return }
    // One projector per turn, the most overdue first: signals and the systemd watchdog get a look
    // between projectors (a hung one can take connect + 6 × response timeout).
    let start = Clock.monotonicMs()
    if let index = trackers.indices.filter({ trackers[$0].nextDueMs <= start })
      .min(by: { trackers[$0].nextDueMs < trackers[$1].nextDueMs })
    {
      let projector = trackers[index].projector
      let result = poll(projector, settings)
      let now = Clock.monotonicMs()
      note(result, projector: projector)
      for action in trackers[index].completed(result, nowMs: now) {
        publish(action, projector: projector)
      }
      pumpBroker(nowMs: now)
    }
  }

  public func statusLine() -> String? {
    let online = trackers.filter { $0.status == .online }.count
    return
      "PJLink: \(online)/\(trackers.count) projectors online, broker \(mqtt.state == .connected ? "up" : "down")"
  }

  public func statusChanged() -> Bool {
    let connected = mqtt.state == .connected
    defer { wasConnected = connected }
    return connected != wasConnected
  }

  public func shutDown() throws {
    let deadline = Clock.monotonicMs() + 5000
    while Clock.monotonicMs() < deadline && (mqtt.wantsWrite || mqtt.hasUnacknowledgedPublishes)
      && mqtt.state == .connected
    {
      mqtt.pump(waitMs: 20, nowMs: Clock.monotonicMs())
    }
    logCounters()
    mqtt.close()
  }

  // MARK: - Internals

  private func pumpBroker(nowMs: Int64) {
    mqtt.pump(waitMs: 0, nowMs: nowMs)
    for event in mqtt.takeEvents() {
      switch event {
      case .connected:
        logger.notice(
          "Connected to the school broker", metadata: ["broker": "\(mqtt.options.host):\(mqtt.options.port)"])
      case .disconnected:
        logger.warning("Lost the school broker", metadata: ["error": "\(mqtt.lastError ?? "")"])
      default:
        break
      }
    }
    _ = mqtt.takeMessages()
  }

  private func topic(_ projector: PJLinkProjector, _ channel: String) -> String {
    "\(prefix)/\(projector.room)/projector/\(projector.id)/\(channel)"
  }

  private func publish(_ action: ProjectorTracker.Action, projector: PJLinkProjector) {
    let (channel, payload, retain): (String, String, Bool)
    switch action {
    case .telemetry(let metrics):
      let fields = ["\"ts\":\(Clock.wallMs())"] + metrics.map { "\"\($0.name)\":\($0.value)" }
      (channel, payload, retain) = ("telemetry", "{\(fields.joined(separator: ","))}", false)
    case .status(let status):
      (channel, payload, retain) = ("status", status.rawValue, true)
      logger.notice(
        "Projector status", metadata: ["pjlink.projector": "\(projector.id)", "status": "\(status.rawValue)"])
    case .authenticationFailedEvent:
      (channel, payload, retain) = (
        "event", #"{"type":"error","detail":"pjlink authentication failed"}"#, false
      )
    }
    do {
      try mqtt.publish(topic: topic(projector, channel), payload: Array(payload.utf8), qos: 1, retain: retain)
    } catch {
      logger.warning(
        "Cannot publish a projector's message",
        metadata: ["pjlink.projector": "\(projector.id)", "error": "\(error)"])
    }
  }

  private func note(_ result: PollResult, projector: PJLinkProjector) {
    let metadata: Logger.Metadata = [
      "pjlink.projector": "\(projector.id)", "pjlink.host": "\(projector.host):\(projector.port)",
    ]
    switch result {
    case .completed(.report(let report)):
      for (command, refusal) in report.refusals {
        logger.debug(
          "Projector refused a query",
          metadata: metadata.merging(["pjlink.command": "\(command)", "pjlink.error": "\(refusal)"]) { $1 })
      }
      if !report.unreadable.isEmpty {
        logger.info(
          "Projector answer not in PJLink's form",
          metadata: metadata.merging(["pjlink.commands": "\(report.unreadable)"]) { $1 })
      }
    case .completed(.authenticationFailed):
      logger.error(
        "PJLink authentication failed: the projector refused the password (ERRA); check password_file",
        metadata: metadata)
    case .completed(.passwordRequired):
      logger.error(
        "PJLink authentication failed: the projector asks for a password and none is configured (password_file)",
        metadata: metadata)
    case .completed(.protocolError(let detail)):
      logger.warning(
        "Projector does not speak PJLink as expected",
        metadata: metadata.merging(["error": "\(detail)"]) { $1 })
    case .unreachable(let detail):
      logger.debug("Projector unreachable", metadata: metadata.merging(["error": "\(detail)"]) { $1 })
    case .dropped(let detail):
      logger.info("Projector connection dropped", metadata: metadata.merging(["error": "\(detail)"]) { $1 })
    }
  }

  private func logCounters() {
    for tracker in trackers {
      let counters = tracker.counters
      logger.info(
        "PJLink poll counts",
        metadata: [
          "pjlink.projector": "\(tracker.projector.id)", "polls": "\(counters.polls)",
          "answered": "\(counters.answered)", "unreachable": "\(counters.unreachable)",
          "dropped": "\(counters.dropped)", "auth_failures": "\(counters.authenticationFailures)",
          "protocol_errors": "\(counters.protocolErrors)",
          "refusals": "\(counters.refusals.map { "\($0.key)=\($0.value)" }.sorted())",
        ])
    }
  }
}

@available(*, unavailable)
extension PJLinkBridge: Sendable {}
