import Buffer
import DeviceModel
import SQLiteStore
import Testing

@Suite("BufferWriter: dead letters")
struct DeadLetterTests {
  @Test("a dead letter keeps a payload prefix, the original size, the reason and the detail")
  func truncatedPayload() throws {
    let store = try TestStore(limits: BufferWriter.Limits(deadLetterPayloadBytes: 16))
    let payload = Array((0..<100).map { UInt8($0) })
    store.writer.addDeadLetter(
      topic: "classgate/r101/env_sensor/env-1/telemetry", payload: payload,
      reason: DeadLetterReason(.malformedPayload, "invalid JSON: unexpected end of input at byte 100"),
      receivedAt: t0)
    let summary = try store.writer.commit(now: t0 + 10)
    #expect(summary.messages == 1)
    #expect(summary.deadLetters == 1)

    let letters = try store.reader().deadLetters()
    #expect(letters.count == 1)
    let letter = try #require(letters.first)
    #expect(letter.time == t0)
    #expect(letter.topic == "classgate/r101/env_sensor/env-1/telemetry")
    #expect(letter.payloadPrefix == Array(payload[0..<16]))
    #expect(letter.payloadPrefix.count == 16)
    #expect(letter.payloadSize == 100)
    #expect(letter.reason == "malformed_payload")
    #expect(letter.detail == "invalid JSON: unexpected end of input at byte 100")
  }

  @Test("the default keeps 512 payload bytes; a short or empty payload is kept whole")
  func defaultPrefix() throws {
    let store = try TestStore()
    store.writer.addDeadLetter(
      topic: "a", payload: [UInt8](repeating: 0x41, count: 1 << 20),
      reason: DeadLetterReason(.payloadTooLarge, "big"), receivedAt: t0)
    store.writer.addDeadLetter(
      topic: "b", payload: Array("offline?".utf8), reason: DeadLetterReason(.invalidValue, "?"),
      receivedAt: t0 + 1)
    store.writer.addDeadLetter(
      topic: "c", payload: [], reason: DeadLetterReason(.invalidValue, "empty"), receivedAt: t0 + 2)
    try store.writer.commit(now: t0 + 2)
    let letters = try store.reader().deadLetters()
    #expect(letters.map(\.topic) == ["c", "b", "a"])
    #expect(letters.map(\.payloadPrefix.count) == [0, 8, 512])
    #expect(letters.map(\.payloadSize) == [0, 8, 1 << 20])
    #expect(letters[1].payloadPrefix == Array("offline?".utf8))
  }

  @Test("a hostile topic is stored as text, cut at 256 characters")
  func longTopic() throws {
    let store = try TestStore()
    let topic = "classgate/'; DROP TABLE dead_letters;--/" + String(repeating: "x", count: 300)
    store.writer.addDeadLetter(
      topic: topic, payload: [1], reason: DeadLetterReason(.unknownTopic, "no profile"),
      receivedAt: t0)
    try store.writer.commit(now: t0)
    let letter = try #require(try store.reader().deadLetters().first)
    #expect(letter.topic == String(topic.prefix(256)))
    #expect(letter.topic.count == 256)
  }

  @Test("counters count per reason; the table is trimmed to maxDeadLetters, newest kept")
  func countersAndTrimming() throws {
    let store = try TestStore(limits: BufferWriter.Limits(maxDeadLetters: 3))
    let reasons: [DeadLetterReason.Code] = [
      .malformedPayload, .unknownTopic, .malformedPayload, .invalidDeviceID, .malformedPayload,
    ]
    for (index, code) in reasons.enumerated() {
      store.writer.addDeadLetter(
        topic: "t/\(index)", payload: [UInt8(index)], reason: DeadLetterReason(code, "#\(index)"),
        receivedAt: t0 + Int64(index))
      if index == 1 { try store.writer.commit(now: t0 + 1) }
    }
    let summary = try store.writer.commit(now: t0 + 4)
    #expect(summary.deadLetters == 3)

    let reader = try store.reader()
    let letters = try reader.deadLetters()
    #expect(letters.map(\.topic) == ["t/4", "t/3", "t/2"])
    #expect(letters.map(\.detail) == ["#4", "#3", "#2"])
    #expect(try reader.deadLetters(limit: 2).map(\.topic) == ["t/4", "t/3"])
    let counters = try reader.counters()
    #expect(counters[Counter.deadLetters] == 5)
    #expect(counters[Counter.deadLetters("malformed_payload")] == 3)
    #expect(counters[Counter.deadLetters("unknown_topic")] == 1)
    #expect(counters[Counter.deadLetters("invalid_device_id")] == 1)
    #expect(counters[Counter.deadLetters("wrong_type")] == nil)
    #expect(counters[Counter.messagesReceived] == 5)

    // More arrive: still three kept, counters keep counting.
    for index in 5..<9 {
      store.writer.addDeadLetter(
        topic: "t/\(index)", payload: [], reason: DeadLetterReason(.wrongType, "#\(index)"),
        receivedAt: t0 + Int64(index))
    }
    try store.writer.commit(now: t0 + 9)
    #expect(try reader.deadLetters().map(\.topic) == ["t/8", "t/7", "t/6"])
    #expect(try store.count("SELECT count(*) FROM dead_letters") == 3)
    #expect(try reader.counters()[Counter.deadLetters] == 9)
    #expect(try reader.counters()[Counter.deadLetters("wrong_type")] == 4)
  }

  @Test("dead letters and readings in one batch are counted apart")
  func mixedBatch() throws {
    let store = try TestStore()
    store.writer.add(readingsMessage(device("env-1"), [("co2", 1)], at: t0), receivedAt: t0)
    store.writer.addDeadLetter(
      topic: "x", payload: [], reason: DeadLetterReason(.wrongType, "w"), receivedAt: t0)
    let summary = try store.writer.commit(now: t0)
    #expect(summary.messages == 2)
    #expect(summary.deadLetters == 1)
    #expect(summary.readingsStored == 1)
    #expect(try store.reader().counters()[Counter.messagesReceived] == 2)
  }
}
