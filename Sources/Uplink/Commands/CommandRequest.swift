import DeviceModel
import JSON

/// A command from the IOC (`ioc/v1/schools/<id>/commands`), checked by `CommandParser`.
public struct CommandRequest: Sendable, Equatable {
  public enum Command: Sendable, Equatable {
    case ping
    case resend(ResendSpan)
    case report

    public var name: String {
      switch self {
      case .ping: "ping"
      case .resend: "resend"
      case .report: "report"
      }
    }
  }

  /// What `resend` sends again: a local school day or a period (re-summarised as new revisions),
  /// or a seq range (the held outbox rows, re-published as they were).
  public enum ResendSpan: Sendable, Equatable {
    case day(String)
    case period(from: EpochMillis, to: EpochMillis)
    case seqs(from: Int64, to: Int64)
  }

  public var requestID: String
  public var command: Command
  public var issuedMs: EpochMillis
  public var expiresMs: EpochMillis?
}

/// The answer on `ioc/v1/schools/<id>/responses`.
public struct CommandResponse: Sendable, Equatable {
  public enum Status: String, Sendable {
    case ok
    case refused
    case error
  }

  /// nil when the request's id could not be read (bad JSON): the IOC then only sees it in the
  /// agent's log and metrics.
  public var requestID: String?
  /// The command's name as sent, when it was a string of a sane length.
  public var command: String?
  public var status: Status
  public var reason: String?
  public var result: JSONObject?

  public init(
    requestID: String?, command: String?, status: Status, reason: String? = nil, result: JSONObject? = nil
  ) {
    self.requestID = requestID
    self.command = command
    self.status = status
    self.reason = reason
    self.result = result
  }

  public static func refused(_ refusal: CommandRefusal) -> CommandResponse {
    CommandResponse(
      requestID: refusal.requestID, command: refusal.command, status: .refused, reason: refusal.reason)
  }

  /// `classgate.command_response` v1 (schemas/classgate.command_response.v1.schema.json).
  public func json(schoolID: String, timeMs: EpochMillis) -> JSONValue {
    var object: JSONObject = [
      "schema": "classgate.command_response", "schema_version": 1, "school_id": .string(schoolID),
      "request_id": requestID.map(JSONValue.string) ?? .null,
      "command": command.map(JSONValue.string) ?? .null, "status": .string(status.rawValue),
    ]
    if let reason { object["reason"] = .string(reason) }
    object["result"] = result.map(JSONValue.object) ?? .object([:])
    object["time_ms"] = .number(Double(timeMs))
    return .object(object)
  }
}

/// Why a command is not run, with what could be read of it for the answer.
public struct CommandRefusal: Error, Sendable, Equatable {
  public var requestID: String?
  public var command: String?
  /// A short code first (`bad_json`, `expired`, `rate_limited`, …), then words.
  public var reason: String

  public init(requestID: String? = nil, command: String? = nil, reason: String) {
    self.requestID = requestID
    self.command = command
    self.reason = reason
  }
}
