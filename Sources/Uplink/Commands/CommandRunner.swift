import Buffer
import DeviceModel
import EventLoop
import JSON
import Logging
import MQTTClient
import Rollup
import SQLiteStore

/// Runs the IOC's commands on the loop thread, between ingest commits: checks each (parser,
/// rate limit, repeats), runs `ping` and `resend` at once (each is one short store transaction)
/// and `report` as a child process, and answers every one, refusals included.
public final class CommandRunner {
  public struct Settings: Sendable {
    /// `classgate doctor --json --config <the agent's file>`, for `report`; nil: refused.
    public var reportArguments: [String]?
    public var reportTimeoutMs: Int64 = 30_000
    public var perMinute = 6
    public init(reportArguments: [String]? = nil) { self.reportArguments = reportArguments }
  }

  /// `classgate_commands_total{command,outcome}`.
  public struct Outcome: Sendable, Hashable {
    public var command: String
    public var outcome: String
  }

  public private(set) var counts: [Outcome: Int] = [:]
  /// Sends an answer on the school's responses topic (QoS 1, not retained).
  var respond: ([UInt8]) -> Void = { _ in }
  /// Seqs went back to pending: the publisher must read the outbox from the start again.
  var rewind: () -> Void = {}
  /// Windows to re-summarise were noted: the summariser should look now.
  var wake: () -> Void = {}

  let connection: Connection
  let calendar: SchoolCalendar
  let messages: UplinkMessages
  private let settings: Settings
  private let logger: Logger
  private let version: String
  private let startedAtMs = Clock.monotonicMs()
  let outbox: Outbox
  let lateRanges: LateRanges
  private var limiter: CommandLimiter
  private var recent = RecentResponses()
  /// A seq range put back to pending: no other resend until it is acknowledged again.
  var requeuedRange: ClosedRange<Int64>?
  var resendNoted = false
  private var report: (request: CommandRequest, process: RunningProcess, deadlineMs: Int64)?

  init(
    connection: Connection, calendar: SchoolCalendar, messages: UplinkMessages, settings: Settings,
    logger: Logger, version: String
  ) {
    self.connection = connection
    self.calendar = calendar
    self.messages = messages
    self.settings = settings
    self.logger = logger
    self.version = version
    outbox = Outbox(connection: connection)
    lateRanges = LateRanges(connection: connection)
    limiter = CommandLimiter(perMinute: settings.perMinute)
  }

  public var topic: String { messages.topicPrefix + "commands" }
  public var responseTopic: String { messages.topicPrefix + "responses" }

  var pollInterests: [Poller.Interest] {
    guard let fd = report?.process.outputDescriptor, fd >= 0 else { return [] }
    return [Poller.Interest(fd: fd)]
  }

  func millisecondsUntilDue(nowMs: Int64) -> Int64 {
    guard let report else { return .max }
    return max(0, min(200, report.deadlineMs - nowMs))
  }

  /// One message from the commands topic.
  func handle(_ message: MQTTMessage, nowMs: Int64) {
    let wallNow = Clock.wallMs()
    let parsed = CommandParser.parse(message.payload, size: message.size, nowMs: wallNow)
    let requestID: String? =
      switch parsed {
      case .success(let request): request.requestID
      case .failure(let refusal): refusal.requestID
      }
    if let requestID, let answer = recent.answer(to: requestID) {
      // A QoS 1 redelivery (or the IOC asking again): the same answer, nothing run twice.
      note(requestID: requestID, command: commandName(parsed), outcome: "duplicate", reason: nil)
      respond(answer)
      return
    }
    if let requestID, report?.request.requestID == requestID {
      note(requestID: requestID, command: "report", outcome: "duplicate", reason: "still running")
      return
    }
    let request: CommandRequest
    switch parsed {
    case .failure(let refusal):
      finish(.refused(refusal))
      return
    case .success(let value): request = value
    }
    guard limiter.admit(nowMs: nowMs) else {
      finish(refusal(request, "rate_limited: at most \(settings.perMinute) commands a minute"))
      return
    }
    switch request.command {
    case .ping: finish(ping(request))
    case .resend(let span):
      do {
        finish(try resend(request, span, nowMs: wallNow))
      } catch {
        finish(
          CommandResponse(
            requestID: request.requestID, command: "resend", status: .error, reason: "store: \(error)"))
      }
    case .report: startReport(request, nowMs: nowMs)
    }
  }

