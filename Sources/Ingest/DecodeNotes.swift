import DeviceModel

/// In-memory counts of what decoding saw and did not store, since the agent started: fields no
/// rule maps (`S8.CarbonDioxide`), units it cannot convert, and telemetry messages that gave no
/// reading. Written to the metrics textfile; `classgate profiles unmapped` reads them there.
///
/// Field names come from device payloads, so the set is bounded: after `maxKeys` distinct
/// (profile, field, reason) keys, further ones are counted under the field `(other)`.
public struct DecodeNotes: Sendable, Equatable {
  public struct Key: Sendable, Hashable, Comparable {
    public var profile: String
    public var field: String
    public var reason: FieldNote.Reason

    public static func < (a: Key, b: Key) -> Bool {
      (a.profile, a.field, a.reason.rawValue) < (b.profile, b.field, b.reason.rawValue)
    }
  }

  public static let maxKeys = 200
  public private(set) var fields: [Key: Int] = [:]
  /// Telemetry messages with no reading (on no channel), by profile.
  public private(set) var withoutReadings: [String: Int] = [:]

  public init() {}

  public mutating func count(_ message: DecodedMessage) {
    let profile = message.device.profile
    for note in message.notes {
      var key = Key(profile: profile, field: note.field, reason: note.reason)
      if fields[key] == nil && fields.count >= Self.maxKeys { key.field = "(other)" }
      fields[key, default: 0] += 1
    }
    let readings = message.parts.reduce(0) { total, part in
      if case .readings(let readings) = part.content { total + readings.count } else { total + 1 }
    }
    if readings == 0 { withoutReadings[profile, default: 0] += 1 }
  }
}
