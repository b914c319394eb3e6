/// Keys read with their default and range from `ConfigRegistry`, so that the agent, the CLI and
/// the docs share one definition.
extension ConfigReader {
  /// `default`: only where it depends on another key (receive_maximum on the protocol).
  mutating func integer(_ key: String, default override: Int? = nil) -> Int {
    let entry = ConfigRegistry[key]
    guard case .integer(let range) = entry.kind else { preconditionFailure("\(key) is not an integer key") }
    return integer(key, default: override ?? entry.integerDefault, range: range)
  }

  mutating func boolean(_ key: String) -> Bool {
    let entry = ConfigRegistry[key]
    guard entry.kind == .boolean else { preconditionFailure("\(key) is not a boolean key") }
    return boolean(key, default: entry.defaultValue == "true")
  }

  /// A string key that has a default in the registry.
  mutating func stringOrDefault(_ key: String) -> String {
    let fallback = ConfigRegistry[key].stringDefault ?? ""
    return string(key, default: fallback) ?? fallback
  }

  mutating func choice<T: RawRepresentable & CaseIterable>(_ key: String, as type: T.Type) -> T
  where T.RawValue == String {
    let options = Array(T.allCases)
    let fallback = ConfigRegistry[key].stringDefault.flatMap(T.init(rawValue:)) ?? options[options.startIndex]
    return choice(key, default: fallback, among: options)
  }

  /// `CLASSGATE_*` variables that look like a key of a known section but are none: a typo such
  /// as CLASSGATE_LOCAL_BROKER_PROT would otherwise be ignored while the file's typos are errors.
  /// Variables of other tools (CLASSGATE_BIN in scripts) are left alone.
  mutating func rejectUnknownEnvironment() {
    let known = Set(
      ConfigRegistry.keys.filter(\.hasEnvironment).map(\.environmentName) + [ConfigRegistry.passwordVariable])
    let prefixes = Set(ConfigRegistry.keys.map(\.section).filter { !$0.isEmpty }).map {
      ConfigReader.environmentName(of: $0) + "_"
    }
    for name in environment.keys.sorted() where name.hasPrefix("CLASSGATE_") && !known.contains(name) {
      guard prefixes.contains(where: { name.hasPrefix($0) }) else { continue }
      report(
        environment: name,
        "unknown variable: no such key (classgate config show lists the keys and their variables)")
    }
  }
}
