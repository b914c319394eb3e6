import JSON

/// Field paths into JSON payloads, with the two wildcard forms of `FieldPath` keys: `*` (any key)
/// and `text{channel}` (any key starting with `text`; the rest is the channel).
enum JSONLookup {
  static let channelSuffix = "{channel}"

  /// The value at `path`, keys taken literally.
  static func value(_ object: JSONObject, _ path: FieldPath) -> JSONValue? {
    var current = JSONValue.object(object)
    for key in path.keys {
      guard case .object(let inner) = current, let next = inner[key] else { return nil }
      current = next
    }
    return current
  }

  /// Every value `path` reaches, with the channel its `{channel}` key (or an array, one element per
  /// channel from `firstChannel`, when given) gives; nil: no channel.
  static func values(_ object: JSONObject, _ path: FieldPath, firstChannel: Int?) -> [(
    channel: Substring?, value: JSONValue
  )] {
    var found: [(channel: Substring?, value: JSONValue)] = []
    func walk(_ value: JSONValue, _ depth: Int, _ channel: Substring?) {
      if depth == path.keys.count {
        if case .array(let items) = value, channel == nil, let firstChannel {
          for (index, item) in items.enumerated() {
            found.append((Substring(String(firstChannel + index)), item))
          }
        } else {
          found.append((channel, value))
        }
        return
      }
      guard case .object(let inner) = value else { return }
      let key = path.keys[depth]
      if key == "*" {
        for (_, next) in inner { walk(next, depth + 1, channel) }
      } else if key.hasSuffix(channelSuffix) {
        let prefix = key.dropLast(channelSuffix.count)
        for (name, next) in inner where name.hasPrefix(prefix) && name.count > prefix.count {
          walk(next, depth + 1, name.dropFirst(prefix.count))
        }
      } else if let next = inner[key] {
        walk(next, depth + 1, channel)
      }
    }
    walk(.object(object), 0, nil)
    return found
  }

  /// True when `pattern` names `keys` (whole = exactly; else `keys` is at or under it).
  static func matches(_ pattern: FieldPath, _ keys: [String], whole: Bool) -> Bool {
    guard whole ? pattern.keys.count == keys.count : pattern.keys.count <= keys.count else {
      return false
    }
    for (wanted, key) in zip(pattern.keys, keys) {
      if wanted == "*" { continue }
      if wanted.hasSuffix(channelSuffix) {
        let prefix = wanted.dropLast(channelSuffix.count)
        guard key.hasPrefix(prefix), key.count > prefix.count else { return false }
      } else if wanted != key {
        return false
      }
    }
    return true
  }

  /// Paths of the numbers and booleans in `object` (an array of them counts as one field), in
  /// document order, at most `limit` and at most 8 levels deep.
  static func leaves(_ object: JSONObject, limit: Int) -> [[String]] {
    var found: [[String]] = []
    func walk(_ value: JSONValue, _ path: [String]) {
      guard found.count < limit else { return }
      switch value {
      case .number, .bool: found.append(path)
      case .object(let inner) where path.count < 8:
        for (key, next) in inner { walk(next, path + [key]) }
      case .array(let items):
        if items.contains(where: {
          if case .number = $0 { true } else if case .bool = $0 { true } else { false }
        }) {
          found.append(path)
        }
      default: break
      }
    }
    walk(.object(object), [])
    return found
  }
}
