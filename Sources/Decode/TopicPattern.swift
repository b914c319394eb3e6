import DeviceModel

/// A topic pattern with MQTT wildcards and named captures, one per level:
/// `tele/{device}/SENSOR`, `zigbee2mqtt/{device}/availability`, `{device}/status/+`, `site/#`.
///
/// Captures: `{device}` (required somewhere, except in `ignore` rules), `{room}`, `{kind}`,
/// `{metric}` (the metric is named by the topic, ESPHome's `<node>/sensor/<name>/state`) and
/// `{channel}` (a multi-channel device's channel, see `Profile`). Two more forms:
/// - `{device#}`: one or more whole levels, for names that contain `/` (Zigbee2MQTT's
///   `zigbee2mqtt/floor1/room101/co2`); at most one per pattern, and not with `#`;
/// - `text{capture}`: a level that starts with fixed text (`switch:{channel}`, `POWER{channel}`).
///
/// When several patterns match a topic, the most specific one decides (`precedes(_:)`).
public struct TopicPattern: Sendable, Equatable, CustomStringConvertible {
  public enum Level: Sendable, Equatable {
    case literal(String)
    case anyLevel  // +
    case rest  // #, last only
    case capture(Capture)
    /// `{device#}`: one or more levels.
    case captureLevels(Capture)
    /// `switch:{channel}`: a level starting with the text; the capture is the rest of it.
    case prefixed(String, Capture)
  }

  public enum Capture: String, Sendable, CaseIterable {
    case device, room, kind, metric, channel
  }

  public let levels: [Level]
  public let description: String
  /// For a quick refusal before any capture is made: the fewest topic levels that can match,
  /// whether that is also the most, and the fixed levels with their positions from the start
  /// (non-negative) or from the end (negative, after a multi-level capture).
  private let minimumLevels: Int
  private let exactLevels: Bool
  private let fixed: [(position: Int, text: String)]

  /// Parses and validates; the error is a sentence for the profile's error message.
  public init(_ text: String) throws(PatternError) {
    guard !text.isEmpty else { throw PatternError("is empty") }
    var levels: [Level] = []
    var seen: Set<Capture> = []
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    func capture(_ name: Substring) throws(PatternError) -> Capture {
      guard let capture = Capture(rawValue: String(name)) else {
        throw PatternError(
          "unknown capture '{\(name)}' (use {device}, {room}, {kind}, {metric} or {channel}, or + for any level)"
        )
      }
      guard seen.insert(capture).inserted else { throw PatternError("captures '{\(name)}' twice") }
      return capture
    }
    for (index, part) in parts.enumerated() {
      switch part {
      case "+": levels.append(.anyLevel)
      case "#":
        guard index == parts.count - 1 else { throw PatternError("'#' must be the last level") }
        levels.append(.rest)
      default:
        if part.hasSuffix("}"), let open = part.lastIndex(of: "{") {
          let prefix = part[..<open]
          var name = part[part.index(after: open)..<part.index(before: part.endIndex)]
          let many = name.hasSuffix("#")
          if many { name = name.dropLast() }
          guard !prefix.contains("{"), !prefix.contains("}"), !prefix.contains("+"), !prefix.contains("#")
          else { throw PatternError("level '\(part)' mixes text with a wildcard or capture") }
          let captured = try capture(name)
          if many {
            guard prefix.isEmpty else { throw PatternError("'{\(name)#}' must be a whole level") }
            levels.append(.captureLevels(captured))
          } else if prefix.isEmpty {
            levels.append(.capture(captured))
          } else {
            levels.append(.prefixed(String(prefix), captured))
          }
        } else if part.contains("+") || part.contains("#") || part.contains("{") || part.contains("}") {
          throw PatternError("level '\(part)' mixes text with a wildcard or capture")
        } else {
          levels.append(.literal(String(part)))
        }
      }
    }
    let many = levels.filter { if case .captureLevels = $0 { true } else { false } }.count
    if many > 1 { throw PatternError("has more than one multi-level capture") }
    if many == 1, levels.last == .rest {
      throw PatternError("cannot have both a multi-level capture and '#'")
    }
    self.levels = levels
    self.description = text
    let multi = levels.firstIndex { if case .captureLevels = $0 { true } else { false } }
    let rest = levels.last == .rest
    minimumLevels = rest ? levels.count - 1 : levels.count
    exactLevels = multi == nil && !rest
    var fixed: [(position: Int, text: String)] = []
    for (index, level) in levels.enumerated() {
      guard case .literal(let text) = level else { continue }
      if let multi, index > multi {
        fixed.append((index - levels.count, text))
      } else {
        fixed.append((index, text))
      }
    }
    self.fixed = fixed
  }

