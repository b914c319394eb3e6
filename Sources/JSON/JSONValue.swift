/// A JSON document. Numbers are a single `Double` case because device payloads mix integers and
/// decimals freely for the same field, and every consumer ends up wanting a `Double` anyway.
public enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object(JSONObject)
}

extension JSONValue {
  public var doubleValue: Double? {
    if case .number(let number) = self { number } else { nil }
  }

  /// The number as an `Int` only when that is exact, so a timestamp like 1764380000123 never
  /// silently loses precision and 27.4 is not truncated to 27.
  public var intValue: Int? {
    // Range first: converting a non-finite or huge Double to Int would trap.
    guard case .number(let number) = self, number.magnitude <= 9_007_199_254_740_992,
      Double(Int(number)) == number
    else { return nil }
    return Int(number)
  }

  public var boolValue: Bool? {
    if case .bool(let flag) = self { flag } else { nil }
  }

  public var stringValue: String? {
    if case .string(let text) = self { text } else { nil }
  }

  public var arrayValue: [JSONValue]? {
    if case .array(let items) = self { items } else { nil }
  }

  public var objectValue: JSONObject? {
    if case .object(let object) = self { object } else { nil }
  }

  public var isNull: Bool {
    if case .null = self { true } else { false }
  }

  /// Follows a dotted path through nested objects ("ENERGY.Power"); array indices as digits
  /// ("items.0.v"). Device mappings are configured as such paths, so this avoids each consumer
  /// writing its own walker. An empty path is the value itself; keys containing "." can't be
  /// reached.
  public func value(atPath path: String) -> JSONValue? {
    if path.isEmpty { return self }
    var current = self
    var rest = path[...]
    while true {
      let segment: Substring
      let isLast: Bool
      if let dot = rest.utf8.firstIndex(of: UInt8(ascii: ".")) {
        segment = rest[..<dot]
        rest = rest[rest.utf8.index(after: dot)...]
        isLast = false
      } else {
        segment = rest
        isLast = true
      }
      switch current {
      case .object(let object):
        guard let next = object.value(forKey: segment) else { return nil }
        current = next
      case .array(let items):
        guard let index = Self.arrayIndex(segment), index < items.count else { return nil }
        current = items[index]
      default:
        return nil
      }
      if isLast { return current }
    }
  }

  /// Plain decimal digits only: "-1", "+1" or "" must not silently address an element.
  private static func arrayIndex(_ segment: Substring) -> Int? {
    guard !segment.isEmpty, segment.utf8.count <= 18 else { return nil }
    var index = 0
    for byte in segment.utf8 {
      guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
      index = index * 10 + Int(byte - UInt8(ascii: "0"))
    }
    return index
  }
}

/// Compact JSON, so values can be dropped straight into log lines and test failure messages.
extension JSONValue: CustomStringConvertible {
  public var description: String { JSONWriter.compact(self) }
}

// Literals keep tests and hand-built CLI output readable.
extension JSONValue: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
  ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
  ExpressibleByDictionaryLiteral
{
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  public init(integerLiteral value: Int) { self = .number(Double(value)) }
  public init(floatLiteral value: Double) { self = .number(value) }
  public init(stringLiteral value: String) { self = .string(value) }
  public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
  public init(dictionaryLiteral elements: (String, JSONValue)...) {
    self = .object(JSONObject(elements))
  }
}
