/// Everything wrong with a configuration, each problem naming where it is and what is expected.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
  public struct Problem: Sendable, Equatable, CustomStringConvertible {
    /// "classgate.toml line 7" or "environment variable CLASSGATE_STORE_PATH".
    public var location: String
    /// Dotted key, e.g. "local_broker.port"; empty for problems with the file itself.
    public var key: String
    public var message: String

    public init(location: String, key: String, message: String) {
      self.location = location
      self.key = key
      self.message = message
    }

    public var description: String {
      key.isEmpty ? "\(location): \(message)" : "\(location): key '\(key)': \(message)"
    }
  }

  public var problems: [Problem]

  public init(problems: [Problem]) { self.problems = problems }

  public var description: String {
    problems.count == 1
      ? problems[0].description
      : "\(problems.count) configuration problems:\n"
        + problems.map { "  - \($0.description)" }.joined(separator: "\n")
  }
}
