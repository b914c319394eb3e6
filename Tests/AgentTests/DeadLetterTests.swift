import Buffer
import Foundation
import TestSupport
import Testing

@Suite("Bad input becomes dead letters", .serialized)
struct DeadLetterTests {
  @Test func malformedHugeAndHostileMessagesAreCountedAndTheAgentKeepsGoing() throws {
    let harness = try AgentHarness()
    try harness.startAgent()
    let device = try harness.publisher()
    let hugePayload = "{\"co2\":" + String(repeating: "1", count: 1 << 20) + "}"
    try device.publish([
      ("classgate/101/env_sensor/env-1/telemetry", "{not json"),
      ("classgate/101/env_sensor/env-1/telemetry", #"{"co2":"high"}"#),
      ("classgate/101/env_sensor/env-1/telemetry", hugePayload),
      ("classgate/101/env_sensor/env-1/humidity", #"{"humidity":50}"#),
      ("classgate/101/env_sensor/'; DROP TABLE devices;--/telemetry", #"{"co2":1}"#),
      ("classgate/101/env_sensor/../telemetry", #"{"co2":1}"#),
      // Control characters in topics are refused by libmosquitto and the broker; a bidi override is not.
      ("classgate/101/env_sensor/\u{202E}lortnoc/telemetry", #"{"co2":1}"#),
      ("classgate/101/toaster/t-1/telemetry", #"{"co2":1}"#),
      ("classgate/101/env_sensor/env-1/telemetry", #"{"co2":NaN}"#),
      ("classgate/101/env_sensor/env-1/telemetry", #"{"co2":900,"ts":99999999999999}"#),
    ])
    // The agent keeps going: a good message after all that is stored.
    try device.publish(topic: "classgate/101/env_sensor/env-1/telemetry", payload: #"{"co2":700}"#)
    #expect(waitUntil(timeout: 10) { ((try? harness.reader().readingCount(device: "env-1")) ?? 0) == 1 })

    let counters = try harness.reader().counters()
    #expect(counters["dead_letters"] == 10)
    #expect(counters["dead_letters.malformed_payload"] == 2)
    #expect(counters["dead_letters.wrong_type"] == 1)
    #expect(counters["dead_letters.payload_too_large"] == 1)
    #expect(counters["dead_letters.unknown_topic"] == 2)
    #expect(counters["dead_letters.invalid_device_id"] == 3)
    #expect(counters["dead_letters.invalid_timestamp"] == 1)
    let letters = try harness.reader().deadLetters()
    #expect(letters.count == 10)
    let huge = try #require(letters.first { $0.reason == "payload_too_large" })
    #expect(huge.payloadSize == hugePayload.utf8.count)
    #expect(huge.payloadPrefix.count == 512)
    // The technician's view: newest first, cleaned of control characters, counts by reason.
    let shown = try harness.cli(["dead-letters", "--limit", "3"])
    #expect(shown.status == 0)
    #expect(shown.stdout.contains("invalid_timestamp") && shown.stdout.contains("10 dead letters in all"))
    #expect(shown.stdout.contains("invalid_device_id 3"))
    #expect(!shown.stdout.unicodeScalars.contains { $0.value == 0x202E })
    let json = try harness.cli(["dead-letters", "--json"])
    let document = try #require(
      try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    #expect((document["counts"] as? [String: Int])?["payload_too_large"] == 1)
    #expect((document["recent"] as? [[String: Any]])?.count == 10)
    // The hostile id was stored only as dead-letter text, never as a device; the tables are intact.
    let devices = try harness.reader().devices()
    #expect(devices.map(\.id) == ["env-1"])
    #expect(harness.agent.isRunning)
  }

  @Test func unknownDeviceMissingStoreAndBadFlagsFailWithOneLineErrors() throws {
    let harness = try AgentHarness()
    try harness.startAgent()
    try harness.publisher().publish(
      topic: "classgate/101/board/b-1/telemetry", payload: #"{"power_on":1}"#)
    #expect(waitUntil(timeout: 10) { ((try? harness.reader().readingCount()) ?? 0) == 1 })

    let unknown = try harness.cli(["device", "nope"])
    #expect(unknown.status != 0)
    #expect(unknown.stderr.contains("no device 'nope'"))
    #expect(unknown.stderr.split(separator: "\n").count == 1)

    let missing = try runClassgate(["devices", "--store", "/nonexistent/classgate.db"])
    #expect(missing.status != 0)
    #expect(missing.stderr.contains("no store at /nonexistent/classgate.db"))

    let badFlag = try harness.cli(["devices", "--kind", "toaster"])
    #expect(badFlag.status != 0)
    #expect(badFlag.stderr.contains("toaster"))
  }

  @Test func terminalOutputNeverCarriesControlCharactersFromDeviceData() throws {
    let harness = try AgentHarness()
    try harness.startAgent()
    try harness.publisher().publish(
      topic: "classgate/101/projector/p-1/event",
      payload: #"{"type":"error","message":"\u001b[2J\u001b[31mLAMP\u0007"}"#)
    #expect(waitUntil(timeout: 10) { (try? harness.reader().events(device: "p-1").count) == 1 })
    let text = try harness.cli(["device", "p-1"])
    #expect(text.status == 0)
    #expect(text.stdout.contains("LAMP"))
    #expect(!text.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
    // JSON output escapes them instead, so scripts get the exact data.
    let json = try harness.cli(["device", "p-1", "--json"])
    #expect(json.stdout.contains("\\u001b[2J"))
    #expect(!json.stdout.unicodeScalars.contains { $0.value == 0x1B })
  }

  @Test func devicesTableFiltersByRoomKindAndStatus() throws {
    let harness = try AgentHarness()
    try harness.startAgent()
    try harness.publisher().publish([
      ("classgate/101/board/b-101/telemetry", #"{"power_on":1}"#),
      ("classgate/102/board/b-102/telemetry", #"{"power_on":0}"#),
      ("classgate/102/env_sensor/e-102/telemetry", #"{"co2":650}"#),
    ])
    #expect(waitUntil(timeout: 10) { ((try? harness.reader().readingCount()) ?? 0) == 3 })
    let room = try harness.cli(["devices", "--room", "102"])
    #expect(room.stdout.contains("b-102") && room.stdout.contains("e-102"))
    #expect(!room.stdout.contains("b-101"))
    let kind = try harness.cli(["devices", "--kind", "env_sensor"])
    #expect(kind.stdout.contains("e-102") && !kind.stdout.contains("b-10"))
    #expect(kind.stdout.contains("co2=650 ppm"))
    let offline = try harness.cli(["devices", "--status", "offline", "--json"])
    #expect(offline.stdout.contains("\"devices\": []"))
  }
}