  public static func == (a: TopicPattern, b: TopicPattern) -> Bool {
    a.levels == b.levels && a.description == b.description
  }

  public var captures: Set<Capture> {
    Set(
      levels.compactMap { level in
        switch level {
        case .capture(let capture), .captureLevels(let capture), .prefixed(_, let capture): capture
        default: nil
        }
      })
  }

  /// The MQTT subscription filter: captures become `+`, a multi-level capture and what follows `#`.
  public var filter: String {
    var parts: [String] = []
    for level in levels {
      switch level {
      case .literal(let text): parts.append(text)
      case .anyLevel, .capture, .prefixed: parts.append("+")
      case .rest, .captureLevels:
        parts.append("#")
        return parts.joined(separator: "/")
      }
    }
    return parts.joined(separator: "/")
  }

  /// Captured values when `topic` matches, else nil. A multi-level capture is the levels it
  /// covers, with their `/`, as one slice of the topic.
  public func match(_ topicLevels: [Substring]) -> [Capture: Substring]? {
    // Most rules fail on the number of levels or a fixed level: checked before any capture.
    guard exactLevels ? topicLevels.count == minimumLevels : topicLevels.count >= minimumLevels else {
      return nil
    }
    for (position, text) in fixed {
      let index = position >= 0 ? position : topicLevels.count + position
      guard topicLevels[index] == text else { return nil }
    }
    var captured: [Capture: Substring] = [:]
    guard let many = levels.firstIndex(where: { if case .captureLevels = $0 { true } else { false } })
    else {
      for (index, level) in levels.enumerated() {
        if case .rest = level { return captured }
        guard index < topicLevels.count, Self.match(level, topicLevels[index], into: &captured) else {
          return nil
        }
      }
      return topicLevels.count == levels.count ? captured : nil
    }
    let after = levels.count - many - 1
    guard topicLevels.count >= levels.count else { return nil }
    for index in 0..<many {
      guard Self.match(levels[index], topicLevels[index], into: &captured) else { return nil }
    }
    for offset in 0..<after {
      let level = levels[many + 1 + offset]
      guard Self.match(level, topicLevels[topicLevels.count - after + offset], into: &captured) else {
        return nil
      }
    }
    guard case .captureLevels(let capture) = levels[many] else { return nil }
    let first = topicLevels[many]
    let last = topicLevels[topicLevels.count - after - 1]
    captured[capture] = first.base[first.startIndex..<last.endIndex]
    return captured
  }

  private static func match(_ level: Level, _ text: Substring, into captured: inout [Capture: Substring])
    -> Bool
  {
    switch level {
    case .literal(let literal): return text == literal
    case .anyLevel: return true
    case .capture(let capture):
      captured[capture] = text
      return true
    case .prefixed(let prefix, let capture):
      guard text.hasPrefix(prefix), text.utf8.count > prefix.utf8.count else { return false }
      captured[capture] = text.dropFirst(prefix.count)
      return true
    case .rest, .captureLevels: return true
    }
  }

  // MARK: - Precedence and overlap

  /// How specific each level is: fixed text beats text with a capture, which beats a whole-level
  /// capture or `+`, which beats a multi-level capture, which beats `#`.
  var ranks: [Int] {
    levels.map { level in
      switch level {
      case .literal: 4
      case .prefixed: 3
      case .capture, .anyLevel: 2
      case .captureLevels: 1
      case .rest: 0
      }
    }
  }

