import DeviceModel

/// Turns one MQTT message into canonical records. Pure: no I/O, no clock (the caller passes the
/// receipt time), so every decoder is tested without a broker.
public protocol MessageDecoder: Sendable {
  /// A short name shown in `classgate devices` and stored with each device.
  var name: String { get }
  /// nil when the topic is not this decoder's; otherwise the result, including a dead letter.
  func decode(topic: String, payload: [UInt8], receivedAt: EpochMillis) -> DecodeResult?
  /// As `decode`, with the name of the profile that claimed the topic (a decoder that routes
  /// between profiles names the one that decided).
  func decodeClaimed(topic: String, payload: [UInt8], receivedAt: EpochMillis)
    -> (claimant: String, result: DecodeResult)?
  /// True when the topic is known and deliberately not stored whatever its payload (checked before
  /// the size limit, so a bridge's large retained messages are ignored, not dead letters).
  func ignores(topic: String) -> Bool
}

extension MessageDecoder {
  public func decodeClaimed(topic: String, payload: [UInt8], receivedAt: EpochMillis)
    -> (claimant: String, result: DecodeResult)?
  {
    decode(topic: topic, payload: payload, receivedAt: receivedAt).map { (name, $0) }
  }

  public func ignores(topic: String) -> Bool { false }
}

/// Limits applied to every message before any decoder sees it.
public struct DecodeLimits: Sendable, Equatable {
  public var maxPayloadBytes: Int
  /// Device timestamps further in the future than this are refused (a device with a wrong clock).
  public var maxFutureSkewMs: Int64
  /// Device timestamps older than this are refused (garbage, or a device that lost its clock).
  public var maxAgeMs: Int64

  public init(
    maxPayloadBytes: Int = 64 * 1024, maxFutureSkewMs: Int64 = 10 * 60_000,
    maxAgeMs: Int64 = 31 * 24 * 3_600_000
  ) {
    self.maxPayloadBytes = maxPayloadBytes
    self.maxFutureSkewMs = maxFutureSkewMs
    self.maxAgeMs = maxAgeMs
  }
}

/// Asks each decoder in turn; a topic nobody claims is a dead letter.
public struct DecoderChain: Sendable {
  public let decoders: [any MessageDecoder]
  public let limits: DecodeLimits
  /// Applied to every decoded message: the school's labels win over the topic's.
  public let inventory: Inventory

  public init(
    _ decoders: [any MessageDecoder], limits: DecodeLimits = DecodeLimits(), inventory: Inventory = .empty
  ) {
    self.decoders = decoders
    self.limits = limits
    self.inventory = inventory
  }

  /// `size`: the payload's size as received, when only a prefix of it was kept (MQTTMessage).
  public func decode(topic: String, payload: [UInt8], size: Int? = nil, receivedAt: EpochMillis)
    -> DecodeResult
  {
    explain(topic: topic, payload: payload, size: size, receivedAt: receivedAt).result
  }

  /// The result and the name of the decoder that claimed the topic (nil: none did, or too large).
  public func explain(topic: String, payload: [UInt8], size: Int? = nil, receivedAt: EpochMillis)
    -> (decoder: String?, result: DecodeResult)
  {
    let size = max(size ?? payload.count, payload.count)
    guard size <= limits.maxPayloadBytes else {
      if let decoder = decoders.first(where: { $0.ignores(topic: topic) }) { return (decoder.name, .ignored) }
      return (
        nil,
        .deadLetter(
          DeadLetterReason(
            .payloadTooLarge, "payload is \(size) bytes, the limit is \(limits.maxPayloadBytes)"))
      )
    }
    for decoder in decoders {
      if let (claimant, result) = decoder.decodeClaimed(
        topic: topic, payload: payload, receivedAt: receivedAt)
      {
        if case .decoded(var message) = result {
          message.channels = message.channels.map(inventory.apply(to:))
          return (claimant, .decoded(inventory.apply(to: message)))
        }
        return (claimant, result)
      }
    }
    return (nil, .deadLetter(DeadLetterReason(.unknownTopic, "no profile matches this topic")))
  }
}
