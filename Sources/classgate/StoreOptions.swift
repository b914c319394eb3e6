import Agent
import ArgumentParser
import Buffer

/// How a read-only command finds the store: --store, then CLASSGATE_STORE_PATH, then the config file.
struct StoreOptions: ParsableArguments {
  @Option(help: "The store file (default: store.path from the config file).")
  var store: String?

  @OptionGroup var global: GlobalOptions

  var config: String { global.config }
  var json: Bool { global.json }

  func openReader() throws -> StoreReader {
    let path = try existingPath()
    do {
      return try StoreReader(path: path)
    } catch {
      throw CLIError("cannot open the store \(path): \(error)")
    }
  }

  /// The store's path, which must exist (a read-only open never creates it).
  func existingPath() throws -> String {
    let path = try resolvedPath()
    guard fileExists(path) else {
      throw CLIError("no store at \(path): is the agent configured and has it run? (use --store PATH)")
    }
    return path
  }

  /// The school's local time, from the config's time_zone, for every time this command prints.
  var schoolTime: SchoolTime { SchoolTime.of(configFile: config) }

  func resolvedPath() throws -> String {
    if let store { return store }
    do {  // CLASSGATE_STORE_PATH wins inside ConfigPeek, as it does for the agent
      return try ConfigPeek(configFile: config).storePath
    } catch {
      throw CLIError("\(error)")
    }
  }
}
