/// A received message, copied out of libmosquitto (which frees its buffers after the callback).
public struct MQTTMessage: Sendable, Equatable {
  public var topic: String
  /// The payload, or only its first `MQTTOptions.maxPayloadCopy` bytes when it was larger.
  public var payload: [UInt8]
  /// The payload's size as received.
  public var size: Int
  public var qos: Int32
  public var retained: Bool

  public var isTruncated: Bool { size > payload.count }

  public init(topic: String, payload: [UInt8], size: Int? = nil, qos: Int32, retained: Bool) {
    self.topic = topic
    self.payload = payload
    self.size = size ?? payload.count
    self.qos = qos
    self.retained = retained
  }
}

/// What happened on the connection since the caller last asked.
public enum MQTTEvent: Sendable, Equatable {
  case connected(sessionPresent: Bool)
  /// The broker refused the connection (bad credentials, not authorised, …): `.refused(code:)`.
  case refused(reason: MQTTReason)
  /// The connection ended: the broker's DISCONNECT reason, a libmosquitto error, or our close.
  case disconnected(reason: MQTTReason)
  /// A QoS 1 publish was acknowledged by the broker (QoS 0: written to the socket).
  case published(messageID: Int32)
  case subscribed(messageID: Int32, grantedQoS: [Int32])
}
