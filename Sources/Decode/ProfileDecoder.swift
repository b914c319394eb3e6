import DeviceModel
import JSON

/// Applies one vendor profile: the most specific rule whose pattern (and condition) matches
/// decides (`TopicPattern.precedes`); rules of equal shape are tried in file order.
public struct ProfileDecoder: MessageDecoder {
  public let profile: Profile
  public let limits: DecodeLimits
  /// Card ids in events become pseudonyms; nil: they are dropped (no secret configured).
  public let pseudonymizer: CardPseudonymizer?
  public var name: String { profile.name }
  /// Rule indexes, most specific first; a stable sort keeps file order among equal shapes.
  let order: [Int]
  /// At most this many fields are noted per message (a hostile payload could hold thousands).
  public static let maxNotesPerMessage = 16

  public init(
    profile: Profile, limits: DecodeLimits = DecodeLimits(), pseudonymizer: CardPseudonymizer? = nil
  ) {
    self.profile = profile
    self.limits = limits
    self.pseudonymizer = pseudonymizer
    self.order = Self.precedenceOrder(profile.rules.map(\.pattern))
  }

  /// Indexes of `patterns`, most specific first, equal shapes in their given order.
  static func precedenceOrder(_ patterns: [TopicPattern]) -> [Int] {
    var order: [Int] = []
    for index in patterns.indices {
      // Insertion sort: stable, and profiles have a few dozen rules at most.
      let position = order.firstIndex { patterns[index].precedes(patterns[$0]) } ?? order.count
      order.insert(index, at: position)
    }
    return order
  }

  public func decode(topic: String, payload: [UInt8], receivedAt: EpochMillis) -> DecodeResult? {
    let levels = topic.split(separator: "/", omittingEmptySubsequences: false)
    var parsed = ParsedPayload(bytes: payload)
    for index in order {
      if let result = attempt(rule: index, levels: levels, payload: &parsed, receivedAt: receivedAt) {
        return result
      }
    }
    return nil
  }

  /// The result of rule `index`, or nil when its pattern or condition does not match.
  func attempt(rule index: Int, levels: [Substring], payload: inout ParsedPayload, receivedAt: EpochMillis)
    -> DecodeResult?
  {
    let rule = profile.rules[index]
    guard let captures = rule.pattern.match(levels) else { return nil }
    do throws(DeadLetterReason) {
      if let condition = rule.condition {
        // A payload that cannot be read is a dead letter of this topic, not an unknown topic.
        let value = JSONLookup.value(try payload.object(), condition.path)
        if let equals = condition.equals {
          guard case .string(let text)? = value, text == equals else { return nil }
        } else {
          guard let value, value != .null else { return nil }
        }
      }
      switch rule.content {
      case .ignore:
        return .ignored
      case .telemetry(let telemetry):
        let device = try identity(captures, rule: rule)
        return .decoded(
          try TelemetryDecoding(
            telemetry: telemetry, limits: limits, maxNotes: Self.maxNotesPerMessage
          ).decode(device: device, captures: captures, payload: &payload, receivedAt: receivedAt))
      case .availability(let availability):
        let content = try status(availability, payload: payload.bytes, receivedAt: receivedAt)
        return .decoded(DecodedMessage(device: try identity(captures, rule: rule), content: content))
      case .event(let event):
        let content = try self.event(event, payload.object(), receivedAt: receivedAt)
        return .decoded(DecodedMessage(device: try identity(captures, rule: rule), content: content))
      }
    } catch {
      return .deadLetter(error)
    }
  }

  /// The device from the topic. Any name becomes a safe id (`DeviceName`); with a `{room}`
  /// capture the id is `<room>:<name>`, so `room101/co2` and `room102/co2` stay two devices,
  /// unless the profile says its names are unique in the school (`device_names_unique`).
  private func identity(_ captures: [TopicPattern.Capture: Substring], rule: Profile.Rule)
    throws(DeadLetterReason) -> DeviceIdentity
  {
    guard let raw = captures[.device] else {
      throw DeadLetterReason(.invalidDeviceID, "device name is empty")
    }
    if let problem = DeviceName.problem(with: raw) { throw DeadLetterReason(.invalidDeviceID, problem) }
    var kind = rule.kind ?? profile.kind
    if let text = captures[.kind] {
      guard let captured = DeviceKind(rawValue: String(text)) else {
        throw DeadLetterReason(.unknownTopic, "unknown device kind in the topic")
      }
      kind = captured
    }
    var room: String?
    if let text = captures[.room], text != "_" {
      guard Identifier.isValid(text) else {
        throw DeadLetterReason(.invalidDeviceID, "room is not a valid identifier")
      }
      room = String(text)
    }
    var (id, label) = DeviceName.id(for: raw)
    if let room, !profile.deviceNamesUnique {
      let qualified = "\(room):\(id)"
      id = Identifier.isValid(qualified) ? qualified : DeviceName.id(for: qualified[...]).id
    }
    return DeviceIdentity(id: id, kind: kind, room: room, profile: profile.name, name: label)
  }

  private func status(_ availability: Profile.Availability, payload: [UInt8], receivedAt: EpochMillis)
    throws(DeadLetterReason) -> DecodedMessage.Content
  {
    // Plain text ("online", "Online", "true"), a JSON string, or a JSON object's field.
    var text = String(decoding: payload.prefix(128), as: UTF8.self).trimmingASCIIWhitespace()
    if let json = try? JSONParser.parse(payload) {
      if case .string(let state) = json {
        text = state
      } else if case .object(let object) = json, let field = availability.field,
        case .string(let state)? = JSONLookup.value(object, field)
      {
        text = state
      }
    }
    let lowered = text.lowercased()
    if availability.online.contains(where: { $0.lowercased() == lowered }) {
      return .status(.online, time: receivedAt)
    }
    if availability.offline.contains(where: { $0.lowercased() == lowered }) {
      return .status(.offline, time: receivedAt)
    }
    throw DeadLetterReason(
      .invalidValue,
      "availability must be one of \((availability.online + availability.offline).joined(separator: ", "))")
  }

  private func event(_ event: Profile.Event, _ object: JSONObject, receivedAt: EpochMillis)
    throws(DeadLetterReason) -> DecodedMessage.Content
  {
    let deviceTime = event.timestamp.flatMap { JSONLookup.value(object, $0) }
    let time = try Timestamp.resolve(deviceTime, receivedAt: receivedAt, limits: limits)
    var data = JSONObject()
    for field in event.fields {
      if let value = JSONLookup.value(object, field.path) { data[field.name] = value }
    }
    let cleaned = PersonalFields.scrub(data, with: pseudonymizer)
    return .event(
      DeviceEvent(
        type: event.type, time: time, data: JSONWriter.compact(.object(cleaned)),
        receiptTimed: deviceTime == nil))
  }
}

/// The payload, parsed as JSON at most once, and only if a rule needs it.
struct ParsedPayload {
  let bytes: [UInt8]
  private var parsed: Result<JSONObject, DeadLetterReason>?

  init(bytes: [UInt8]) { self.bytes = bytes }

  mutating func object() throws(DeadLetterReason) -> JSONObject {
    if parsed == nil {
      do throws(DeadLetterReason) {
        parsed = .success(try NativeDecoder.object(bytes))
      } catch {
        parsed = .failure(error)
      }
    }
    return try parsed!.get()
  }
}
