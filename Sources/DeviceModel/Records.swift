/// Milliseconds since the Unix epoch: compact in SQLite (integer varint) and exact.
public typealias EpochMillis = Int64

/// One numeric sample.
public struct Reading: Sendable, Equatable {
  public var metric: String
  public var value: Double
  public var time: EpochMillis
  /// True when the payload had no timestamp and `time` is when ClassGate received it. The store
  /// then keeps such times strictly increasing per device and metric, so two messages received in
  /// the same millisecond are two readings, not one "duplicate".
  public var receiptTimed: Bool

  public init(metric: String, value: Double, time: EpochMillis, receiptTimed: Bool = false) {
    self.metric = metric
    self.value = value
    self.time = time
    self.receiptTimed = receiptTimed
  }
}

/// Something that happened at a device (a card scan, a button, an error). `data` is compact JSON.
public struct DeviceEvent: Sendable, Equatable {
  public var type: String
  public var time: EpochMillis
  public var data: String
  /// As for readings: a receipt time, kept distinct per device by the store.
  public var receiptTimed: Bool

  public init(type: String, time: EpochMillis, data: String, receiptTimed: Bool = false) {
    self.type = type
    self.time = time
    self.data = data
    self.receiptTimed = receiptTimed
  }
}

/// Who sent a message, as far as the topic tells.
public struct DeviceIdentity: Sendable, Equatable {
  public var id: String
  public var kind: DeviceKind
  public var room: String?
  public var profile: String
  /// A human name from the inventory ("Projector, room 101").
  public var name: String?

  public init(id: String, kind: DeviceKind, room: String?, profile: String, name: String? = nil) {
    self.id = id
    self.kind = kind
    self.room = room
    self.profile = profile
    self.name = name
  }
}

/// What one MQTT message means in the canonical model.
public struct DecodedMessage: Sendable, Equatable {
  public enum Content: Sendable, Equatable {
    case readings([Reading])
    case status(DeviceStatus, time: EpochMillis)
    case event(DeviceEvent)
  }

  public var device: DeviceIdentity
  public var content: Content
  /// What the decoder saw and did not store (see `FieldNote`); empty for most messages.
  public var notes: [FieldNote]
  /// Channels 2…N of a multi-channel device (a Shelly 2PM's `switch:1`, a Tasmota `POWER2`), each
  /// its own device `<id>.<channel>` with its own readings. Empty for a single-channel device.
  public var channels: [DecodedMessage]

  public init(
    device: DeviceIdentity, content: Content, notes: [FieldNote] = [], channels: [DecodedMessage] = []
  ) {
    self.device = device
    self.content = content
    self.notes = notes
    self.channels = channels
  }

  /// This message and each channel's, flattened: what the store writes, one device each.
  public var parts: [DecodedMessage] {
    var main = self
    main.channels = []
    return [main] + channels.flatMap(\.parts)
  }
}

/// Why a message could not be used. `code` is a stable label for counters and metrics.
public struct DeadLetterReason: Error, Sendable, Equatable, CustomStringConvertible {
  public enum Code: String, Sendable, CaseIterable {
    case unknownTopic = "unknown_topic"
    case invalidDeviceID = "invalid_device_id"
    case malformedPayload = "malformed_payload"
    case wrongType = "wrong_type"
    case payloadTooLarge = "payload_too_large"
    case invalidTimestamp = "invalid_timestamp"
    case invalidValue = "invalid_value"
    /// A new device past `devices.max` or `devices.max_new_per_minute`.
    case deviceLimit = "device_limit"
  }

  public var code: Code
  public var detail: String
  /// For a timestamp refused as too far in the future or the past: device time − agent time.
  /// Many of these at once, from several devices, mean the agent's own clock is wrong.
  public var clockSkewMs: Int64?

  public init(_ code: Code, _ detail: String, clockSkewMs: Int64? = nil) {
    self.code = code
    self.detail = detail
    self.clockSkewMs = clockSkewMs
  }

  public var description: String { "\(code.rawValue): \(detail)" }

  /// Two reasons are the same reason whatever skew was measured.
  public static func == (a: Self, b: Self) -> Bool { a.code == b.code && a.detail == b.detail }
}

/// The outcome of decoding one message.
public enum DecodeResult: Sendable, Equatable {
  case decoded(DecodedMessage)
  /// Recognised but deliberately not stored (e.g. a bridge's own topics).
  case ignored
  case deadLetter(DeadLetterReason)
}

/// Something a decoder noticed in a message and did not store: a field no rule maps, a unit it
/// does not know. Carried with the decoded message so that nothing is dropped silently: the CLI
/// shows it, the agent counts it per profile and field.
public struct FieldNote: Sendable, Equatable, Hashable, CustomStringConvertible {
  public enum Reason: String, Sendable, CaseIterable {
    /// A number or boolean in the payload that no mapping of the rule reads.
    case notMapped = "not_mapped"
    /// A mapped field whose unit (e.g. `TempUnit` = `"K"`) ClassGate cannot convert: not stored.
    case unknownUnit = "unknown_unit"
  }

  /// The field's dotted path in the payload (`S8.CarbonDioxide`), or a topic level.
  public var field: String
  public var reason: Reason
  /// For `unknownUnit`: the unit the device sent.
  public var detail: String?

  public init(field: String, reason: Reason, detail: String? = nil) {
    self.field = field
    self.reason = reason
    self.detail = detail
  }

  public var description: String {
    switch reason {
    case .notMapped: "not mapped: \(field)"
    case .unknownUnit: "unknown unit '\(detail ?? "")' for \(field): not stored"
    }
  }
}
