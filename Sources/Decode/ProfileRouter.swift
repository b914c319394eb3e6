import DeviceModel

/// All profiles as one decoder: for each topic the most specific matching rule of any profile
/// decides (`TopicPattern.precedes`), so a site's `{device}/online` and the shipped
/// `zigbee2mqtt/{device#}` can both be loaded: `zigbee2mqtt/online` goes to the second. Rules of
/// equal shape that can match the same topic are refused when the set is loaded if they belong to
/// two profiles (`ProfileSet`); within one profile they are tried in file order.
public struct ProfileRouter: MessageDecoder {
  public let name = "profiles"
  public let decoders: [ProfileDecoder]
  /// (decoder, rule) indexes, most specific first; equal shapes in profile order, then file order.
  let order: [(decoder: Int, rule: Int)]

  public init(_ decoders: [ProfileDecoder]) {
    self.decoders = decoders
    var all: [(decoder: Int, rule: Int)] = []
    for (index, decoder) in decoders.enumerated() {
      all += decoder.order.map { (index, $0) }
    }
    var order: [(decoder: Int, rule: Int)] = []
    func pattern(_ entry: (decoder: Int, rule: Int)) -> TopicPattern {
      decoders[entry.decoder].profile.rules[entry.rule].pattern
    }
    for entry in all {
      let position = order.firstIndex { pattern(entry).precedes(pattern($0)) } ?? order.count
      order.insert(entry, at: position)
    }
    self.order = order
  }

  public func decode(topic: String, payload: [UInt8], receivedAt: EpochMillis) -> DecodeResult? {
    decodeClaimed(topic: topic, payload: payload, receivedAt: receivedAt)?.result
  }

  public func decodeClaimed(topic: String, payload: [UInt8], receivedAt: EpochMillis)
    -> (claimant: String, result: DecodeResult)?
  {
    let levels = topic.split(separator: "/", omittingEmptySubsequences: false)
    var parsed = ParsedPayload(bytes: payload)
    for (decoder, rule) in order {
      if let result = decoders[decoder].attempt(
        rule: rule, levels: levels, payload: &parsed, receivedAt: receivedAt)
      {
        return (decoders[decoder].name, result)
      }
    }
    return nil
  }

  public func ignores(topic: String) -> Bool {
    guard let first = candidates(topic: topic).first else { return false }
    let rule = decoders[first.decoder].profile.rules[first.rule]
    return rule.content == .ignore && rule.condition == nil
  }

  /// Every rule whose pattern matches `topic`, in the order they are tried (conditions are not
  /// checked here): the first that also meets its condition decides.
  public func candidates(topic: String) -> [(decoder: Int, rule: Int)] {
    let levels = topic.split(separator: "/", omittingEmptySubsequences: false)
    return order.filter { decoders[$0.decoder].profile.rules[$0.rule].pattern.match(levels) != nil }
  }

  /// For `classgate profiles test`, one line per rule whose pattern matches `topic`: first the rule
  /// that decided (the first candidate whose condition holds), then each other one and why it
  /// lost (less specific, same shape later in the file, or its condition not met).
  public func explanation(topic: String, payload: [UInt8], receivedAt: EpochMillis) -> [String] {
    let levels = topic.split(separator: "/", omittingEmptySubsequences: false)
    let matching = candidates(topic: topic)
    var parsed = ParsedPayload(bytes: payload)
    var lines: [String] = []
    var winner: TopicPattern?
    for (decoder, rule) in matching {
      let profile = decoders[decoder].profile
      let pattern = profile.rules[rule].pattern
      let entry = profile.rules[rule].entry
      let place = "\(profile.name) topics[\(entry > 0 ? entry : rule + 1)] \"\(pattern)\" (\(profile.file))"
      if let winner {
        if winner.precedes(pattern) {
          lines.append(
            "also matched, not used: \(place); the rule used wins: \(winner.precedenceReason(over: pattern))")
        } else {
          lines.append("not tried: \(place) (same shape, later in the file)")
        }
      } else if decoders[decoder].attempt(
        rule: rule, levels: levels, payload: &parsed, receivedAt: receivedAt)
        != nil
      {
        winner = pattern
        lines.insert(
          "matched \(place)" + (matching.count == 1 ? ", the only rule whose pattern matches" : ""), at: 0)
      } else {
        lines.append("pattern matched, condition not met: \(place)")
      }
    }
    return lines
  }
}
