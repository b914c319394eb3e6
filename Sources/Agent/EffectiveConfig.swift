import TOML

/// `classgate config show`: each key's value as the agent would take it and where it comes from
/// (the environment, the file with its line, or the default). Never prints a secret.
public enum EffectiveConfig {
  public struct Entry: Sendable, Equatable {
    public var key: String
    /// As TOML writes it (`1883`, `"127.0.0.1"`); `(none)` or `(redacted)`.
    public var value: String
    /// `environment CLASSGATE_X`, `classgate.toml line 7` or `default`.
    public var source: String
  }

  public static func entries(configFile: String, environment: [String: String]) throws(ConfigError) -> [Entry]
  {
    let peek = try ConfigPeek(configFile: configFile, mustExist: true, environment: environment)
    var entries: [Entry] = []
    let timetableOn: Bool
    if case .table? = peek.root["timetable"] { timetableOn = true } else { timetableOn = false }
    for entry in ConfigRegistry.keys {
      if entry.section == "timetable" && !timetableOn {
        // The agent reads none of them (nor their variables) without the section.
        if entry.key == ConfigRegistry.timetableKeys.first?.key {
          entries.append(
            Entry(key: "timetable", value: "(none)", source: "not set: no lessons are rolled up"))
        }
        continue
      }
      if case .tableArray = entry.kind {
        if let (value, line) = peek.lookup(dotted: entry.key), case .array(let tables) = value {
          entries.append(
            Entry(key: entry.key, value: "\(tables.count) tables", source: "\(peek.name) line \(line)"))
        } else {
          entries.append(Entry(key: entry.key, value: "(none)", source: "not set"))
        }
        continue
      }
      if entry.hasEnvironment, let text = environment[entry.environmentName] {
        let value =
          isBare(entry.kind)
          ? text
          : entry.kind == .stringList
            ? "[" + text.split(separator: ":").map { quoted(String($0)) }.joined(separator: ", ") + "]"
            : quoted(text)
        entries.append(Entry(key: entry.key, value: value, source: "environment \(entry.environmentName)"))
      } else if let (value, line) = peek.lookup(dotted: entry.key) {
        entries.append(Entry(key: entry.key, value: render(value), source: "\(peek.name) line \(line)"))
      } else if let value = timetableDefault(entry, entries) {
        entries.append(Entry(key: entry.key, value: value, source: "default"))
      } else {
        entries.append(
          Entry(
            key: entry.key, value: entry.defaultValue ?? entry.defaultNote ?? "(none)",
            source: entry.defaultValue == nil && entry.defaultNote == nil ? "not set" : "default"))
      }
      if entry.key == "local_broker.password_file", environment[ConfigRegistry.passwordVariable] != nil {
        entries.append(
          Entry(
            key: "local_broker.password", value: "(redacted)",
            source: "environment \(ConfigRegistry.passwordVariable)"))
      }
    }
    return entries
  }

  /// The defaults that follow `timetable.level` and `timetable.period_minutes` (already in
  /// `entries`, which lists them first).
  static func timetableDefault(_ entry: ConfigKey, _ entries: [Entry]) -> String? {
    guard entry.section == "timetable" else { return nil }
    if entry.table != "timetable" && entry.name == "period_minutes" {
      return entries.first { $0.key == "timetable.period_minutes" }?.value
    }
    let level = entries.first { $0.key == "timetable.level" }?.value
    return level == #""primary""# ? ConfigRegistry.primaryDefault(of: entry.key) : nil
  }

  static func isBare(_ kind: ConfigKey.Kind) -> Bool {
    switch kind {
    case .integer, .integerList, .boolean: return true
    default: return false
    }
  }

  static func quoted(_ text: String) -> String {
    var result = "\""
    for character in text {
      if character == "\\" || character == "\"" { result.append("\\") }
      result.append(character)
    }
    return result + "\""
  }

  /// A value as TOML writes it (tables, which no key holds, are summarised).
  static func render(_ value: TOMLValue) -> String {
    switch value {
    case .string(let text): quoted(text)
    case .integer(let number): String(number)
    case .float(let number): String(number)
    case .boolean(let flag): String(flag)
    case .dateTime(let text): text
    case .array(let items): "[" + items.map(render).joined(separator: ", ") + "]"
    case .table: "{…}"
    }
  }
}

extension ConfigPeek {
  /// The value of a dotted key in the file and its line, ignoring the environment.
  func lookup(dotted key: String) -> (TOMLValue, Int)? {
    let parts = key.split(separator: ".").map(String.init)
    var table = root
    for part in parts.dropLast() {
      guard case .table(let inner)? = table[part] else { return nil }
      table = inner
    }
    guard let last = parts.last, let value = table[last] else { return nil }
    return (value, table.line(of: last) ?? table.line)
  }
}
