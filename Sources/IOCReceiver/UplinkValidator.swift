import JSON

/// Checks one received message against the v1 contract (schemas/*.v1.schema.json, and the
/// consistency rules scripts/validate-uplink.py adds), and says what it is or why it is refused.
///
/// Pure: no I/O, so it is tested with plain payloads. Inner objects are open (a v1 agent may add
/// fields to them), the top level is closed, as the schemas say.
public enum UplinkValidator {
  /// Topic suffix under `ioc/v1/schools/<school_id>/` → the schema that belongs there.
  static let schemaOfSuffix: [String: String] = [
    "summaries/window": "classgate.window_summary",
    "summaries/day": "classgate.daily_summary",
    "summaries/lessons": "classgate.lesson_summary",
    "events": "classgate.event",
    "presence": "classgate.presence",
  ]

  static let topicPrefix = "ioc/v1/schools/"
  /// Larger than any summary an agent sends (ioc.max_message_kb defaults to 256 KiB). The receiver
  /// copies at most this much of a payload out of libmosquitto, so a huge one costs no memory.
  public static let maxPayloadBytes = 4 << 20
  static let limits = JSONParser.Limits(maxDepth: 16, maxBytes: maxPayloadBytes)
  /// 2000-01-01T00:00:00Z: a `*_ms` before it is almost surely seconds, not milliseconds.
  static let year2000Ms = 946_684_800_000

  /// The school a topic names, if it is under the uplink prefix (kept with rejected rows).
  public static func school(inTopic topic: String) -> String? {
    guard topic.hasPrefix(topicPrefix) else { return nil }
    let rest = topic.dropFirst(topicPrefix.count)
    guard let slash = rest.firstIndex(of: "/") else { return nil }
    let school = rest[..<slash]
    return TextShape.schoolID(school.utf8) ? String(school) : nil
  }

  /// `zones`: the rules of the zones summaries name (the caller keeps one, so each file is read once).
  public static func validate(topic: String, payload: [UInt8], zones: ZoneLookup = ZoneLookup())
    -> Result<UplinkMessage, InvalidMessage>
  {
    do throws(InvalidMessage) {
      return .success(try check(topic: topic, payload: payload, zones: zones))
    } catch {
      return .failure(error)
    }
  }

  static func check(topic: String, payload: [UInt8], zones: ZoneLookup) throws(InvalidMessage)
    -> UplinkMessage
  {
    guard let school = school(inTopic: topic) else {
      throw InvalidMessage("topic is not ioc/v1/schools/<school_id>/…")
    }
    let suffix = String(topic.dropFirst(topicPrefix.count + school.utf8.count + 1))
    guard let expected = schemaOfSuffix[suffix] else {
      throw InvalidMessage("topic …/\(FieldReader.quoted(suffix)) carries no v1 message")
    }
    let document: JSONValue
    do throws(JSONError) {
      document = try JSONParser.parse(payload, limits: limits)
    } catch {
      throw InvalidMessage("payload is not valid JSON: \(error)")
    }
    guard let object = document.objectValue else { throw InvalidMessage("payload is not a JSON object") }
    // jsonb cannot hold U+0000, and such a payload would make every retry of the batch fail.
    if payload.count >= 6, containsEscapedNUL(payload) {
      throw InvalidMessage("payload contains \\u0000, which the database cannot store")
    }
    let fields = FieldReader(object)
    let schema = try fields.string("schema", "a schema name") { _ in true }
    guard schema == expected else {
      throw InvalidMessage(
        "schema: \(FieldReader.quoted(schema)) does not belong on …/\(suffix) (\(expected) does)")
    }
    let version = try fields.integer("schema_version")
    guard version == 1 else { throw InvalidMessage("schema_version: \(version) is not supported (only 1)") }
    let schoolID = try fields.string("school_id", "a school id", TextShape.schoolID)
    guard schoolID == school else {
      throw InvalidMessage(
        "school_id: \(FieldReader.quoted(schoolID)) is not the topic's school \(FieldReader.quoted(school))")
    }
    switch expected {
    case "classgate.window_summary":
      return .summary(try SummaryChecks.summary(fields, kind: .window, zones: zones))
    case "classgate.daily_summary":
      return .summary(try SummaryChecks.summary(fields, kind: .day, zones: zones))
    case "classgate.lesson_summary": return .summary(try LessonChecks.summary(fields, zones: zones))
    case "classgate.event": return .event(try EventChecks.event(fields))
    default: return .presence(try PresenceChecks.presence(fields))
    }
  }

  /// The sequenced envelope: stream, seq, created_ms.
  static func envelope(_ fields: FieldReader) throws(InvalidMessage) -> Envelope {
    let stream = try fields.string("stream", "16 lower-case hex digits", TextShape.stream)
    let seq = try fields.integer("seq", minimum: 1)
    let created = try fields.integer("created_ms", minimum: 0)
    try notSeconds("created_ms", created)
    return Envelope(
      schoolID: try fields.string("school_id", "a school id", TextShape.schoolID), stream: stream,
      seq: Int64(seq), createdMs: Int64(created))
  }

  static func notSeconds(_ name: String, _ ms: Int) throws(InvalidMessage) {
    if ms < year2000Ms {
      throw InvalidMessage("\(name): \(ms) is before 2000: seconds instead of milliseconds?")
    }
  }

  private static func containsEscapedNUL(_ payload: [UInt8]) -> Bool {
    let needle: [UInt8] = Array("\\u0000".utf8)
    var index = 0
    while index + needle.count <= payload.count {
      if payload[index] == 0x5C, payload[index..<(index + needle.count)].elementsEqual(needle) {
        // An escaped backslash before it ("\\u0000") is text, not NUL; count the run of backslashes.
        var backslashes = 0
        var back = index
        while back > 0, payload[back - 1] == 0x5C {
          backslashes += 1
          back -= 1
        }
        if backslashes % 2 == 0 { return true }
      }
      index += 1
    }
    return false
  }
}
