import TOML

/// Finds the store for read-only commands without validating the whole config (a technician's
/// account may not read the broker password file, and needs not).
public enum StoreLocation {
  public static let defaultPath = "/var/lib/classgate/classgate.db"

  public static func path(configFile: String) throws(ConfigError) -> String {
    let name = configFile.split(separator: "/").last.map(String.init) ?? configFile
    switch readTextFile(configFile) {
    case .failure(let failure):
      throw ConfigError(problems: [.init(location: configFile, key: "", message: failure.message)])
    case .success(let text):
      let root: TOMLTable
      do throws(TOMLError) {
        root = try TOMLParser.parse(text)
      } catch {
        throw ConfigError(problems: [
          .init(location: "\(name) line \(error.line)", key: "", message: error.message)
        ])
      }
      guard case .table(let store)? = root["store"], let value = store["path"] else {
        return defaultPath
      }
      guard case .string(let path) = value else {
        throw ConfigError(problems: [
          .init(
            location: "\(name) line \(store.line(of: "path") ?? store.line)", key: "store.path",
            message: "expected a string, found \(value.typeName)")
        ])
      }
      return path
    }
  }
}
