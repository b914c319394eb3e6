/// schemas/event.v1.schema.json. Unknown event types are valid (v1 may add some) and are stored.
enum EventChecks {
  static let topLevel: Set<String> = [
    "schema", "schema_version", "school_id", "stream", "seq", "created_ms", "event",
  ]

  static func event(_ fields: FieldReader) throws(InvalidMessage) -> EventMessage {
    try fields.onlyKeys(topLevel)
    let envelope = try UplinkValidator.envelope(fields)
    let event = try fields.object("event")
    let type = try event.string("type", "an event type (a–z, 0–9, _)", TextShape.eventType)
    let device = try event.string("device", "a device id", TextShape.identifier)
    _ = try event.choice("kind", among: SummaryChecks.kinds)
    _ = try event.nullableString("room", "a room id", TextShape.identifier)
    let time = try event.integer("time_ms", minimum: 0)
    try UplinkValidator.notSeconds("event.time_ms", time)
    switch type {
    case "device_status":
      _ = try event.choice("status", among: ["online", "offline", "stale"])
      _ = try event.string("cause", "1–256 characters", TextShape.anyText(minLength: 1, maxLength: 256))
    case "threshold_alert":
      _ = try event.string("metric", "a metric name", TextShape.metricName)
      let value = try event.number("value")
      let threshold = try event.number("threshold")
      let state = try event.choice("state", among: ["above", "cleared"])
      if state == "above", value < threshold {
        throw InvalidMessage("event: state above but value \(value) < threshold \(threshold)")
      }
    default:
      break
    }
    return EventMessage(envelope: envelope, type: type, device: device, timeMs: Int64(time))
  }
}