  /// Looks after a running `report`.
  func turn(nowMs: Int64) {
    guard let running = report else { return }
    if running.process.poll() {
      report = nil
      let output = running.process.output
      if case .object(let result)? = try? JSONParser.parse(output) {
        finish(
          CommandResponse(
            requestID: running.request.requestID, command: "report", status: .ok, result: result))
      } else {
        finish(
          CommandResponse(
            requestID: running.request.requestID, command: "report", status: .error,
            reason: "doctor exited with \(running.process.status ?? -1) without JSON"))
      }
    } else if nowMs >= running.deadlineMs {
      running.process.kill()
      report = nil
      finish(
        CommandResponse(
          requestID: running.request.requestID, command: "report", status: .error,
          reason: "timeout: doctor took longer than \(settings.reportTimeoutMs / 1000) s"))
    }
  }

  // MARK: - Commands

  private func ping(_ request: CommandRequest) -> CommandResponse {
    let status = (try? outbox.status()) ?? Outbox.Status()
    return CommandResponse(
      requestID: request.requestID, command: "ping", status: .ok,
      result: [
        "version": .string(version), "stream": .string(messages.stream),
        "uptime_s": .number(Double((Clock.monotonicMs() - startedAtMs) / 1000)),
        "last_seq": .number(Double(status.lastSeq ?? 0)), "backlog": .number(Double(status.pending)),
      ])
  }

  /// Chosen over running the checks in this process on another thread: doctor opens its own
  /// store connection and broker probes, and a check that hangs (a broker that never answers)
  /// can be killed at the timeout, which a thread cannot. The argv is fixed at start (this
  /// binary, `doctor --json --config <file>`): nothing from the command reaches it.
  private func startReport(_ request: CommandRequest, nowMs: Int64) {
    guard report == nil else { return finish(refusal(request, "rate_limited: a report is already running")) }
    guard let arguments = settings.reportArguments, let process = RunningProcess(arguments) else {
      return finish(
        CommandResponse(
          requestID: request.requestID, command: "report", status: .error,
          reason: "cannot run \(settings.reportArguments?.first ?? "classgate doctor")"))
    }
    report = (request, process, nowMs + settings.reportTimeoutMs)
  }

  // MARK: - Answers

  private func finish(_ response: CommandResponse) {
    let payload = JSONWriter.compactBytes(response.json(schoolID: messages.schoolID, timeMs: Clock.wallMs()))
    if let requestID = response.requestID { recent.remember(requestID, answer: payload) }
    note(
      requestID: response.requestID ?? "-", command: response.command ?? "unknown",
      outcome: response.status.rawValue, reason: response.reason)
    respond(payload)
  }

  private func note(requestID: String, command: String, outcome: String, reason: String?) {
    let label = ["ping", "resend", "report"].contains(command) ? command : "unknown"
    counts[Outcome(command: label, outcome: outcome), default: 0] += 1
    var metadata: Logger.Metadata = [
      "request_id": "\(requestID)", "command": "\(label)", "outcome": "\(outcome)",
    ]
    if let reason { metadata["reason"] = "\(reason.prefix(200))" }
    logger.notice("IOC command", metadata: metadata)
  }

  func refusal(_ request: CommandRequest, _ reason: String) -> CommandResponse {
    CommandResponse(
      requestID: request.requestID, command: request.command.name, status: .refused, reason: reason)
  }

  private func commandName(_ parsed: Result<CommandRequest, CommandRefusal>) -> String {
    switch parsed {
    case .success(let request): request.command.name
    case .failure(let refusal): refusal.command ?? "unknown"
    }
  }
}

@available(*, unavailable)
extension CommandRunner: Sendable {}
