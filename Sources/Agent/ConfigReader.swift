import TOML

/// Reads typed keys from a TOML document with environment-variable overrides, collecting every
/// problem (not just the first) with the file, line and key, and rejecting keys nobody asked for,
/// so a typo like `prot = 1883` is an error instead of a silent default.
///
/// The override for `local_broker.port` is `CLASSGATE_LOCAL_BROKER_PORT`: the dotted key in upper
/// case with `.` turned into `_`, after `CLASSGATE_` (the IOC receiver's prefix is `CLASSGATE_IOC_`).
public struct ConfigReader {
  public let file: String
  public let root: TOMLTable
  public let environment: [String: String]
  public let environmentPrefix: String
  public private(set) var problems: [ConfigError.Problem] = []
  private var consumed: Set<String> = []

  public init(
    file: String, root: TOMLTable, environment: [String: String], environmentPrefix: String = "CLASSGATE_"
  ) {
    self.file = file
    self.root = root
    self.environment = environment
    self.environmentPrefix = environmentPrefix
  }

  static func environmentName(of key: String, prefix: String = "CLASSGATE_") -> String {
    prefix + key.uppercased().replacingDots()
  }

  // MARK: - Typed access

  public mutating func string(_ key: String, default fallback: String?) -> String? {
    switch lookup(key) {
    case .none: return fallback
    case .environment(let text, _): return text
    case .file(let value, let line):
      guard case .string(let text) = value else {
        fail(key, line: line, "expected a string, found \(value.typeName)")
        return fallback
      }
      return text
    }
  }

  /// A list of strings; in the environment, separated by ':' like PATH.
  public mutating func strings(_ key: String, default fallback: [String]) -> [String] {
    switch lookup(key) {
    case .none: return fallback
    case .environment(let text, _): return text.split(separator: ":").map(String.init)
    case .file(let value, let line):
      guard case .array(let items) = value else {
        fail(key, line: line, "expected a list of strings, found \(value.typeName)")
        return fallback
      }
      var result: [String] = []
      for item in items {
        guard case .string(let text) = item else {
          fail(key, line: line, "expected a list of strings, found an element that is \(item.typeName)")
          return fallback
        }
        result.append(text)
      }
      return result
    }
  }

  public mutating func integer(_ key: String, default fallback: Int, range: ClosedRange<Int>) -> Int {
    let expected = "expected an integer from \(range.lowerBound) to \(range.upperBound)"
    let parsed: Int?
    switch lookup(key) {
    case .none: return fallback
    case .environment(let text, let name):
      parsed = Int(text)
      guard let parsed, range.contains(parsed) else {
        failEnvironment(key, name, "\(expected), found \"\(text.prefix(40))\"")
        return fallback
      }
      return parsed
    case .file(let value, let line):
      guard case .integer(let number) = value, let number = Int(exactly: number),
        range.contains(number)
      else {
        fail(key, line: line, "\(expected), found \(describe(value))")
        return fallback
      }
      return number
    }
  }

  public mutating func choice<T: RawRepresentable>(
    _ key: String, default fallback: T, among options: [T]
  ) -> T where T.RawValue == String {
    guard let text = string(key, default: nil) else { return fallback }
    guard let value = T(rawValue: text), options.contains(where: { $0.rawValue == text }) else {
      let names = options.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
      report(key, "expected one of \(names), found \"\(text.prefix(40))\"")
      return fallback
    }
    return value
  }

  public mutating func boolean(_ key: String, default fallback: Bool) -> Bool {
    switch lookup(key) {
    case .none: return fallback
    case .environment(let text, let name):
      switch text.lowercased() {
      case "true", "1", "yes": return true
      case "false", "0", "no": return false
      default:
        failEnvironment(key, name, "expected true or false, found \"\(text.prefix(40))\"")
        return fallback
      }
    case .file(let value, let line):
      guard case .boolean(let flag) = value else {
        fail(key, line: line, "expected true or false, found \(describe(value))")
        return fallback
      }
      return flag
    }
  }

  /// Reports a problem with a key's value found by a later check (e.g. a file that does not exist).
  public mutating func report(_ key: String, _ message: String) {
    if let name = environmentOverride(key) {
      failEnvironment(key, name, message)
    } else {
      fail(key, line: line(of: key), message)
    }
  }

  /// Reports a problem found at a known line (a table in an array of tables, say).
  public mutating func report(_ key: String, line: Int, _ message: String) {
    fail(key, line: line, message)
  }

  mutating func report(environment name: String, _ message: String) {
    problems.append(.init(location: "environment variable \(name)", key: "", message: message))
  }

  /// Every key present in the file that no accessor asked for.
  public mutating func rejectUnknownKeys(known sections: [String: [String]]) {
    for key in root.keys {
      guard let value = root[key] else { continue }
      if case .table(let table) = value, let knownKeys = sections[key] {
        for inner in table.keys where !knownKeys.contains(inner) {
          fail(
            "\(key).\(inner)", line: table.line(of: inner) ?? table.line,
            "unknown key (known in [\(key)]: \(knownKeys.joined(separator: ", ")))")
        }
      } else if !(sections[""] ?? []).contains(key) {
        let known = (sections[""] ?? []) + sections.keys.filter { !$0.isEmpty }.map { "[\($0)]" }
        fail(
          key, line: root.line(of: key) ?? 1, "unknown key (known: \(known.sorted().joined(separator: ", ")))"
        )
      }
    }
  }

  // MARK: - Internals

  private enum Source {
    case none
    case environment(String, name: String)
    case file(TOMLValue, line: Int)
  }

  private func environmentOverride(_ key: String) -> String? {
    let name = Self.environmentName(of: key, prefix: environmentPrefix)
    return environment[name] != nil ? name : nil
  }

  private mutating func lookup(_ key: String) -> Source {
    consumed.insert(key)
    if let name = environmentOverride(key), let text = environment[name] {
      return .environment(text, name: name)
    }
    let parts = key.split(separator: ".").map(String.init)
    var table = root
    for part in parts.dropLast() {
      guard let next = table[part] else { return .none }
      guard case .table(let inner) = next else {
        fail(parts[0], line: table.line(of: part) ?? 1, "expected a table [\(part)], found \(next.typeName)")
        return .none
      }
      table = inner
    }
    guard let last = parts.last, let value = table[last] else { return .none }
    return .file(value, line: table.line(of: last) ?? table.line)
  }

  private func line(of key: String) -> Int {
    let parts = key.split(separator: ".").map(String.init)
    var table = root
    for part in parts.dropLast() {
      guard case .table(let inner)? = table[part] else { return 1 }
      table = inner
    }
    return parts.last.flatMap { table.line(of: $0) } ?? table.line
  }

  private mutating func fail(_ key: String, line: Int, _ message: String) {
    problems.append(.init(location: "\(file) line \(line)", key: key, message: message))
  }

  private mutating func failEnvironment(_ key: String, _ name: String, _ message: String) {
    problems.append(.init(location: "environment variable \(name)", key: key, message: message))
  }

  private func describe(_ value: TOMLValue) -> String {
    switch value {
    case .string(let text): "the string \"\(text.prefix(40))\""
    case .integer(let number): "\(number)"
    case .float(let number): "\(number)"
    case .boolean(let flag): "\(flag)"
    default: value.typeName
    }
  }
}

extension String {
  fileprivate func replacingDots() -> String {
    String(map { $0 == "." ? "_" : $0 })
  }
}
