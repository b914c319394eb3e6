import DeviceModel
import JSON

/// One telemetry rule applied to one message: readings per channel, and notes on what was not
/// stored (fields no mapping reads, units that cannot be converted).
struct TelemetryDecoding {
  let telemetry: Profile.Telemetry
  let limits: DecodeLimits
  let maxNotes: Int

  private struct Value {
    var channel: Substring?
    var metric: String
    var number: Double
  }

  func decode(
    device: DeviceIdentity, captures: [TopicPattern.Capture: Substring], payload: inout ParsedPayload,
    receivedAt: EpochMillis
  ) throws(DeadLetterReason) -> DecodedMessage {
    var values: [Value] = []
    var notes: [FieldNote] = []
    var time = receivedAt
    var receiptTimed = true
    let topicChannel = captures[.channel]
    switch telemetry.payload {
    case .json:
      let object = try payload.object()
      let deviceTime = telemetry.timestamp.flatMap { JSONLookup.value(object, $0) }
      time = try Timestamp.resolve(deviceTime, receivedAt: receivedAt, limits: limits)
      receiptTimed = deviceTime == nil
      try readJSON(object, topicChannel: topicChannel, into: &values, notes: &notes)
    case .text:
      try readText(payload.bytes, captures: captures, into: &values, notes: &notes)
    }
    return assemble(device: device, values: values, notes: notes, time: time, receiptTimed: receiptTimed)
  }

  private func readJSON(
    _ object: JSONObject, topicChannel: Substring?, into values: inout [Value], notes: inout [FieldNote]
  ) throws(DeadLetterReason) {
    for field in telemetry.fields {
      for (channel, value) in JSONLookup.values(object, field.path, firstChannel: telemetry.firstChannel) {
        let channel = channel ?? topicChannel
        // Several fields may feed one metric (a vendor renamed it): the first one present wins.
        guard !values.contains(where: { $0.metric == field.metric && $0.channel == channel }) else {
          continue
        }
        guard var number = try Self.number(value, field) else { continue }
        number = number * field.scale + field.offset
        if let unit = unit(of: field, in: object) {
          guard let converted = Units.convert(number, from: unit, metric: field.metric) else {
            note(FieldNote(field: field.path.description, reason: .unknownUnit, detail: unit), &notes)
            continue
          }
          number = converted
        }
        try ReadingBounds.check(number, metric: field.metric, field: "\(field.path)")
        values.append(Value(channel: channel, metric: field.metric, number: number))
      }
    }
    // Nothing silent: every number or boolean that no mapping reads and the profile does not
    // ignore is noted, so `profiles test` and the agent's counters show it.
    for keys in JSONLookup.leaves(object, limit: 256) {
      if telemetry.fields.contains(where: { JSONLookup.matches($0.path, keys, whole: true) }) { continue }
      if telemetry.ignored.contains(where: { JSONLookup.matches($0, keys, whole: false) }) { continue }
      if let timestamp = telemetry.timestamp, timestamp.keys == keys { continue }
      note(FieldNote(field: keys.joined(separator: "."), reason: .notMapped), &notes)
    }
  }

  /// The unit the device sent for `field`: its `unit_field`'s text if present, else `unit`.
  private func unit(of field: Profile.FieldMapping, in object: JSONObject) -> String? {
    if let path = field.unitField, case .string(let text)? = JSONLookup.value(object, path) {
      return text
    }
    return field.unit
  }

  private func readText(
    _ bytes: [UInt8], captures: [TopicPattern.Capture: Substring], into values: inout [Value],
    notes: inout [FieldNote]
  ) throws(DeadLetterReason) {
    let key = captures[.metric].map(String.init) ?? ""
    let field: Profile.FieldMapping
    if let mapped = telemetry.fields.first(where: { $0.path.keys == [key] }) {
      field = mapped
    } else if !key.isEmpty, Metrics.canonical(key) != nil {
      // The topic names a canonical metric itself (ESPHome `…/sensor/co2/state`).
      field = Profile.FieldMapping(path: FieldPath([key]), metric: key)
    } else {
      note(FieldNote(field: key.isEmpty ? "(payload)" : key, reason: .notMapped), &notes)
      return
    }
    let text = String(decoding: bytes.prefix(128), as: UTF8.self).trimmingASCIIWhitespace()
    // ESPHome publishes "nan" for a sensor without a value yet: no reading, the device is seen.
    if text.isEmpty || ["nan", "-nan", "unknown", "unavailable"].contains(text.lowercased()) { return }
    var number: Double
    if let mapped = Self.mapped(text, field) {
      number = mapped
    } else if let parsed = Double(text), parsed.isFinite {
      number = parsed
    } else if field.map.isEmpty, let flag = ["off": 0.0, "on": 1, "false": 0, "true": 1][text.lowercased()] {
      number = flag
    } else {
      throw DeadLetterReason(.invalidValue, "the payload is a value the profile does not map for '\(key)'")
    }
    number = number * field.scale + field.offset
    if let unit = field.unit {
      guard let converted = Units.convert(number, from: unit, metric: field.metric) else {
        note(FieldNote(field: key, reason: .unknownUnit, detail: unit), &notes)
        return
      }
      number = converted
    }
    try ReadingBounds.check(number, metric: field.metric, field: key)
    values.append(Value(channel: captures[.channel], metric: field.metric, number: number))
  }

