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
    for entry in ConfigRegistry.keys {
      if let text = environment[entry.environmentName] {
        let value =
          isBare(entry.kind)
          ? text
          : entry.kind == .stringList
            ? "[" + text.split(separator: ":").map { quoted(String($0)) }.joined(separator: ", ") + "]"
            : quoted(text)
        entries.append(Entry(key: entry.key, value: value, source: "environment \(entry.environmentName)"))
      } else if let (value, line) = peek.lookup(dotted: entry.key) {
        entries.append(Entry(key: entry.key, value: render(value), source: "\(peek.name) line \(line)"))
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
    if case .table(let pjlink)? = peek.root["pjlink"], case .array(let projectors)? = pjlink["projector"] {
      entries.append(
        Entry(
          key: "pjlink.projector", value: "\(projectors.count) tables",
          source: "\(peek.name) line \(pjlink.line(of: "projector") ?? pjlink.line)"))
    }
    return entries
  }

  static func isBare(_ kind: ConfigKey.Kind) -> Bool {
    if case .integer = kind { return true }
    return kind == .boolean
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
    guard parts.count == 2 else {
      return root[key].map { ($0, root.line(of: key) ?? 1) }
    }
    guard case .table(let table)? = root[parts[0]], let value = table[parts[1]] else { return nil }
    return (value, table.line(of: parts[1]) ?? table.line)
  }
}
