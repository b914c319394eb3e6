/// One poll of one projector as a state machine without I/O: the socket code feeds it lines and
/// sends what it returns (the shape of NIO's protocol state machines).
///
/// A poll is one connection (PJLink v1.04 §6: several commands may follow one another on a
/// connection; the projector closes it after 30 s idle): the greeting, then each query in turn.
/// Only the first command carries the authentication digest (§5.1).
public struct PollExchange: Sendable {
  public enum Step: Sendable, Equatable {
    /// Write these bytes, then read one line and call `receive(line:)`.
    case send([UInt8])
    case finished(Outcome)
  }

  public enum Outcome: Sendable, Equatable {
    case report(ProjectorReport)
    /// `PJLINK ERRA`: the password is wrong.
    case authenticationFailed
    /// The projector asks for a password and none is configured.
    case passwordRequired
    /// A line that is not PJLink (another service on the port, or a broken reply).
    case protocolError(String)
  }

  /// The class 1 queries every projector answers (class 2 projectors answer class 1 too).
  public static let standardQueries: [Request] = [
    .query(.power), .query(.lamp), .query(.errorStatus), .query(.input), .query(.avMute),
  ]

  private let password: String?
  private let queries: [Request]
  private var next = 0
  private var digest: String?
  private var greeted = false
  private var report = ProjectorReport()

  public init(password: String?, queries: [Request] = standardQueries) {
    precondition(!queries.isEmpty)
    self.password = password
    self.queries = queries
  }

  /// The first line the projector sent.
  public mutating func receive(greeting line: String) -> Step {
    guard !greeted else { return receive(line: line) }
    greeted = true
    switch Greeting(line: line) {
    case .open:
      digest = nil
    case .authenticate(let random):
      guard let password else { return .finished(.passwordRequired) }
      digest = Greeting.digest(random: random, password: password)
    case nil:
      if line == "PJLINK ERRA" { return .finished(.authenticationFailed) }
      return .finished(.protocolError("unexpected greeting \"\(line.prefix(40))\""))
    }
    return sendNext()
  }

  /// The answer to the last command sent.
  public mutating func receive(line: String) -> Step {
    guard next > 0 else { return .finished(.protocolError("an answer before any command")) }
    let asked = queries[next - 1]
    switch Response(line: line) {
    case .authenticationFailed:
      return .finished(.authenticationFailed)
    case .value(_, let command, let parameter) where command == asked.command:
      report.record(command, parameter: parameter)
    case .refused(_, let command, let refusal) where command == asked.command:
      report.refusals[command] = refusal
    default:
      return .finished(
        .protocolError("unexpected answer to \(asked.command): \"\(line.prefix(40))\""))
    }
    return next < queries.count ? sendNext() : .finished(.report(report))
  }

  private mutating func sendNext() -> Step {
    let request = queries[next]
    next += 1
    defer { digest = nil }
    return .send(request.encoded(digest: digest))
  }
}