  private static func mapped(_ text: String, _ field: Profile.FieldMapping) -> Double? {
    field.map[text] ?? field.map.first(where: { $0.key.lowercased() == text.lowercased() })?.value
  }

  /// A JSON value as a number, nil for null; a text the mapping does not list is a dead letter.
  private static func number(_ value: JSONValue, _ field: Profile.FieldMapping) throws(DeadLetterReason)
    -> Double?
  {
    switch value {
    case .number(let n): return n
    case .bool(let flag): return flag ? 1 : 0
    case .null: return nil
    case .string(let text):
      guard let mapped = mapped(text, field) else {
        throw DeadLetterReason(.invalidValue, "field '\(field.path)' has a value the profile does not map")
      }
      return mapped
    default:
      throw DeadLetterReason(.wrongType, "field '\(field.path)' must be a number")
    }
  }

  private func note(_ note: FieldNote, _ notes: inout [FieldNote]) {
    var note = note
    // Field names come from payloads: kept short, so counting them stays small.
    if note.field.utf8.count > Self.maxFieldBytes {
      note.field = String(decoding: note.field.utf8.prefix(Self.maxFieldBytes), as: UTF8.self) + "…"
    }
    if notes.count < maxNotes, !notes.contains(note) { notes.append(note) }
  }

  static let maxFieldBytes = 96
  /// Channels beyond the first per message; more are noted, not stored (a hostile payload could
  /// otherwise create a device per key).
  static let maxChannels = 16

  /// A channel is a number of at most four digits (Shelly's component ids reach 100+ for add-on
  /// probes; Tasmota counts relays and probes from 1).
  static func isChannel(_ text: String) -> Bool {
    !text.isEmpty && text.utf8.count <= 4 && text.utf8.allSatisfy { (48...57).contains($0) }
  }

  /// The main channel's readings on the device itself, every other channel on `<id>.<channel>`.
  private func assemble(
    device: DeviceIdentity, values: [Value], notes: [FieldNote], time: EpochMillis, receiptTimed: Bool
  ) -> DecodedMessage {
    let main = String(telemetry.firstChannel ?? 0)
    var order: [String] = []
    var byChannel: [String: [Reading]] = [:]
    var notes = notes
    for value in values {
      let channel = value.channel.map(String.init) ?? main
      let reading = Reading(metric: value.metric, value: value.number, time: time, receiptTimed: receiptTimed)
      if byChannel[channel] == nil { order.append(channel) }
      byChannel[channel, default: []].append(reading)
    }
    var channels: [DecodedMessage] = []
    for channel in order.sorted(by: Self.channelOrder) where channel != main {
      let id = "\(device.id).\(channel)"
      guard Self.isChannel(channel), channels.count < Self.maxChannels, Identifier.isValid(id) else {
        note(FieldNote(field: "channel \(channel)", reason: .notMapped), &notes)
        continue
      }
      var identity = device
      identity.id = id
      identity.name = device.name.map { "\($0) (\(channel))" }
      channels.append(DecodedMessage(device: identity, content: .readings(byChannel[channel] ?? [])))
    }
    // No mapped field present still means the device is alive: an empty reading list marks it seen.
    return DecodedMessage(
      device: device, content: .readings(byChannel[main] ?? []), notes: notes, channels: channels)
  }

  private static func channelOrder(_ a: String, _ b: String) -> Bool {
    if let x = Int(a), let y = Int(b) { return x < y }
    return a < b
  }
}
