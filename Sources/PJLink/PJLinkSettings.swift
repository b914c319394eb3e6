/// One projector to poll, from `[[pjlink.projector]]` (docs/configuration.md).
public struct PJLinkProjector: Sendable, Equatable, CustomStringConvertible {
  public var id: String
  /// The room id, or `_` when the inventory labels it.
  public var room: String
  public var host: String
  public var port: Int
  /// Read from `password_file` when the config is loaded; never logged or printed.
  public var password: String?
  public var passwordFile: String?
  public var intervalMs: Int64

  public init(
    id: String, room: String = "_", host: String, port: Int = 4352, password: String? = nil,
    passwordFile: String? = nil, intervalMs: Int64 = 30_000
  ) {
    self.id = id
    self.room = room
    self.host = host
    self.port = port
    self.password = password
    self.passwordFile = passwordFile
    self.intervalMs = intervalMs
  }

  /// Without the password.
  public var description: String {
    "\(id) (\(host):\(port), room \(room)\(password == nil ? "" : ", authenticated"))"
  }
}

/// The `[pjlink]` section.
public struct PJLinkSettings: Sendable, Equatable, CustomStringConvertible {
  public var projectors: [PJLinkProjector]
  public var connectTimeoutMs: Int
  /// For each line the projector sends (greeting or answer).
  public var responseTimeoutMs: Int
  /// The longest wait between attempts at a projector that does not answer.
  public var maxBackoffMs: Int64
  /// The school broker account the poller publishes with (nil: `local_broker`'s). The shipped
  /// ACL gives `classgate-pjlink` write access to projector topics only.
  public var brokerUsername: String?
  /// Read from `broker_password_file`; never logged.
  public var brokerPassword: String?

  public init(
    projectors: [PJLinkProjector] = [], connectTimeoutMs: Int = 3000, responseTimeoutMs: Int = 5000,
    maxBackoffMs: Int64 = 300_000
  ) {
    self.projectors = projectors
    self.connectTimeoutMs = connectTimeoutMs
    self.responseTimeoutMs = responseTimeoutMs
    self.maxBackoffMs = maxBackoffMs
  }

  /// Without the passwords.
  public var description: String {
    "PJLinkSettings(projectors: \(projectors), connect \(connectTimeoutMs) ms, response \(responseTimeoutMs) ms, "
      + "broker account \(brokerUsername ?? "(local_broker's)"))"
  }
}
