import Agent
import TestSupport
import Testing

/// A config directory for one test: files written into it, removed at the end.
final class ConfigDirectory {
  let directory = TemporaryDirectory(prefix: "classgate-config")

  deinit { directory.remove() }

  /// Writes `classgate.toml` (or `name`) and returns its path.
  @discardableResult
  func write(_ contents: String, name: String = "classgate.toml", mode: Int = 0o644) throws -> String {
    try directory.write(name, contents, mode: mode)
  }

  func file(_ name: String) -> String { directory.file(name) }

  func load(_ contents: String, environment: [String: String] = [:]) throws -> AgentConfig {
    try AgentConfig.load(path: write(contents), environment: environment)
  }

  /// The problems `contents` is refused with; records an issue when it loads.
  func problems(
    _ contents: String, environment: [String: String] = [:],
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> [String] {
    try error(contents, environment: environment, sourceLocation: sourceLocation)?.problems.map(
      \.description) ?? []
  }

  func error(
    _ contents: String, environment: [String: String] = [:],
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> ConfigError? {
    let path = try write(contents)
    do {
      _ = try AgentConfig.load(path: path, environment: environment)
      Issue.record("expected the configuration to be refused, but it loaded", sourceLocation: sourceLocation)
      return nil
    } catch {
      return error
    }
  }
}

let knownBrokerKeys =
  "host, port, client_id, username, password_file, protocol, keepalive_s, qos, receive_maximum, reconnect_min_ms, reconnect_max_ms"
let knownTopLevel =
  "[devices], [ingest], [inventory], [ioc], [local_broker], [log], [metrics], [native], [pjlink], [privacy], [profiles], [rollup], [store], [timetable], school_id, time_zone"
/// The profile directories when the file and the environment name none: shipped first, the site's last.
let defaultProfileDirectories = ["/usr/share/classgate/devices", "/etc/classgate/devices"]
