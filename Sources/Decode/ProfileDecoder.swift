import DeviceModel
import JSON

/// Applies one vendor profile: the first rule whose pattern (and condition) matches decides.
public struct ProfileDecoder: MessageDecoder {
  public let profile: Profile
  public let limits: DecodeLimits
  /// Card ids in events become pseudonyms; nil: they are dropped (no secret configured).
  public let pseudonymizer: CardPseudonymizer?
  public var name: String { profile.name }

  public init(
    profile: Profile, limits: DecodeLimits = DecodeLimits(), pseudonymizer: CardPseudonymizer? = nil
  ) {
    self.profile = profile
    self.limits = limits
    self.pseudonymizer = pseudonymizer
  }

  public func decode(topic: String, payload: [UInt8], receivedAt: EpochMillis) -> DecodeResult? {
    let levels = topic.split(separator: "/", omittingEmptySubsequences: false)
    // Parsed lazily, once, and only if a rule needs the payload as JSON.
    var parsed: Result<JSONObject, DeadLetterReason>?
    func object() throws(DeadLetterReason) -> JSONObject {
      if parsed == nil {
        do throws(DeadLetterReason) {
          parsed = .success(try NativeDecoder.object(payload))
        } catch {
          parsed = .failure(error)
        }
      }
      return try parsed!.get()
    }
    do throws(DeadLetterReason) {
      for rule in profile.rules {
        guard let captures = rule.pattern.match(levels) else { continue }
        if let condition = rule.condition {
          // A payload that cannot be read is a dead letter of this topic, not an unknown topic.
          guard case .string(let text)? = lookup(try object(), condition.path), text == condition.equals
          else { continue }
        }
        let content: DecodedMessage.Content
        switch rule.content {
        case .ignore:
          return .ignored
        case .telemetry(let telemetry):
          content = try readings(telemetry, object(), receivedAt: receivedAt)
        case .availability(let availability):
          content = try status(availability, payload: payload, receivedAt: receivedAt)
        case .event(let event):
          content = try self.event(event, object(), receivedAt: receivedAt)
        }
        return .decoded(DecodedMessage(device: try identity(captures, rule: rule), content: content))
      }
      return nil
    } catch {
      return .deadLetter(error)
    }
  }

  private func identity(_ captures: [TopicPattern.Capture: Substring], rule: Profile.Rule)
    throws(DeadLetterReason) -> DeviceIdentity
  {
    guard let id = captures[.device], Identifier.isValid(id) else {
      throw DeadLetterReason(.invalidDeviceID, "device id is not a valid identifier")
    }
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
    return DeviceIdentity(id: String(id), kind: kind, room: room, profile: profile.name)
  }

  private func readings(_ telemetry: Profile.Telemetry, _ object: JSONObject, receivedAt: EpochMillis)
    throws(DeadLetterReason) -> DecodedMessage.Content
  {
    let deviceTime = telemetry.timestamp.flatMap { lookup(object, $0) }
    let time = try Timestamp.resolve(deviceTime, receivedAt: receivedAt, limits: limits)
    var readings: [Reading] = []
    for field in telemetry.fields {
      // Several fields may feed one metric (a vendor renamed it): the first one present wins.
      guard !readings.contains(where: { $0.metric == field.metric }),
        let value = lookup(object, field.path)
      else { continue }
      let number: Double
      switch value {
      case .number(let n): number = n
      case .bool(let flag): number = flag ? 1 : 0
      case .null: continue
      case .string(let text):
        guard
          let mapped = field.map[text]
            ?? field.map.first(where: { $0.key.lowercased() == text.lowercased() })?.value
        else {
          throw DeadLetterReason(.invalidValue, "field '\(field.path)' has a value the profile does not map")
        }
        number = mapped
      default:
        throw DeadLetterReason(.wrongType, "field '\(field.path)' must be a number")
      }
      let scaled = number * field.scale + field.offset
      try ReadingBounds.check(scaled, metric: field.metric, field: "\(field.path)")
      readings.append(
        Reading(metric: field.metric, value: scaled, time: time, receiptTimed: deviceTime == nil))
    }
    // No mapped field present still means the device is alive: an empty reading list marks it seen.
    return .readings(readings)
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
        case .string(let state)? = lookup(object, field)
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
    let deviceTime = event.timestamp.flatMap { lookup(object, $0) }
    let time = try Timestamp.resolve(deviceTime, receivedAt: receivedAt, limits: limits)
    var data = JSONObject()
    for field in event.fields {
      if let value = lookup(object, field.path) { data[field.name] = value }
    }
    let cleaned = PersonalFields.scrub(data, with: pseudonymizer)
    return .event(
      DeviceEvent(
        type: event.type, time: time, data: JSONWriter.compact(.object(cleaned)),
        receiptTimed: deviceTime == nil))
  }

  private func lookup(_ object: JSONObject, _ path: FieldPath) -> JSONValue? {
    var current = JSONValue.object(object)
    for key in path.keys {
      guard case .object(let inner) = current, let next = inner[key] else { return nil }
      current = next
    }
    return current
  }
}
