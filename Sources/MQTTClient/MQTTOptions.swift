/// How to reach and identify with a broker.
public struct MQTTOptions: Sendable {
  public enum ProtocolVersion: String, Sendable, CaseIterable {
    case v311 = "mqtt311"
    case v5 = "mqtt5"
  }

  public struct Will: Sendable {
    public var topic: String
    public var payload: [UInt8]
    public var qos: Int32
    public var retain: Bool
    public init(topic: String, payload: [UInt8], qos: Int32 = 1, retain: Bool = true) {
      self.topic = topic
      self.payload = payload
      self.qos = qos
      self.retain = retain
    }
  }

  /// Server verification is always on: there is deliberately no "insecure" switch.
  public struct TLS: Sendable {
    public var caFile: String
    public var certFile: String?
    public var keyFile: String?
    public init(caFile: String, certFile: String? = nil, keyFile: String? = nil) {
      self.caFile = caFile
      self.certFile = certFile
      self.keyFile = keyFile
    }
  }

  public var host: String
  public var port: Int32
  public var clientID: String
  public var username: String?
  public var password: String?
  public var keepAliveSeconds: Int32
  public var protocolVersion: ProtocolVersion
  /// false keeps the session (subscriptions and queued QoS 1 messages) across reconnects.
  public var cleanSession: Bool
  /// MQTT 5: how long the broker keeps the session after a disconnect.
  public var sessionExpirySeconds: UInt32
  /// MQTT 5: how many unacknowledged QoS 1 messages the broker may send us at once.
  public var receiveMaximum: UInt16
  public var will: Will?
  public var tls: TLS?
  public var reconnectDelay: Backoff
  /// Payload bytes copied out of a received message; past this only a prefix is kept and
  /// `MQTTMessage.size` says how large it was, so a huge message costs no more than a small one.
  public var maxPayloadCopy: Int = .max
  /// How long a connection must last before the reconnect backoff starts over (0: at once). The
  /// IOC link uses 30 s, so a broker that accepts and then drops us is retried ever more slowly.
  public var backoffResetAfterMs: Int64 = 0

  public init(
    host: String, port: Int32, clientID: String, username: String? = nil, password: String? = nil,
    keepAliveSeconds: Int32 = 30, protocolVersion: ProtocolVersion = .v5, cleanSession: Bool = false,
    sessionExpirySeconds: UInt32 = 7 * 24 * 3600, receiveMaximum: UInt16 = 1000, will: Will? = nil,
    tls: TLS? = nil, reconnectDelay: Backoff = Backoff()
  ) {
    self.host = host
    self.port = port
    self.clientID = clientID
    self.username = username
    self.password = password
    self.keepAliveSeconds = keepAliveSeconds
    self.protocolVersion = protocolVersion
    self.cleanSession = cleanSession
    self.sessionExpirySeconds = sessionExpirySeconds
    self.receiveMaximum = receiveMaximum
    self.will = will
    self.tls = tls
    self.reconnectDelay = reconnectDelay
  }
}
