import TOML

/// Typed, line-aware reads from one TOML table of a profile or inventory file; unknown keys are
/// errors, so a misspelt key never silently does nothing.
struct TableReader {
  let file: String
  let table: TOMLTable
  /// Dotted location of this table, for key names in messages ("topics[2]").
  let path: String
  private var used: Set<String> = []

  init(file: String, table: TOMLTable, path: String) {
    self.file = file
    self.table = table
    self.path = path
  }

  /// The root table of a whole TOML document; syntax errors become ProfileErrors with the line.
  init(document text: String, file: String) throws(ProfileError) {
    do throws(TOMLError) {
      self.init(file: file, table: try TOMLParser.parse(text), path: "")
    } catch {
      throw ProfileError(file: file, line: error.line, key: "", message: error.message)
    }
  }

  func qualified(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

  func error(_ key: String, _ message: String) -> ProfileError {
    ProfileError(file: file, line: table.line(of: key) ?? table.line, key: qualified(key), message: message)
  }

  mutating func value(_ key: String) -> TOMLValue? {
    used.insert(key)
    return table[key]
  }

  mutating func string(_ key: String) throws(ProfileError) -> String? {
    guard let value = value(key) else { return nil }
    guard case .string(let text) = value else {
      throw error(key, "expected a string, found \(value.typeName)")
    }
    return text
  }

  mutating func requiredString(_ key: String) throws(ProfileError) -> String {
    guard let text = try string(key) else {
      throw ProfileError(file: file, line: table.line, key: qualified(key), message: "is required")
    }
    return text
  }

  mutating func number(_ key: String) throws(ProfileError) -> Double? {
    guard let value = value(key) else { return nil }
    switch value {
    case .integer(let number): return Double(number)
    case .float(let number) where number.isFinite: return number
    default: throw error(key, "expected a number, found \(value.typeName)")
    }
  }

  mutating func integer(_ key: String) throws(ProfileError) -> Int? {
    guard let value = value(key) else { return nil }
    guard case .integer(let number) = value, let result = Int(exactly: number) else {
      throw error(key, "expected an integer, found \(value.typeName)")
    }
    return result
  }

  mutating func strings(_ key: String) throws(ProfileError) -> [String]? {
    guard let value = value(key) else { return nil }
    switch value {
    case .string(let text): return [text]
    case .array(let items):
      var result: [String] = []
      for item in items {
        guard case .string(let text) = item else { throw error(key, "expected a list of strings") }
        result.append(text)
      }
      return result
    default: throw error(key, "expected a string or a list of strings, found \(value.typeName)")
    }
  }

  mutating func subtable(_ key: String) throws(ProfileError) -> TOMLTable? {
    guard let value = value(key) else { return nil }
    guard case .table(let inner) = value else {
      throw error(key, "expected a table, found \(value.typeName)")
    }
    return inner
  }

  mutating func tables(_ key: String) throws(ProfileError) -> [TOMLTable] {
    guard let value = value(key) else { return [] }
    guard case .array(let items) = value else { throw error(key, "expected [[\(key)]] entries") }
    var result: [TOMLTable] = []
    for item in items {
      guard case .table(let inner) = item else { throw error(key, "expected [[\(key)]] entries") }
      result.append(inner)
    }
    return result
  }

  func rejectUnknownKeys(allowed: [String]) throws(ProfileError) {
    for key in table.keys where !used.contains(key) {
      throw error(key, "unknown key (expected one of: \(allowed.joined(separator: ", ")))")
    }
  }
}
