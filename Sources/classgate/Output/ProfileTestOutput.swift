import Agent
import DeviceModel
import JSON

/// `classgate profiles test`: the canonical result, or exactly why there is none.
enum ProfileTestOutput {
  static func text(
    topic: String, decoder: String?, result: DecodeResult, filters: [String], rules: [String] = [],
    time: SchoolTime
  )
    -> String
  {
    var lines = ["Topic    \(Terminal.clean(topic))"]
    for (index, rule) in rules.enumerated() {
      lines.append((index == 0 ? "Rule     " : "         ") + Terminal.clean(rule))
    }
    switch result {
    case .ignored:
      lines.append("Result   ignored by profile '\(decoder ?? "?")' (known topic, deliberately not stored)")
    case .deadLetter(let reason):
      lines.append("Result   dead letter: \(reason.code.rawValue)")
      lines.append("Why      \(Terminal.clean(reason.detail))")
      if let decoder {
        lines.append("Profile  \(decoder) claimed the topic")
      } else if reason.code == .unknownTopic {
        lines.append("Filters  \(filters.joined(separator: "  "))")
      }
    case .decoded(let message):
      lines.append("Profile  \(decoder ?? message.device.profile)")
      for (index, part) in message.parts.enumerated() {
        if index > 0 { lines.append("") }
        lines += describe(part, channel: index > 0, time: time)
      }
      for note in message.notes {
        lines.append("Note     \(Terminal.clean(note.description))")
      }
    }
    return lines.joined(separator: "\n")
  }

  private static func describe(_ message: DecodedMessage, channel: Bool, time: SchoolTime) -> [String] {
    var lines: [String] = []
    let device = message.device
    lines.append(
      (channel ? "Channel  " : "Device   ")
        + "\(device.id)  kind=\(device.kind.rawValue)  room=\(Terminal.clean(device.room ?? "?"))"
        + (device.name.map { "  name=\(Terminal.clean($0))" } ?? ""))
    switch message.content {
    case .readings(let readings):
      var table = TextTable(headers: ["METRIC", "VALUE", "UNIT", "TIME"])
      for reading in readings {
        table.append([
          reading.metric, DeviceOutput.format(reading.value), Metrics.unit(of: reading.metric),
          time.text(reading.time),
        ])
      }
      lines.append(readings.isEmpty ? "Readings none (the device is marked seen)" : "\n" + table.render())
    case .status(let status, _):
      lines.append("Status   \(status.rawValue)")
    case .event(let event):
      lines.append(
        "Event    \(event.type) at \(time.text(event.time)) \(Terminal.clean(event.data))")
    }
    return lines
  }

  static func json(
    topic: String, decoder: String?, result: DecodeResult, rules: [String] = [], time: SchoolTime
  ) -> JSONValue {
    var object = JSONObject([("topic", .string(topic)), ("profile", decoder.map(JSONValue.string) ?? .null)])
    object["rules"] = .array(rules.map(JSONValue.string))
    switch result {
    case .ignored:
      object["result"] = .string("ignored")
    case .deadLetter(let reason):
      object["result"] = .string("dead_letter")
      object["reason"] = .object(
        JSONObject([("code", .string(reason.code.rawValue)), ("detail", .string(reason.detail))]))
    case .decoded(let message):
      object["result"] = .string("decoded")
      for (key, value) in content(message, time: time) { object[key] = value }
      object["channels"] = .array(message.channels.map { .object(content($0, time: time)) })
      object["notes"] = .array(
        message.notes.map { note in
          .object(
            JSONObject([
              ("field", .string(note.field)), ("reason", .string(note.reason.rawValue)),
              ("detail", note.detail.map(JSONValue.string) ?? .null),
            ]))
        })
    }
    return .object(object)
  }

  /// `device` plus `readings`, `status` or `event`, for the message and for each channel.
  private static func content(_ message: DecodedMessage, time: SchoolTime) -> JSONObject {
    var object = JSONObject()
    object["device"] = .object(
      JSONObject([
        ("id", .string(message.device.id)), ("kind", .string(message.device.kind.rawValue)),
        ("room", message.device.room.map(JSONValue.string) ?? .null),
        ("name", message.device.name.map(JSONValue.string) ?? .null),
      ]))
    switch message.content {
    case .readings(let readings):
      object["readings"] = .array(
        readings.map { reading in
          .object(
            JSONObject([
              ("metric", .string(reading.metric)), ("value", .number(reading.value)),
              ("unit", .string(Metrics.unit(of: reading.metric))),
              ("time", .string(time.text(reading.time))),
            ]))
        })
    case .status(let status, _):
      object["status"] = .string(status.rawValue)
    case .event(let event):
      object["event"] = .object(
        JSONObject([
          ("type", .string(event.type)), ("time", .string(time.text(event.time))),
          ("data", (try? JSONParser.parse(event.data)) ?? .string(event.data)),
        ]))
    }
    return object
  }
}
