/// How one poll ended, as the socket code saw it.
public enum PollResult: Sendable, Equatable {
  /// The projector answered (or refused) in PJLink.
  case completed(PollExchange.Outcome)
  /// No TCP connection: refused, timed out, no route. A projector switched off at the wall.
  case unreachable(String)
  /// Connected, then the connection closed or an answer did not come in time.
  case dropped(String)
}

/// One projector's status and schedule, without I/O: the poller feeds it each poll's result and
/// publishes what it returns.
///
/// - Reachable and answering: `online`, telemetry every interval.
/// - Unreachable: `offline` (not an error: a projector switched off at the wall), then attempts
///   ever further apart (interval × 2ⁿ up to `maxBackoffMs`).
/// - Wrong or missing password: the status stays as it was (the projector is there), one event
///   `{"type":"error","detail":"pjlink authentication failed"}` until a poll succeeds again.
/// - Dropped connections and non-PJLink answers: counted, the status stays, attempts back off.
public struct ProjectorTracker: Sendable {
  public enum Status: String, Sendable, Equatable {
    case online, offline
  }

  public enum Action: Sendable, Equatable {
    case telemetry([Metric])
    case status(Status)
    case authenticationFailedEvent
  }

  public struct Metric: Sendable, Equatable {
    public var name: String
    public var value: Int
    public init(name: String, value: Int) {
      self.name = name
      self.value = value
    }
  }

  public struct Counters: Sendable, Equatable {
    public var polls = 0
    public var answered = 0
    public var unreachable = 0
    public var dropped = 0
    public var authenticationFailures = 0
    public var protocolErrors = 0
    /// ERR1…ERR4 answers, by code.
    public var refusals: [Refusal: Int] = [:]
  }

  public let projector: PJLinkProjector
  public private(set) var status: Status?
  public private(set) var nextDueMs: Int64
  public private(set) var counters = Counters()
  /// Failed polls in a row (the backoff exponent).
  public private(set) var failures = 0
  private var authenticationFailing = false
  private let maxBackoffMs: Int64

  public init(projector: PJLinkProjector, maxBackoffMs: Int64, firstDueMs: Int64) {
    self.projector = projector
    self.maxBackoffMs = max(maxBackoffMs, projector.intervalMs)
    self.nextDueMs = firstDueMs
  }

  public mutating func completed(_ result: PollResult, nowMs: Int64) -> [Action] {
    counters.polls += 1
    var actions: [Action] = []
    var succeeded = false
    switch result {
    case .completed(.report(let report)):
      counters.answered += 1
      for refusal in report.refusals.values { counters.refusals[refusal, default: 0] += 1 }
      succeeded = true
      authenticationFailing = false
      if status != .online { actions.append(.status(.online)) }
      status = .online
      let metrics = report.metrics.map { Metric(name: $0.name, value: $0.value) }
      if !metrics.isEmpty { actions.append(.telemetry(metrics)) }
    case .completed(.authenticationFailed), .completed(.passwordRequired):
      counters.authenticationFailures += 1
      if !authenticationFailing { actions.append(.authenticationFailedEvent) }
      authenticationFailing = true
    case .completed(.protocolError):
      counters.protocolErrors += 1
    case .unreachable:
      counters.unreachable += 1
      if status != .offline { actions.append(.status(.offline)) }
      status = .offline
    case .dropped:
      counters.dropped += 1
    }
    if succeeded {
      failures = 0
      nextDueMs = nowMs + projector.intervalMs
    } else {
      failures += 1
      let shift = Int64(min(failures - 1, 20))
      nextDueMs = nowMs + min(maxBackoffMs, projector.intervalMs << shift)
    }
    return actions
  }
}
