/// `POWR ?` answers (PJLink v1.04 §4.2): 0 standby, 1 lamp on, 2 cooling down, 3 warming up.
public enum PowerState: Int, Sendable, Equatable {
  case off = 0
  case on = 1
  case cooling = 2
  case warmingUp = 3

  /// The canonical `power_on`: switched on means on or warming up; cooling is already off.
  public var isOn: Bool { self == .on || self == .warmingUp }
}

/// `ERST ?` (v1.04 §4.8): six digits for fan, lamp, temperature, cover open, filter and other;
/// each 0 (no error), 1 (warning) or 2 (error).
public struct ErrorStatus: Sendable, Equatable {
  public var digits: [Int]

  public init?(parameter: String) {
    let values = parameter.utf8.map { Int($0) - 48 }
    guard values.count == 6, values.allSatisfy({ (0...2).contains($0) }) else { return nil }
    digits = values
  }

  /// The canonical `error_code`: the six digits read as one decimal number, so 0 means no error
  /// and every digit keeps its place (`000200` → 200: a filter error; `020000` → 20000: a lamp
  /// error; `100000` → 100000: a fan warning).
  public var code: Int { digits.reduce(0) { $0 * 10 + $1 } }
}

/// What one poll learnt, command by command; a refused or unreadable answer leaves its field nil.
public struct ProjectorReport: Sendable, Equatable {
  public var power: PowerState?
  /// `LAMP ?` (v1.04 §4.9): pairs of cumulative hours and 0/1 (lamp off/on), one pair per lamp.
  public var lamps: [(hours: Int, on: Bool)] = []
  public var errors: ErrorStatus?
  /// `INPT ?` (§4.4): two digits, the input type (1 RGB, 2 video, 3 digital, 4 storage,
  /// 5 network) then its number.
  public var input: Int?
  /// `AVMT ?` (§4.6): 11 video mute on, 21 audio mute on, 31 both on, 30 both off (10, 20 off).
  public var videoMuted: Bool?
  /// Commands the projector refused in this poll, and why.
  public var refusals: [Command: Refusal] = [:]
  /// Commands whose answer was not in the form the spec gives.
  public var unreadable: [Command] = []

  public init() {}

  public static func == (lhs: ProjectorReport, rhs: ProjectorReport) -> Bool {
    lhs.power == rhs.power && lhs.lamps.map(\.hours) == rhs.lamps.map(\.hours)
      && lhs.lamps.map(\.on) == rhs.lamps.map(\.on) && lhs.errors == rhs.errors
      && lhs.input == rhs.input && lhs.videoMuted == rhs.videoMuted && lhs.refusals == rhs.refusals
      && lhs.unreadable == rhs.unreadable
  }

  /// Records one answer to `command`.
  public mutating func record(_ command: Command, parameter: String) {
    switch command {
    case .power:
      if let value = Int(parameter), let state = PowerState(rawValue: value) {
        power = state
        return
      }
    case .lamp:
      let fields = parameter.split(separator: " ").map { Int($0) }
      if !fields.isEmpty, fields.count % 2 == 0, fields.allSatisfy({ $0 != nil && $0! >= 0 }) {
        lamps = stride(from: 0, to: fields.count, by: 2).compactMap { index in
          guard let hours = fields[index], let flag = fields[index + 1], flag <= 1 else { return nil }
          return (hours, flag == 1)
        }
        if lamps.count == fields.count / 2 { return }
        lamps = []
      }
    case .errorStatus:
      if let status = ErrorStatus(parameter: parameter) {
        errors = status
        return
      }
    case .input:
      let bytes = Array(parameter.utf8)
      if bytes.count == 2, (49...57).contains(bytes[0]), (48...57).contains(bytes[1]) {
        input = Int(parameter)
        return
      }
    case .avMute:
      switch parameter {
      case "11", "31": videoMuted = true
      case "10", "20", "21", "30": videoMuted = false
      default: unreadable.append(command)
      }
      return
    default:
      return
    }
    unreadable.append(command)
  }

  /// The native-protocol telemetry: canonical metrics only, in a fixed order. `active` is 1 while
  /// the lamp is on and the picture is not muted.
  public var metrics: [(name: String, value: Int)] {
    var result: [(String, Int)] = []
    if let power { result.append(("power_on", power.isOn ? 1 : 0)) }
    if let power, let videoMuted { result.append(("active", power == .on && !videoMuted ? 1 : 0)) }
    if let first = lamps.first { result.append(("lamp_hours", first.hours)) }
    if let errors { result.append(("error_code", errors.code)) }
    if let input { result.append(("input_source", input)) }
    return result
  }
}
