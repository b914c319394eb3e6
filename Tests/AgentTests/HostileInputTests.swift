import Buffer
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// A real mosquitto and the agent, fed thousands of hostile messages: each must end as a dead
/// letter counted under the right reason, and the agent must keep running, within its memory.
@Suite("Hostile input through the broker", .serialized)
struct HostileTrafficTests {
  /// Peak RSS allowed after the flood. A debug build idles near 20 MiB; one 4 MiB message is held
  /// a few times over (libmosquitto's buffer, our copy) while it is refused.
  static let maxPeakRSSKiB = 60 * 1024
  static let maxPayloadBytes = 64 * 1024
  static let devicesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Devices").path
  /// The shipped profiles too, so their topics are subscribed and decoded.
  static let config = "\n[profiles]\ndirectories = [\"\(devicesDirectory)\"]\n"

  @Test func thousandsOfHostileMessagesAreCountedDeadLettersAndTheAgentStaysSmall() throws {
    let harness = try AgentHarness(config: Self.config)
    try harness.startAgent()
    let messages = Self.hostileMessages(count: 3000)
    let publisher = try harness.publisher()
    for batch in stride(from: 0, to: messages.count, by: 500) {
      let slice = messages[batch..<min(messages.count, batch + 500)]
      try publisher.publish(bytes: slice.map { ($0.topic, $0.payload) }, timeout: 60)
    }
    let expected = Dictionary(grouping: messages, by: \.reason).mapValues(\.count)
    let arrived = waitUntil(timeout: 60) {
      ((try? harness.reader().counters()["dead_letters"]) ?? 0) >= Int64(messages.count)
    }
    #expect(arrived, "dead letters: \(String(describing: try? harness.reader().counters()))")

    // Every message counted once, under the reason expected for it.
    let counters = try harness.reader().counters()
    #expect(counters["dead_letters"] == Int64(messages.count))
    for (reason, count) in expected.sorted(by: { $0.key < $1.key }) {
      #expect(counters["dead_letters.\(reason)"] == Int64(count), "\(reason)")
    }
    #expect(try harness.reader().readingCount() == 0)
    #expect(try harness.reader().devices().isEmpty)

    // Still running and still ingesting: a good message after the flood is stored.
    try publisher.publish(topic: "classgate/101/env_sensor/env-ok/telemetry", payload: #"{"co2":640}"#)
    #expect(waitUntil(timeout: 10) { ((try? harness.reader().readingCount(device: "env-ok")) ?? 0) == 1 })
    #expect(harness.agent.isRunning)

    let devices = try harness.cli(["devices", "--json"])
    #expect(devices.status == 0, "\(devices.stderr)")
    let listed = try JSONSerialization.jsonObject(with: Data(devices.stdout.utf8)) as? [String: Any]
    #expect((listed?["devices"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["env-ok"])

    let letters = try harness.cli(["dead-letters", "--json", "--limit", "5"])
    #expect(letters.status == 0, "\(letters.stderr)")
    let document = try JSONSerialization.jsonObject(with: Data(letters.stdout.utf8)) as? [String: Any]
    let counts = try #require(document?["counts"] as? [String: Int])
    #expect(counts == expected)

    let peak = try #require(Self.peakRSSKiB(pid: harness.agent.pid))
    print(
      "hostile input: \(messages.count) messages, \(expected.sorted { $0.key < $1.key }), agent peak RSS \(peak / 1024) MiB"
    )
    #expect(peak < Self.maxPeakRSSKiB, "agent peak RSS \(peak) KiB")
  }

  /// What a raw client can try that libmosquitto will not even send: the broker refuses a PUBLISH
  /// whose topic has a NUL, a control character, a wildcard or invalid UTF-8, by closing that
  /// client's connection; the agent never sees it.
  @Test func brokerDropsClientsPublishingTopicsMQTTForbids() throws {
    let harness = try AgentHarness(config: Self.config)
    try harness.startAgent()
    let forbidden: [[UInt8]] = [
      Array("classgate/101/env_sensor/a".utf8) + [0] + Array("b/telemetry".utf8),
      Array("classgate/101/env_sensor/+/telemetry".utf8),
      Array("classgate/101/env_sensor/#".utf8),
      Array("classgate/101/env_sensor/a".utf8) + [0xC0, 0x80] + Array("/telemetry".utf8),
      Array("classgate/101/env_sensor/a".utf8) + [0xED, 0xA0, 0x80] + Array("/telemetry".utf8),
      Array("classgate/101/env_sensor/a".utf8) + [0x1B] + Array("[2J/telemetry".utf8),
      [],
    ]
    for topic in forbidden {
      let client = try RawMQTTClient(port: harness.broker.port)
      try client.publish(topic: topic, payload: Array(#"{"co2":1}"#.utf8))
      #expect(client.isClosedByBroker(), "the broker kept a client that published to \(topic)")
    }
    // libmosquitto refuses them before they reach the socket.
    let publisher = try harness.publisher()
    for topic in ["classgate/101/env_sensor/+/telemetry", "classgate/#", "a/\u{1B}/b", ""] {
      #expect(throws: (any Error).self) { try publisher.publish(topic: topic, payload: "{}") }
    }
    // What is allowed arrives: '%' and a bidi override are valid UTF-8, and invalid device ids.
    let raw = try RawMQTTClient(port: harness.broker.port)
    try raw.publish(topic: Array("classgate/101/env_sensor/%/telemetry".utf8), payload: Array("{}".utf8))
    try raw.publish(
      topic: Array("classgate/101/env_sensor/\u{202E}x/telemetry".utf8), payload: Array("{}".utf8))
    #expect(!raw.isClosedByBroker(waitSeconds: 0.5))
    #expect(
      waitUntil(timeout: 10) { (try? harness.reader().counters()["dead_letters.invalid_device_id"]) == 2 })
    #expect(try harness.reader().counters()["dead_letters"] == 2)
    #expect(harness.agent.isRunning)
  }

  // MARK: - The flood

  struct Message {
    let topic: String
    let payload: [UInt8]
    let reason: String
  }

  /// A seeded mix of everything hostile, each with the dead-letter reason it must get. Every topic
  /// is one the agent subscribes to (native prefix or a shipped profile).
  static func hostileMessages(count: Int) -> [Message] {
    var rng = SplitMix(seed: 0xBAD_1DEA)
    let telemetry = "classgate/101/env_sensor/env-h/telemetry"
    func json(_ text: String) -> [UInt8] { Array(text.utf8) }
    let fixed: [Message] = [
      // Size: just over the limit, and several MiB.
      Message(
        topic: telemetry, payload: [UInt8](repeating: 0x20, count: maxPayloadBytes + 1),
        reason: "payload_too_large"),
      Message(
        topic: telemetry, payload: json("{\"co2\":" + String(repeating: "1", count: 4 << 20) + "}"),
        reason: "payload_too_large"),
      Message(
        topic: "zigbee2mqtt/env-z", payload: [UInt8](repeating: 0x5B, count: 3 << 20),
        reason: "payload_too_large"),
      // Nesting 10,000 deep.
      Message(
        topic: telemetry,
        payload: json(String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)),
        reason: "malformed_payload"),
      Message(
        topic: "tele/plug-h/SENSOR", payload: json(String(repeating: #"{"E":"#, count: 10_000)),
        reason: "malformed_payload"),
      Message(
        topic: "classgate/101/attendance_reader/r-h/event",
        payload: json(#"{"type":"card_scan","x":"# + String(repeating: "[", count: 10_000)),
        reason: "malformed_payload"),
    ]
    var messages = fixed
    let hostileIDs = [
      "..", ".", "a b", " ", "%", "%2e%2e", "\u{202E}lortnoc", "\u{2066}x", "é", "😀", "\u{200B}", ".hidden",
      String(repeating: "a", count: 65), String(repeating: "x", count: 300), "'; DROP TABLE devices;--",
      "$(reboot)",
      "ｅｎｖ",
    ]
    let refusedNames = ["\u{202E}lortnoc", "\u{2066}x", "\u{200B}", String(repeating: "x", count: 300)]
    while messages.count < count {
      switch rng.below(10) {
      case 0:  // random bytes; a leading 0xFF is never JSON
        messages.append(
          Message(
            topic: telemetry, payload: [0xFF] + (0..<rng.below(2000)).map { _ in UInt8(rng.below(256)) },
            reason: "malformed_payload"))
      case 1:  // invalid UTF-8 in a string or a key
        let bad: [[UInt8]] = [
          [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xFF], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82],
        ]
        let sequence = bad[rng.below(bad.count)]
        let payload =
          rng.below(2) == 0
          ? json(#"{"co2":1,"note":""#) + sequence + json(#""}"#) : json(#"{""#) + sequence + json(#"":1}"#)
        messages.append(
          Message(
            topic: rng.below(2) == 0 ? telemetry : "zigbee2mqtt/env-z", payload: payload,
            reason: "malformed_payload"))
      case 2:  // literals JSON does not have, numbers beyond Double
        let literal = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "nan", "0x10", "+1", ".5"][
          rng.below(9)]
        let topic = [
          "classgate/101/env_sensor/env-h/telemetry", "tele/plug-h/SENSOR", "shelly/s-h/status/switch:0",
        ][rng.below(3)]
        let key = topic.hasPrefix("tele") ? "ENERGY" : topic.hasPrefix("shelly") ? "apower" : "co2"
        messages.append(
          Message(topic: topic, payload: json("{\"\(key)\":\(literal)}"), reason: "malformed_payload"))
      case 3:  // timestamps far in the past or the future
        let ts = [
          "1", "-5", "99999999999999", "1e14", "4102444800", #""1900-01-01T00:00:00Z""#,
          #""2999-01-01T00:00:00Z""#,
          #""1970-01-01T00:00:00+23:59""#, "true",
        ][rng.below(9)]
        messages.append(
          Message(topic: telemetry, payload: json(#"{"co2":700,"ts":\#(ts)}"#), reason: "invalid_timestamp"))
      case 4, 5:  // hostile device ids, in each protocol's device level
        let choice = rng.below(6)
        // Profiles turn printable names ("a b", "é", "'; DROP…") into safe ids (issue 14); they
        // refuse names with control or invisible characters, and overlong ones.
        let pool = choice < 2 ? hostileIDs : refusedNames
        let id = pool[rng.below(pool.count)]
        let topic = [
          "classgate/101/env_sensor/\(id)/telemetry", "classgate/101/board/\(id)/status", "zigbee2mqtt/\(id)",
          "tele/\(id)/SENSOR", "shelly/\(id)/online", "zigbee2mqtt/\(id)/availability",
        ][choice]
        let payload =
          topic.hasSuffix("online")
          ? "true"
          : topic.hasSuffix("status") || topic.hasSuffix("availability")
            ? "online" : #"{"co2":1,"ENERGY":{"Power":1}}"#
        messages.append(Message(topic: topic, payload: json(payload), reason: "invalid_device_id"))
      case 6:  // hostile rooms
        let room = ["..", "a b", "\u{202E}", "%", String(repeating: "r", count: 300)][rng.below(5)]
        messages.append(
          Message(
            topic: "classgate/\(room)/env_sensor/env-h/telemetry", payload: json(#"{"co2":1}"#),
            reason: "invalid_device_id"))
      case 7:  // '../' as a kind or channel: the topic is not one the agent knows
        let topic = [
          "classgate/101/../env-h/telemetry", "classgate/101/env_sensor/env-h/..",
          "classgate/_/../env-h/telemetry",
        ][rng.below(3)]
        messages.append(Message(topic: topic, payload: json(#"{"co2":1}"#), reason: "unknown_topic"))
      case 8:  // control characters in values, wrong types
        let value = [#""\u001b[2J""#, #"["a"]"#, #"{"v":1}"#, #""\u0000""#][rng.below(4)]
        messages.append(Message(topic: telemetry, payload: json(#"{"co2":\#(value)}"#), reason: "wrong_type"))
      default:  // keys that are not metric names, statuses that are not statuses
        if rng.below(2) == 0 {
          let key = ["Co2", "co2\\u001b", "a b", "", String(repeating: "k", count: 49)][rng.below(5)]
          messages.append(
            Message(topic: telemetry, payload: json(#"{"\#(key)":1}"#), reason: "invalid_value"))
        } else {
          messages.append(
            Message(
              topic: "classgate/101/board/b-h/status",
              payload: json(["\u{1B}[2Jonline", "on", "", "online\u{0}"][rng.below(4)]),
              reason: "invalid_value"))
        }
      }
    }
    return messages
  }

  /// The kernel's high-water mark of the process's resident set (VmHWM), in KiB.
  static func peakRSSKiB(pid: Int32) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
      return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }
    return nil
  }
}

/// SplitMix64, so the flood is the same on every run.
struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

/// Just enough MQTT 3.1.1 over a plain socket to send what a real client library refuses to.
final class RawMQTTClient {
  private let fd: Int32

  init(port: Int32) throws {
    guard let fd = connectToLoopback(port: port) else { throw TestFailure("cannot connect to the broker") }
    self.fd = fd
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    let clientID = Array("raw-\(UInt32.random(in: 0...UInt32.max))".utf8)
    // CONNECT: "MQTT", level 4, clean session, keepalive 60 s, client id.
    let body: [UInt8] = [0, 4] + Array("MQTT".utf8) + [4, 0x02, 0, 60] + Self.string(clientID)
    try send([0x10] + Self.length(body.count) + body)
    var connack = [UInt8](repeating: 0, count: 4)
    guard recv(fd, &connack, 4, Int32(MSG_WAITALL)) == 4, connack == [0x20, 2, 0, 0] else {
      throw TestFailure("no CONNACK from the broker: \(connack)")
    }
  }

  deinit { close(fd) }

  /// QoS 0 PUBLISH with the topic's bytes exactly as given.
  func publish(topic: [UInt8], payload: [UInt8]) throws {
    let body = Self.string(topic) + payload
    try send([0x30] + Self.length(body.count) + body)
  }

  /// Pings and waits: the broker answers a client it kept, and closes one it dropped.
  func isClosedByBroker(waitSeconds: Double = 5) -> Bool {
    _ = try? send([0xC0, 0])
    var reply = [UInt8](repeating: 0, count: 2)
    var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    guard poll(&descriptor, 1, Int32(waitSeconds * 1000)) > 0 else { return false }
    let count = recv(fd, &reply, 2, Int32(MSG_WAITALL))
    return count <= 0 || reply != [0xD0, 0]
  }

  private func send(_ bytes: [UInt8]) throws {
    let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    guard sent == bytes.count else { throw TestFailure("short send (\(sent) of \(bytes.count))") }
  }

  private static func string(_ bytes: [UInt8]) -> [UInt8] {
    [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes
  }

  /// MQTT's variable-length "remaining length".
  private static func length(_ value: Int) -> [UInt8] {
    var value = value
    var bytes: [UInt8] = []
    repeat {
      var byte = UInt8(value % 128)
      value /= 128
      if value > 0 { byte |= 0x80 }
      bytes.append(byte)
    } while value > 0
    return bytes
  }
}
