/// Why a projector refused a command (PJLink v1.04 §2.2 and §4, v2.00 §2.2).
public enum Refusal: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
  /// ERR1: undefined command.
  case undefinedCommand = "ERR1"
  /// ERR2: out of parameter.
  case outOfParameter = "ERR2"
  /// ERR3: unavailable time (e.g. lamp hours while warming up).
  case unavailableTime = "ERR3"
  /// ERR4: projector/display failure.
  case projectorFailure = "ERR4"

  public var description: String { rawValue }
}

/// One response line, parsed. A response repeats the command's class and body:
/// `%1POWR=1`, `%1LAMP=ERR3`; a wrong digest is answered with `PJLINK ERRA` (§5.1).
public enum Response: Sendable, Equatable {
  case value(commandClass: Int, command: Command, parameter: String)
  case refused(commandClass: Int, command: Command, Refusal)
  case authenticationFailed

  /// The longest line the spec allows: 136 bytes for class 1, with the CR (§2.2); class 2
  /// responses are at most 140. Anything longer is not PJLink.
  public static let maximumLineBytes = 140

  /// Parses a line without its CR; nil when it is not a PJLink response.
  public init?(line: String) {
    if line == "PJLINK ERRA" {
      self = .authenticationFailed
      return
    }
    let bytes = Array(line.utf8)
    guard bytes.count >= 7, bytes.count < Self.maximumLineBytes, bytes[0] == UInt8(ascii: "%"),
      bytes[1] == UInt8(ascii: "1") || bytes[1] == UInt8(ascii: "2"), bytes[6] == UInt8(ascii: "=")
    else { return nil }
    let body = bytes[2..<6]
    guard body.allSatisfy({ $0 >= 65 && $0 <= 90 || $0 >= 48 && $0 <= 57 }) else { return nil }
    let commandClass = Int(bytes[1] - UInt8(ascii: "0"))
    let command = Command(String(decoding: body, as: UTF8.self))
    let parameter = String(decoding: bytes[7...], as: UTF8.self)
    if let refusal = Refusal(rawValue: parameter) {
      self = .refused(commandClass: commandClass, command: command, refusal)
    } else {
      self = .value(commandClass: commandClass, command: command, parameter: parameter)
    }
  }
}
