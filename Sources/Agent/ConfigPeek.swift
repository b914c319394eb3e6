import EventLoop
import TOML

/// Reads a few keys of the config file without validating the rest, for read-only commands: a
/// technician's account may not read the broker password file, and needs not.
public struct ConfigPeek: Sendable {
  public static let defaultStorePath = "/var/lib/classgate/classgate.db"
  public static let defaultProfileDirectories = ["/usr/share/classgate/devices", "/etc/classgate/devices"]

  private let root: TOMLTable
  private let name: String
  /// `CLASSGATE_*` overrides win, as they do for the agent.
  private let environment: [String: String]

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
    get throws(ConfigError) { try string("native", "prefix") ?? "classgate" }
  }

  public var inventoryPath: String? {
    get throws(ConfigError) { try string("inventory", "path") }
  }

  public var cardSecretFile: String? {
    get throws(ConfigError) { try string("privacy", "secret_file") }
  }

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

  private func string(_ section: String, _ key: String) throws(ConfigError) -> String? {
    if let text = environment[ConfigReader.environmentName(of: "\(section).\(key)")] { return text }
    guard let (value, line) = lookup(section, key) else { return nil }
    guard case .string(let text) = value else {
      throw problem("\(section).\(key)", line, "expected a string, found \(value.typeName)")
    }
    return text
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
