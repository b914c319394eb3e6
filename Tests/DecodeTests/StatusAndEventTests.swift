import Decode
import DeviceModel
import TestSupport
import Testing

@Suite("Native status payloads")
struct StatusTests {
  let topic = "classgate/r101/projector/proj-101/status"
  let projector = DeviceIdentity(id: "proj-101", kind: .projector, room: "r101", profile: "native")

  func status(_ status: DeviceStatus) -> DecodeResult {
    .decoded(DecodedMessage(device: projector, content: .status(status, time: receivedAt)))
  }

  @Test("plain, upper-case, padded and JSON-quoted status words are understood")
  func statusWords() {
    #expect(decode(topic, "online") == status(.online))
    #expect(decode(topic, "offline") == status(.offline))
    #expect(decode(topic, "ONLINE") == status(.online))
    #expect(decode(topic, " offline\n") == status(.offline))
    #expect(decode(topic, "\t OffLine \n\n") == status(.offline))
    #expect(decode(topic, #""online""#) == status(.online))
    #expect(decode(topic, #""offline""#) == status(.offline))
  }

  // Arduino's println and many serial bridges end lines with CRLF. Swift treats "\r\n" as one
  // Character, so trimming must not compare Characters against "\r" and "\n" separately.
  @Test("a status word followed by CRLF is understood")
  func statusWithCRLF() {
    #expect(decode(topic, "online\r\n") == status(.online))
    #expect(decode(topic, "\r\noffline\r\n") == status(.offline))
  }

  @Test(
    "anything else is an invalidValue",
    arguments: [
      "", "   ", "on line", "up", "1", "true", "onlineX", #"{"status": "online"}"#, "stale",
      "unknown", "\u{1b}[31monline",
    ])
  func garbage(payload: String) {
    #expect(
      deadLetter(decode(topic, payload))
        == DeadLetterReason(.invalidValue, "status must be 'online' or 'offline'"))
  }
}

@Suite("Native event payloads")
struct EventTests {
  let topic = "classgate/lobby/attendance_reader/gate-1/event"
  let reader = DeviceIdentity(
    id: "gate-1", kind: .attendanceReader, room: "lobby", profile: "native")

  func event(_ type: String, time: EpochMillis, data: String, receiptTimed: Bool = false) -> DecodeResult {
    .decoded(
      DecodedMessage(
        device: reader,
        content: .event(DeviceEvent(type: type, time: time, data: data, receiptTimed: receiptTimed))))
  }

  @Test("type and ts are taken out; the remaining fields stay as compact JSON, in order")
  func typeTimeAndData() {
    let result = decode(
      topic,
      #"{"type": "door_open", "ts": "2025-11-29T14:59:00+07:00", "door": "north", "open_s": 12.5, "forced": false, "tags": [1, "a"], "info": {"by": "guard"}}"#
    )
    #expect(
      result
        == event(
          "door_open", time: 1_764_403_140_000,
          data: #"{"door":"north","open_s":12.5,"forced":false,"tags":[1,"a"],"info":{"by":"guard"}}"#
        ))
  }

  @Test("personal card and student fields are never kept in the event data")
  func personalFieldsRemoved() {
    let result = decode(
      topic,
      #"{"card": "A1", "type": "card_scan", "card_id": 1234, "ts": 1764400000, "uid": "04:A1:B2", "reader": "gate-1", "card_uid": "04A1B2C3", "student_id": "HS-2025-001", "ok": true}"#
    )
    #expect(result == event("card_scan", time: 1_764_400_000_000, data: #"{"reader":"gate-1","ok":true}"#))
  }

  @Test("an event with only a type has empty data and the receipt time")
  func onlyType() {
    #expect(
      decode(topic, #"{"type": "button"}"#)
        == event("button", time: receivedAt, data: "{}", receiptTimed: true))
  }

  @Test(
    "an event without a valid type is an invalidValue",
    arguments: [
      "{}", #"{"ts": 1764400000, "door": "north"}"#, #"{"type": "Card-Scan"}"#, #"{"type": ""}"#,
      #"{"type": 7}"#, #"{"type": null}"#, #"{"type": ["card_scan"]}"#, #"{"type": "card scan"}"#,
    ])
  func invalidType(payload: String) {
    #expect(
      deadLetter(decode(topic, payload))
        == DeadLetterReason(.invalidValue, "event needs a 'type' in lowercase snake_case"))
  }

  @Test("an event with a bad timestamp, bad JSON or a non-object is a dead letter")
  func otherFailures() {
    #expect(deadLetter(decode(topic, #"{"type": "button", "ts": -1}"#))?.code == .invalidTimestamp)
    #expect(deadLetter(decode(topic, #"{"type": "button""#))?.code == .malformedPayload)
    #expect(
      deadLetter(decode(topic, #"["button"]"#))
        == DeadLetterReason(.wrongType, "payload must be a JSON object"))
  }
}
