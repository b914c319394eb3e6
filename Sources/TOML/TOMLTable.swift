/// A TOML table: keys in definition order, each with the line it was defined on.
///
/// Equality compares contents only (keys and values), not key order or line
/// numbers, so a parsed table equals one written as a dictionary literal.
public struct TOMLTable: Sendable, Equatable {
  /// Keys in the order they were first defined.
  public private(set) var keys: [String]
  private var values: [String: TOMLValue]
  private var keyLines: [String: Int]

  /// The line where this table was opened: its `[header]`, `[[header]]`, `{`, or
  /// first dotted-key use; 1 for the root; 0 for tables built in code.
  public let line: Int

  init(line: Int, keys: [String], values: [String: TOMLValue], keyLines: [String: Int]) {
    self.line = line
    self.keys = keys
    self.values = values
    self.keyLines = keyLines
  }

  public subscript(key: String) -> TOMLValue? {
    values[key]
  }

  /// The line where `key` was defined. For a sub-table this is its header (or the
  /// first dotted key that created it); for an array of tables, its first `[[header]]`.
  /// Nil for unknown keys and for tables built in code.
  public func line(of key: String) -> Int? {
    keyLines[key]
  }

  public var isEmpty: Bool { keys.isEmpty }

  public var count: Int { keys.count }

  public static func == (lhs: TOMLTable, rhs: TOMLTable) -> Bool {
    lhs.values == rhs.values
  }
}

extension TOMLTable: ExpressibleByDictionaryLiteral {
  /// Builds a table in code (defaults, tests). Such tables have no line numbers.
  public init(dictionaryLiteral elements: (String, TOMLValue)...) {
    var keys: [String] = []
    var values: [String: TOMLValue] = [:]
    for (key, value) in elements {
      if values.updateValue(value, forKey: key) == nil { keys.append(key) }
    }
    self.init(line: 0, keys: keys, values: values, keyLines: [:])
  }
}
