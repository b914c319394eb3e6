import DeviceModel
import JSON

/// Checks a command payload against `classgate.command` v1 and the agent's limits. Pure: the
/// caller passes the time. Anything not exactly right is refused, never partly run.
public enum CommandParser {
  public static let maxPayloadBytes = 16 << 10
  /// A resend by seq covers at most this many seqs.
  public static let maxSeqRange: Int64 = 10_000
  /// A resend by period covers at most this (late data is accepted up to 31 days old too).
  public static let maxPeriodMs: Int64 = 31 * 86_400_000
  /// `issued_ms` this far from the agent's clock is refused: a replay, or a wrong clock.
  public static let maxClockSkewMs: Int64 = 300_000
  public static let maxAgeMs: Int64 = 3_600_000

  /// `size` is the payload's size as received (the copy may be cut short).
  public static func parse(_ payload: [UInt8], size: Int, nowMs: EpochMillis) -> Result<
    CommandRequest, CommandRefusal
  > {
    guard size <= maxPayloadBytes, payload.count == size else {
      return .failure(.init(reason: "too_large: \(size) bytes, at most \(maxPayloadBytes)"))
    }
    let root: JSONObject
    do {
      guard let object = try JSONParser.parse(payload, limits: .init(maxDepth: 8)).objectValue else {
        return .failure(.init(reason: "bad_json: not a JSON object"))
      }
      root = object
    } catch {
      return .failure(.init(reason: "bad_json: \(error)"))
    }
    let requestID = root["request_id"]?.stringValue.flatMap { isRequestID($0) ? $0 : nil }
    let name = root["command"]?.stringValue.flatMap { $0.utf8.count <= 32 ? $0 : nil }
    func refuse(_ reason: String) -> Result<CommandRequest, CommandRefusal> {
      .failure(CommandRefusal(requestID: requestID, command: name, reason: reason))
    }
    let known: Set<String> = [
      "schema", "schema_version", "request_id", "command", "issued_ms", "expires_ms", "args",
    ]
    if let extra = root.keys.first(where: { !known.contains($0) }) {
      return refuse("bad_field: unknown field \"\(extra.prefix(40))\"")
    }
    guard root["schema"]?.stringValue == "classgate.command" else {
      return refuse("bad_schema: schema must be \"classgate.command\"")
    }
    guard root["schema_version"]?.intValue == 1 else {
      return refuse("bad_schema: schema_version must be 1")
    }
    guard let requestID else {
      return refuse("bad_request_id: request_id must be 1–64 characters of A–Z a–z 0–9 . _ -")
    }
    guard let issued = root["issued_ms"]?.intValue else {
      return refuse("bad_field: issued_ms must be an integer")
    }
    let expires = root["expires_ms"]
    if let expires, expires.intValue == nil { return refuse("bad_field: expires_ms must be an integer") }
    if let expiry = expires?.intValue, Int64(expiry) < nowMs {
      return refuse("expired: expires_ms has passed")
    }
    if Int64(issued) > nowMs + maxClockSkewMs { return refuse("bad_time: issued_ms is in the future") }
    if Int64(issued) < nowMs - maxAgeMs { return refuse("expired: issued more than an hour ago") }
    guard let name else { return refuse("bad_field: command must be a string") }
    let args: JSONObject
    switch root["args"] {
    case nil: args = [:]
    case .object(let object)?: args = object
    default: return refuse("bad_args: args must be an object")
    }
    let command: CommandRequest.Command
    switch name {
    case "ping", "report":
      guard args.isEmpty else { return refuse("bad_args: \(name) takes no args") }
      command = name == "ping" ? .ping : .report
    case "resend":
      switch resendSpan(args, nowMs: nowMs) {
      case .success(let span): command = .resend(span)
      case .failure(let words): return refuse("bad_args: \(words.reason)")
      }
    default:
      return refuse("unknown_command: \"\(name)\" is not ping, resend or report")
    }
    return .success(
      CommandRequest(
        requestID: requestID, command: command, issuedMs: Int64(issued),
        expiresMs: expires?.intValue.map(Int64.init)))
  }

  /// 1–64 characters of `A–Z a–z 0–9 . _ -`.
  public static func isRequestID(_ text: String) -> Bool {
    (1...64).contains(text.utf8.count)
      && text.utf8.allSatisfy { byte in
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
          || byte == 0x2E || byte == 0x5F || byte == 0x2D
      }
  }

  /// Exactly one of `{day}`, `{from_ms, to_ms}`, `{seq_from, seq_to}`.
  static func resendSpan(_ args: JSONObject, nowMs: EpochMillis) -> Result<
    CommandRequest.ResendSpan, CommandRefusal
  > {
    let keys = Set(args.keys)
    if keys == ["day"] {
      guard let day = args["day"]?.stringValue, isDate(day) else {
        return .failure(.init(reason: "day must be YYYY-MM-DD"))
      }
      return .success(.day(day))
    }
    if keys == ["from_ms", "to_ms"] {
      guard let from = args["from_ms"]?.intValue, let to = args["to_ms"]?.intValue, from < to else {
        return .failure(.init(reason: "from_ms and to_ms must be integers, from_ms < to_ms"))
      }
      guard Int64(to - from) <= maxPeriodMs else {
        return .failure(.init(reason: "a period of at most 31 days"))
      }
      return .success(.period(from: Int64(from), to: Int64(to)))
    }
    if keys == ["seq_from", "seq_to"] {
      guard let from = args["seq_from"]?.intValue, let to = args["seq_to"]?.intValue, from >= 1, from <= to
      else {
        return .failure(.init(reason: "seq_from and seq_to must be integers, 1 ≤ seq_from ≤ seq_to"))
      }
      guard Int64(to - from) < maxSeqRange else {
        return .failure(.init(reason: "at most \(maxSeqRange) seqs at a time"))
      }
      return .success(.seqs(from: Int64(from), to: Int64(to)))
    }
    return .failure(.init(reason: "resend takes exactly one of {day}, {from_ms, to_ms}, {seq_from, seq_to}"))
  }

  /// `YYYY-MM-DD` with a real month and day.
  static func isDate(_ text: String) -> Bool {
    guard let (year, month, day) = date(text) else { return false }
    let days = EpochTime.daysFromCivil(year: year, month: month, day: day)
    return EpochTime.civil(fromDays: days) == (year, month, day)
  }

  public static func date(_ text: String) -> (Int, Int, Int)? {
    let bytes = Array(text.utf8)
    guard bytes.count == 10, bytes[4] == 0x2D, bytes[7] == 0x2D else { return nil }
    func number(_ range: Range<Int>) -> Int? {
      var value = 0
      for byte in bytes[range] {
        guard (0x30...0x39).contains(byte) else { return nil }
        value = value * 10 + Int(byte - 0x30)
      }
      return value
    }
    guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
    return (year, month, day)
  }
}
