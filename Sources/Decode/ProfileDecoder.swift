import DeviceModel
import JSON

/// Applies one vendor profile: the first rule whose pattern (and condition) matches decides.
public struct ProfileDecoder: MessageDecoder {
  public let profile: Profile
  public let limits: DecodeLimits
  public var name: String { profile.name }

  public init(profile: Profile, limits: DecodeLimits = DecodeLimits()) {
    self.profile = profile
    self.limits = limits
  }

  public func decode(topic: String, payload: [UInt8], receivedAt: EpochMillis) -> DecodeResult? {
    let levels = topic.split(separator: "/", omittingEmptySubsequences: false)
    var parsed: JSONValue??  // parsed lazily, once, only if a rule needs the payload as JSON
    func json() -> JSONValue? {
      if let parsed { return parsed }
      let value = try? JSONParser.parse(payload)
      parsed = .some(value)
      return value
    }
    for rule in profile.rules {
      guard let captures = rule.pattern.match(levels) else { continue }
      if let condition = rule.condition {
        guard case .string(let text)? = json().flatMap({ lookup($0, condition.path) }),
          text == condition.equals
        else { continue }
      }
      if case .ignore = rule.content { return .ignored }
      switch identity(captures, rule: rule) {
      case .failure(let reason): return .deadLetter(reason)
      case .success(let device):
        let content: Result<DecodedMessage.Content, DeadLetterReason>
        switch rule.content {
        case .telemetry(let telemetry):
          content = readings(telemetry, payload: payload, json: json(), receivedAt: receivedAt)
        case .availability(let availability):
          content = status(availability, payload: payload, json: json(), receivedAt: receivedAt)
        case .event(let event):
          content = self.event(event, payload: payload, json: json(), receivedAt: receivedAt)
        case .ignore:
          return .ignored
        }
        switch content {
        case .success(let content): return .decoded(DecodedMessage(device: device, content: content))
        case .failure(let reason): return .deadLetter(reason)
        }
      }
    }
    return nil
  }

  private func identity(_ captures: [TopicPattern.Capture: Substring], rule: Profile.Rule)
    -> Result<DeviceIdentity, DeadLetterReason>
  {
    guard let id = captures[.device], Identifier.isValid(id) else {
      return .failure(DeadLetterReason(.invalidDeviceID, "device id is not a valid identifier"))
    }
    var kind = rule.kind ?? profile.kind
    if let text = captures[.kind] {
      guard let captured = DeviceKind(rawValue: String(text)) else {
        return .failure(DeadLetterReason(.unknownTopic, "unknown device kind in the topic"))
      }
      kind = captured
    }
    var room: String?
    if let text = captures[.room], text != "_" {
      guard Identifier.isValid(text) else {
        return .failure(DeadLetterReason(.invalidDeviceID, "room is not a valid identifier"))
      }
      room = String(text)
    }
    return .success(DeviceIdentity(id: String(id), kind: kind, room: room, profile: profile.name))
  }

  private func readings(
    _ telemetry: Profile.Telemetry, payload: [UInt8], json: JSONValue?, receivedAt: EpochMillis
  ) -> Result<DecodedMessage.Content, DeadLetterReason> {
    guard let json else { return .failure(malformed(payload)) }
    let time: EpochMillis
    let deviceTime = telemetry.timestamp.flatMap { lookup(json, $0) }
    switch Timestamp.resolve(deviceTime, receivedAt: receivedAt, limits: limits) {
    case .success(let resolved): time = resolved
    case .failure(let reason): return .failure(reason)
    }
    var readings: [Reading] = []
    for field in telemetry.fields {
      guard let value = lookup(json, field.path) else { continue }
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
          return .failure(
            DeadLetterReason(.invalidValue, "field '\(field.path)' has a value the profile does not map"))
        }
        number = mapped
      default:
        return .failure(DeadLetterReason(.wrongType, "field '\(field.path)' must be a number"))
      }
      let scaled = number * field.scale + field.offset
      guard scaled.isFinite else {
        return .failure(DeadLetterReason(.invalidValue, "field '\(field.path)' is out of range"))
      }
      readings.append(
        Reading(metric: field.metric, value: scaled, time: time, receiptTimed: deviceTime == nil))
    }
    // No mapped field present still means the device is alive: an empty reading list marks it seen.
    return .success(.readings(readings))
  }

  private func status(
    _ availability: Profile.Availability, payload: [UInt8], json: JSONValue?, receivedAt: EpochMillis
  ) -> Result<DecodedMessage.Content, DeadLetterReason> {
    var text = String(decoding: payload.prefix(128), as: UTF8.self).trimmingASCIIWhitespace()
    if let field = availability.field, let json, case .string(let state)? = lookup(json, field) {
      text = state
    } else if case .string(let state)? = json {
      text = state
    }
    let lowered = text.lowercased()
    if availability.online.contains(where: { $0.lowercased() == lowered }) {
      return .success(.status(.online, time: receivedAt))
    }
    if availability.offline.contains(where: { $0.lowercased() == lowered }) {
      return .success(.status(.offline, time: receivedAt))
    }
    return .failure(
      DeadLetterReason(
        .invalidValue,
        "availability must be one of \((availability.online + availability.offline).joined(separator: ", "))")
    )
  }

  private func event(
    _ event: Profile.Event, payload: [UInt8], json: JSONValue?, receivedAt: EpochMillis
  ) -> Result<DecodedMessage.Content, DeadLetterReason> {
    guard let json else { return .failure(malformed(payload)) }
    let time: EpochMillis
    switch Timestamp.resolve(
      event.timestamp.flatMap { lookup(json, $0) }, receivedAt: receivedAt, limits: limits)
    {
    case .success(let resolved): time = resolved
    case .failure(let reason): return .failure(reason)
    }
    var data = JSONObject()
    for field in event.fields {
      if let value = lookup(json, field.path) { data[field.name] = value }
    }
    let cleaned = NativeDecoder.withoutPersonalFields(.object(data))
    return .success(.event(DeviceEvent(type: event.type, time: time, data: JSONWriter.compact(cleaned))))
  }

  private func lookup(_ value: JSONValue, _ path: FieldPath) -> JSONValue? {
    var current = value
    for key in path.keys {
      guard case .object(let object) = current, let next = object[key] else { return nil }
      current = next
    }
    return current
  }

  private func malformed(_ payload: [UInt8]) -> DeadLetterReason {
    do {
      _ = try JSONParser.parse(payload)
      return DeadLetterReason(.malformedPayload, "invalid JSON")
    } catch {
      return DeadLetterReason(.malformedPayload, "invalid JSON: \(error.description)")
    }
  }
}
