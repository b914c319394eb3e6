import EventLoop
import TOML

/// Reads a few keys of the config file without validating the rest, for read-only commands: a
/// technician's account may not read the broker password file, and needs not.
public struct ConfigPeek: Sendable {
  public static let defaultStorePath = ConfigRegistry["store.path"].stringDefault ?? ""
  public static let defaultProfileDirectories = ConfigRegistry["profiles.directories"].listDefault

  let root: TOMLTable
  let name: String
  /// `CLASSGATE_*` overrides win, as they do for the agent.
  let environment: [String: String]

  /// A missing file reads as empty (every key at its default).
  public init(
    configFile: String, mustExist: Bool = false, environment: [String: String] = ProcessEnvironment.current()
  ) throws(ConfigError) {
    self.environment = environment
    name = configFile.split(separator: "/").last.map(String.init) ?? configFile
    switch readTextFile(configFile) {
    case .failure(let failure):
      if mustExist || access(configFile, F_OK) == 0 {
        throw ConfigError(problems: [.init(location: configFile, key: "", message: failure.message)])
      }
      root = TOMLTable()
    case .success(let text):
      do throws(TOMLError) {
        root = try TOMLParser.parse(text)
      } catch {
        throw ConfigError(problems: [
          .init(location: "\(name) line \(error.line)", key: "", message: error.message)
        ])
      }
    }
  }

  public var storePath: String {
    get throws(ConfigError) { try string("store", "path") ?? Self.defaultStorePath }
  }

  public var nativePrefix: String {
    get throws(ConfigError) {
      try string("native", "prefix") ?? ConfigRegistry["native.prefix"].stringDefault ?? ""
    }
  }

  public var inventoryPath: String? {
    get throws(ConfigError) { try string("inventory", "path") }
  }

  /// `metrics.textfile`: where the agent writes its metrics (and its unmapped-field counts).
  public var metricsTextfile: String? {
    get throws(ConfigError) { try string("metrics", "textfile") }
  }

  /// `timetable.csv`: where the class list is read from (`classgate timetable import` writes it).
  public var timetableCSV: String? {
    get throws(ConfigError) { try string("timetable", "csv") }
  }

  public var cardSecretFile: String? {
    get throws(ConfigError) { try string("privacy", "secret_file") }
  }

  /// The school's IANA time zone (`time_zone`), which rollup days and windows follow.
  public var timeZone: String {
    get throws(ConfigError) {
      if let text = environment[ConfigReader.environmentName(of: "time_zone")] { return text }
      guard let value = root["time_zone"] else { return Self.defaultTimeZone }
      guard case .string(let text) = value else {
        throw problem(
          "time_zone", root.line(of: "time_zone") ?? 1, "expected a string, found \(value.typeName)")
      }
      return text
    }
  }

  /// `rollup.window_minutes`: the length of the summarised windows.
  public var rollupWindowMinutes: Int {
    get throws(ConfigError) {
      try integer("rollup", "window_minutes") ?? ConfigRegistry["rollup.window_minutes"].integerDefault
    }
  }

  /// The rollup thresholds (`rollup.co2_above_ppm`, …; 0 turns one off), as the agent reads them.
  public var rollupThresholds: [String: Double] {
    get throws(ConfigError) {
      var thresholds: [String: Double] = [:]
      for (metric, key, fallback) in Self.thresholdKeys {
        let value = try integer("rollup", key) ?? fallback
        if value > 0 { thresholds[metric] = Double(value) }
      }
      return thresholds
    }
  }

  public static let defaultTimeZone = ConfigRegistry["time_zone"].stringDefault ?? "UTC"
  /// Metric, `[rollup]` key and default (0: off), for the agent's config and the CLI alike.
  static let thresholdKeys: [(String, String, Int)] = [
    ("co2", "co2_above_ppm"), ("temperature", "temperature_above_c"), ("noise", "noise_above_dba"),
    ("humidity", "humidity_above_pct"),
  ].map { metric, key in (metric, key, ConfigRegistry["rollup.\(key)"].integerDefault) }

  public var profileDirectories: [String] {
    get throws(ConfigError) {
      if let paths = environment[ConfigReader.environmentName(of: "profiles.directories")] {
        return paths.split(separator: ":").map(String.init)
      }
      guard let (value, line) = lookup("profiles", "directories") else {
        return Self.defaultProfileDirectories
      }
      guard case .array(let items) = value else {
        throw problem("profiles.directories", line, "expected a list of strings")
      }
      return try items.map { item throws(ConfigError) in
        guard case .string(let text) = item else {
          throw problem("profiles.directories", line, "expected a list of strings")
        }
        return text
      }
    }
  }

  /// The files the agent reads at start, by key (for doctor's read-access check); keys whose
  /// value is not a string are left out (the config check reports them).
  public var filesRead: [(key: String, path: String)] {
    [
      ("local_broker", "password_file"), ("privacy", "secret_file"), ("inventory", "path"),
      ("ioc", "ca_file"),
      ("ioc", "cert_file"), ("ioc", "key_file"),
    ].compactMap { section, key in
      (try? string(section, key)).flatMap { $0 }.map { ("\(section).\(key)", $0) }
    }
  }

  private func string(_ section: String, _ key: String) throws(ConfigError) -> String? {
    if let text = environment[ConfigReader.environmentName(of: "\(section).\(key)")] { return text }
    guard let (value, line) = lookup(section, key) else { return nil }
    guard case .string(let text) = value else {
      throw problem("\(section).\(key)", line, "expected a string, found \(value.typeName)")
    }
    return text
  }

  private func integer(_ section: String, _ key: String) throws(ConfigError) -> Int? {
    let name = ConfigReader.environmentName(of: "\(section).\(key)")
    if let text = environment[name] {
      guard let value = Int(text) else {
        throw ConfigError(problems: [
          .init(
            location: "environment variable \(name)", key: "\(section).\(key)", message: "expected an integer"
          )
        ])
      }
      return value
    }
    guard let (value, line) = lookup(section, key) else { return nil }
    guard case .integer(let number) = value, let result = Int(exactly: number) else {
      throw problem("\(section).\(key)", line, "expected an integer, found \(value.typeName)")
    }
    return result
  }

  private func lookup(_ section: String, _ key: String) -> (TOMLValue, Int)? {
    guard case .table(let table)? = root[section], let value = table[key] else { return nil }
    return (value, table.line(of: key) ?? table.line)
  }

  private func problem(_ key: String, _ line: Int, _ message: String) -> ConfigError {
    ConfigError(problems: [.init(location: "\(name) line \(line)", key: key, message: message)])
  }
}

#if canImport(Glibc)
  import Glibc
#endif
