import DeviceModel

/// A topic pattern with MQTT wildcards and named captures, one per level:
/// `tele/{device}/SENSOR`, `zigbee2mqtt/{device}/availability`, `{device}/status/+`, `site/#`.
/// Captures: `{device}` (required somewhere, except in `ignore` rules), `{room}`, `{kind}`.
public struct TopicPattern: Sendable, Equatable, CustomStringConvertible {
  public enum Level: Sendable, Equatable {
    case literal(String)
    case anyLevel  // +
    case rest  // #, last only
    case capture(Capture)
  }

  public enum Capture: String, Sendable, CaseIterable {
    case device, room, kind
  }

  public let levels: [Level]
  public let description: String

  /// Parses and validates; the error is a sentence for the profile's error message.
  public init(_ text: String) throws(PatternError) {
    guard !text.isEmpty else { throw PatternError("is empty") }
    var levels: [Level] = []
    var seen: Set<Capture> = []
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    for (index, part) in parts.enumerated() {
      switch part {
      case "+": levels.append(.anyLevel)
      case "#":
        guard index == parts.count - 1 else { throw PatternError("'#' must be the last level") }
        levels.append(.rest)
      default:
        if part.hasPrefix("{") && part.hasSuffix("}") {
          let name = String(part.dropFirst().dropLast())
          guard let capture = Capture(rawValue: name) else {
            throw PatternError(
              "unknown capture '{\(name)}' (use {device}, {room} or {kind}, or + for any level)")
          }
          guard seen.insert(capture).inserted else {
            throw PatternError("captures '{\(name)}' twice")
          }
          levels.append(.capture(capture))
        } else if part.contains("+") || part.contains("#") || part.contains("{") || part.contains("}") {
          throw PatternError("level '\(part)' mixes text with a wildcard or capture")
        } else {
          levels.append(.literal(String(part)))
        }
      }
    }
    self.levels = levels
    self.description = text
  }

  public var captures: Set<Capture> {
    Set(levels.compactMap { if case .capture(let capture) = $0 { capture } else { nil } })
  }

  /// The MQTT subscription filter: captures become `+`.
  public var filter: String {
    levels.map { level in
      switch level {
      case .literal(let text): text
      case .anyLevel, .capture: "+"
      case .rest: "#"
      }
    }.joined(separator: "/")
  }

  /// Captured values when `topic` matches, else nil.
  public func match(_ topicLevels: [Substring]) -> [Capture: Substring]? {
    var captured: [Capture: Substring] = [:]
    for (index, level) in levels.enumerated() {
      if case .rest = level { return captured }
      guard index < topicLevels.count else { return nil }
      switch level {
      case .literal(let text): guard topicLevels[index] == text else { return nil }
      case .anyLevel: continue
      case .capture(let capture): captured[capture] = topicLevels[index]
      case .rest: return captured
      }
    }
    return topicLevels.count == levels.count ? captured : nil
  }

  /// True when some topic matches both patterns (then two profiles would claim it).
  public func overlaps(_ other: TopicPattern) -> Bool {
    var index = 0
    while index < levels.count, index < other.levels.count {
      let a = levels[index]
      let b = other.levels[index]
      if a == .rest || b == .rest { return true }
      if case .literal(let x) = a, case .literal(let y) = b, x != y { return false }
      index += 1
    }
    if levels.count == other.levels.count { return true }
    // One is longer: only a trailing '#' on the shorter one could still match (handled above),
    // or '#' on the longer one at the next level, which matches the parent topic too.
    let longer = levels.count > other.levels.count ? levels : other.levels
    return longer.count == index + 1 && longer[index] == .rest
  }
}

public struct PatternError: Error, Sendable, Equatable {
  public let message: String
  init(_ message: String) { self.message = message }
}
