import JSON

/// Reads the fields of one JSON object as the v1 schemas define them, throwing an `InvalidMessage`
/// that names the field's path (`devices[2].metrics.co2.count`) at the first mismatch.
struct FieldReader {
  let object: JSONObject
  let path: String

  init(_ object: JSONObject, path: String = "") {
    self.object = object
    self.path = path
  }

  func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

  func has(_ key: String) -> Bool { object[key] != nil }

  /// `additionalProperties: false`: the top level of every v1 message is closed.
  func onlyKeys(_ allowed: Set<String>) throws(InvalidMessage) {
    for key in object.keys where !allowed.contains(key) {
      throw InvalidMessage("\(name(key)): not a v1 field")
    }
  }

  func value(_ key: String) throws(InvalidMessage) -> JSONValue {
    guard let value = object[key] else { throw InvalidMessage("\(name(key)): required") }
    return value
  }

  /// JSON Schema's `integer`: a number without a fractional part (exact in a Double up to 2^53).
  func integer(_ key: String, minimum: Int = .min, maximum: Int = .max) throws(InvalidMessage) -> Int {
    let value = try value(key)
    guard let number = value.intValue else {
      throw InvalidMessage("\(name(key)): expected an integer, found \(Self.describe(value))")
    }
    guard number >= minimum, number <= maximum else {
      throw InvalidMessage("\(name(key)): \(number) is outside \(Self.range(minimum, maximum))")
    }
    return number
  }

  func optionalInteger(_ key: String, minimum: Int = .min, maximum: Int = .max) throws(InvalidMessage)
    -> Int?
  {
    has(key) ? try integer(key, minimum: minimum, maximum: maximum) : nil
  }

  /// An integer or `null` (`oneOf` with `{"type": "null"}`); the key itself is required.
  func nullableInteger(_ key: String, minimum: Int = .min) throws(InvalidMessage) -> Int? {
    if try value(key).isNull { return nil }
    return try integer(key, minimum: minimum)
  }

  func number(_ key: String, minimum: Double = -.infinity, maximum: Double = .infinity)
    throws(InvalidMessage) -> Double
  {
    let value = try value(key)
    guard let number = value.doubleValue, number.isFinite else {
      throw InvalidMessage("\(name(key)): expected a number, found \(Self.describe(value))")
    }
    guard number >= minimum, number <= maximum else {
      throw InvalidMessage("\(name(key)): \(number) is outside \(Self.range(minimum, maximum))")
    }
    return number
  }

  func optionalNumber(_ key: String, minimum: Double = -.infinity, maximum: Double = .infinity)
    throws(InvalidMessage) -> Double?
  {
    has(key) ? try number(key, minimum: minimum, maximum: maximum) : nil
  }

  func bool(_ key: String) throws(InvalidMessage) -> Bool {
    let value = try value(key)
    guard let flag = value.boolValue else {
      throw InvalidMessage("\(name(key)): expected true or false, found \(Self.describe(value))")
    }
    return flag
  }

  /// A string that `shape` accepts; `what` says what was expected, for the reason.
  func string(_ key: String, _ what: String, _ shape: (Substring.UTF8View) -> Bool) throws(InvalidMessage)
    -> String
  {
    let value = try value(key)
    guard let text = value.stringValue else {
      throw InvalidMessage("\(name(key)): expected a string, found \(Self.describe(value))")
    }
    guard shape(text[...].utf8) else {
      throw InvalidMessage("\(name(key)): \(Self.quoted(text)) is not \(what)")
    }
    return text
  }

  /// A string or `null`; the key itself is required.
  func nullableString(_ key: String, _ what: String, _ shape: (Substring.UTF8View) -> Bool)
    throws(InvalidMessage) -> String?
  {
    if try value(key).isNull { return nil }
    return try string(key, what, shape)
  }

  func constant(_ key: String, _ expected: String) throws(InvalidMessage) {
    let value = try value(key)
    guard value.stringValue == expected else {
      throw InvalidMessage("\(name(key)): expected \"\(expected)\", found \(Self.describe(value))")
    }
  }

  func choice(_ key: String, among options: [String]) throws(InvalidMessage) -> String {
    let text = try string(key, "a string") { _ in true }
    guard options.contains(text) else {
      throw InvalidMessage(
        "\(name(key)): \(Self.quoted(text)) is not one of \(options.joined(separator: ", "))")
    }
    return text
  }

  func object(_ key: String) throws(InvalidMessage) -> FieldReader {
    let value = try value(key)
    guard let inner = value.objectValue else {
      throw InvalidMessage("\(name(key)): expected an object, found \(Self.describe(value))")
    }
    return FieldReader(inner, path: name(key))
  }

  func array(_ key: String) throws(InvalidMessage) -> [JSONValue] {
    let value = try value(key)
    guard let items = value.arrayValue else {
      throw InvalidMessage("\(name(key)): expected an array, found \(Self.describe(value))")
    }
    return items
  }

  static func describe(_ value: JSONValue) -> String {
    switch value {
    case .null: "null"
    case .bool(let flag): "\(flag)"
    case .number(let number): "\(number)"
    case .string(let text): "the string \(quoted(text))"
    case .array: "an array"
    case .object: "an object"
    }
  }

  /// At most 40 characters of untrusted text, quoted, for a reason that is stored and shown.
  static func quoted(_ text: String) -> String {
    let short = text.count > 40 ? String(text.prefix(40)) + "…" : text
    return "\"\(short)\""
  }

  private static func range<T: Comparable & CustomStringConvertible>(_ low: T, _ high: T) -> String {
    "\(low)…\(high)"
  }
}