  /// True when this pattern wins over `other` for a topic both match: compared level by level
  /// from the left, the first level that differs decides (see `ranks`); when one pattern is the
  /// other plus more levels, the longer wins (`zigbee2mqtt/{device#}/availability` over
  /// `zigbee2mqtt/{device#}`), unless its extra level is `#`. Equal shapes: neither wins.
  public func precedes(_ other: TopicPattern) -> Bool {
    let a = ranks
    let b = other.ranks
    for (x, y) in zip(a, b) where x != y { return x > y }
    if a.count == b.count { return false }
    if a.count > b.count { return a[b.count] != 0 }
    return b[a.count] == 0
  }

  /// Why this pattern wins over `other`, in words, for `classgate profiles test`.
  public func precedenceReason(over other: TopicPattern) -> String {
    let a = ranks
    let b = other.ranks
    for (index, (x, y)) in zip(a, b).enumerated() where x != y {
      return "level \(index + 1) is \(Self.word(levels[index])), "
        + "more specific than \(Self.word(other.levels[index])) in \"\(other)\""
    }
    return a.count > b.count
      ? "it is \"\(other)\" with more levels after it"
      : "\"\(other)\" only adds '#'"
  }

  private static func word(_ level: Level) -> String {
    switch level {
    case .literal(let text): "the fixed text '\(text)'"
    case .prefixed(let text, let capture): "'\(text){\(capture.rawValue)}'"
    case .capture(let capture): "a capture {\(capture.rawValue)}"
    case .anyLevel: "'+'"
    case .captureLevels(let capture): "a multi-level capture {\(capture.rawValue)#}"
    case .rest: "'#'"
    }
  }

  /// True when some topic matches both patterns (then precedence, or a refusal, decides).
  public func overlaps(_ other: TopicPattern) -> Bool {
    let a = Self.glob(levels)
    let b = Self.glob(other.levels)
    var memo: [Int: Bool] = [:]
    func meet(_ i: Int, _ j: Int) -> Bool {
      let key = i * 1024 + j
      if let known = memo[key] { return known }
      let result: Bool
      let aStar = i < a.count && a[i] == .star
      let bStar = j < b.count && b[j] == .star
      if i == a.count && j == b.count {
        result = true
      } else if aStar && bStar {
        result = meet(i + 1, j) || meet(i, j + 1)
      } else if aStar {
        result = meet(i + 1, j) || (j < b.count && meet(i, j + 1))
      } else if bStar {
        result = meet(i, j + 1) || (i < a.count && meet(i + 1, j))
      } else if i < a.count && j < b.count && Self.compatible(a[i], b[j]) {
        result = meet(i + 1, j + 1)
      } else {
        result = false
      }
      memo[key] = result
      return result
    }
    return meet(0, 0)
  }

  /// One topic level, or any number of levels (`star`).
  private enum Glob: Equatable {
    case text(String)
    case startsWith(String)
    case one
    case star
  }

  private static func glob(_ levels: [Level]) -> [Glob] {
    levels.flatMap { level -> [Glob] in
      switch level {
      case .literal(let text): [.text(text)]
      case .prefixed(let text, _): [.startsWith(text)]
      case .capture, .anyLevel: [.one]
      case .captureLevels: [.one, .star]
      case .rest: [.star]
      }
    }
  }

  private static func compatible(_ a: Glob, _ b: Glob) -> Bool {
    switch (a, b) {
    case (.one, _), (_, .one): true
    case (.text(let x), .text(let y)): x == y
    case (.text(let x), .startsWith(let p)), (.startsWith(let p), .text(let x)):
      x.hasPrefix(p) && x.utf8.count > p.utf8.count
    case (.startsWith(let p), .startsWith(let q)): p.hasPrefix(q) || q.hasPrefix(p)
    case (.star, _), (_, .star): true
    }
  }
}

public struct PatternError: Error, Sendable, Equatable {
  public let message: String
  init(_ message: String) { self.message = message }
}
