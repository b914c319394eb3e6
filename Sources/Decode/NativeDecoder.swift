import DeviceModel
import JSON

/// ClassGate's own protocol, for firmware the school controls (see Devices/README.md):
///
///     <prefix>/<room>/<kind>/<device>/telemetry   {"ts": 1764380000, "co2": 812, "temperature": 27.4}
///     <prefix>/<room>/<kind>/<device>/status      online | offline   (retained; the device's Last Will)
///     <prefix>/<room>/<kind>/<device>/event       {"type": "card_scan", "ts": …, …}
///
/// `room` is `_` when the device does not know its room (the inventory then labels it).
public struct NativeDecoder: MessageDecoder {
  public let name = "native"
  public let prefix: String
  public let limits: DecodeLimits
  /// Card ids in events become pseudonyms; nil: they are dropped (no secret configured).
  public let pseudonymizer: CardPseudonymizer?
  /// Hard cap on metrics in one telemetry message, so a hostile payload cannot create thousands.
  public static let maxMetricsPerMessage = 64

  private let prefixLevels: [Substring]

  public init(
    prefix: String = "classgate", limits: DecodeLimits = DecodeLimits(),
    pseudonymizer: CardPseudonymizer? = nil
  ) {
    self.prefix = prefix
    self.limits = limits
    self.pseudonymizer = pseudonymizer
    self.prefixLevels = prefix.split(separator: "/", omittingEmptySubsequences: false)
  }

  public func decode(topic: String, payload: [UInt8], receivedAt: EpochMillis) -> DecodeResult? {
    let levels = topic.split(separator: "/", omittingEmptySubsequences: false)
    guard levels.count == prefixLevels.count + 4, levels.starts(with: prefixLevels) else {
      return nil
    }
    let room = levels[prefixLevels.count]
    let kindName = levels[prefixLevels.count + 1]
    let deviceID = levels[prefixLevels.count + 2]
    let channel = levels[prefixLevels.count + 3]

    guard Identifier.isValid(deviceID) else {
      return .deadLetter(DeadLetterReason(.invalidDeviceID, "device id is not a valid identifier"))
    }
    guard room == "_" || Identifier.isValid(room) else {
      return .deadLetter(DeadLetterReason(.invalidDeviceID, "room is not a valid identifier"))
    }
    guard let kind = DeviceKind(rawValue: String(kindName)) else {
      return .deadLetter(
        DeadLetterReason(
          .unknownTopic,
          "unknown device kind; expected one of \(DeviceKind.allCases.map(\.rawValue).joined(separator: ", "))"
        ))
    }
    let identity = DeviceIdentity(
      id: String(deviceID), kind: kind, room: room == "_" ? nil : String(room), profile: name)

    do throws(DeadLetterReason) {
      let content: DecodedMessage.Content
      switch channel {
      case "telemetry": content = try telemetry(payload, receivedAt: receivedAt)
      case "status": content = try status(payload, receivedAt: receivedAt)
      case "event": content = try event(payload, receivedAt: receivedAt)
      default:
        throw DeadLetterReason(.unknownTopic, "unknown channel; expected telemetry, status or event")
      }
      return .decoded(DecodedMessage(device: identity, content: content))
    } catch {
      return .deadLetter(error)
    }
  }

  /// The payload as a JSON object, or why not.
  static func object(_ payload: [UInt8]) throws(DeadLetterReason) -> JSONObject {
    let value: JSONValue
    do {
      value = try JSONParser.parse(payload)
    } catch {
      throw DeadLetterReason(.malformedPayload, "invalid JSON: \(error.description)")
    }
    guard case .object(let object) = value else {
      throw DeadLetterReason(.wrongType, "payload must be a JSON object")
    }
    return object
  }

  private func telemetry(_ payload: [UInt8], receivedAt: EpochMillis) throws(DeadLetterReason)
    -> DecodedMessage.Content
  {
    let object = try Self.object(payload)
    let time = try Timestamp.resolve(object["ts"], receivedAt: receivedAt, limits: limits)
    var readings: [Reading] = []
    readings.reserveCapacity(object.count)
    for (key, value) in object where key != "ts" {
      guard Identifier.isValidName(key[...]) else {
        throw DeadLetterReason(.invalidValue, "metric names are lowercase snake_case (a field is not)")
      }
      let number: Double
      switch value {
      case .number(let n): number = n
      case .bool(let flag): number = flag ? 1 : 0
      case .null: continue
      default: throw DeadLetterReason(.wrongType, "field '\(key)' must be a number or a boolean")
      }
      try ReadingBounds.check(number, metric: key, field: key)
      readings.append(
        Reading(metric: key, value: number, time: time, receiptTimed: object["ts"] == nil))
    }
    guard !readings.isEmpty else {
      throw DeadLetterReason(.invalidValue, "telemetry carries no metric")
    }
    guard readings.count <= Self.maxMetricsPerMessage else {
      throw DeadLetterReason(
        .invalidValue,
        "\(readings.count) metrics in one message; the limit is \(Self.maxMetricsPerMessage)")
    }
    return .readings(readings)
  }

  private func status(_ payload: [UInt8], receivedAt: EpochMillis) throws(DeadLetterReason)
    -> DecodedMessage.Content
  {
    let text = String(decoding: payload.prefix(64), as: UTF8.self)
      .trimmingASCIIWhitespace().lowercased()
    switch text {
    case "online", "\"online\"": return .status(.online, time: receivedAt)
    case "offline", "\"offline\"": return .status(.offline, time: receivedAt)
    default: throw DeadLetterReason(.invalidValue, "status must be 'online' or 'offline'")
    }
  }

  private func event(_ payload: [UInt8], receivedAt: EpochMillis) throws(DeadLetterReason)
    -> DecodedMessage.Content
  {
    let object = try Self.object(payload)
    guard case .string(let type)? = object["type"], Identifier.isValidName(type[...]) else {
      throw DeadLetterReason(.invalidValue, "event needs a 'type' in lowercase snake_case")
    }
    let time = try Timestamp.resolve(object["ts"], receivedAt: receivedAt, limits: limits)
    var data = JSONObject()
    for (key, value) in object where key != "type" && key != "ts" {
      data[key] = value
    }
    // Card ids are personal data of minors: pseudonymised (or dropped) at any depth.
    let cleaned = PersonalFields.scrub(data, with: pseudonymizer)
    return .event(
      DeviceEvent(
        type: type, time: time, data: JSONWriter.compact(.object(cleaned)),
        receiptTimed: object["ts"] == nil))
  }
}

extension String {
  /// Trims over bytes: as Characters, "\r\n" is one grapheme equal to neither "\r" nor "\n".
  func trimmingASCIIWhitespace() -> String {
    let isSpace: (UInt8) -> Bool = { $0 == 32 || $0 == 10 || $0 == 13 || $0 == 9 }
    let bytes = Array(utf8)
    guard let first = bytes.firstIndex(where: { !isSpace($0) }),
      let last = bytes.lastIndex(where: { !isSpace($0) })
    else { return "" }
    return String(decoding: bytes[first...last], as: UTF8.self)
  }
}
