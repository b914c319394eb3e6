import Decode
import DeviceModel
import TestSupport
import Testing

@Suite("Native topics")
struct TopicTests {
  let payload = #"{"co2": 700}"#

  @Test("room, kind and device come from the topic; the profile is 'native'")
  func identityFromTopic() {
    #expect(
      identity(decode("classgate/r204/board/board-204.a:1/telemetry", payload))
        == DeviceIdentity(id: "board-204.a:1", kind: .board, room: "r204", profile: "native"))
    for kind in DeviceKind.allCases {
      #expect(identity(decode("classgate/r1/\(kind.rawValue)/d1/telemetry", payload))?.kind == kind)
    }
  }

  @Test("room '_' means the device does not know its room")
  func unknownRoom() {
    #expect(
      decode("classgate/_/plug/plug-7/telemetry", payload)
        == telemetry(
          [Reading(metric: "co2", value: 700, time: receivedAt, receiptTimed: true)],
          device: DeviceIdentity(id: "plug-7", kind: .plug, room: nil, profile: "native")))
  }

  @Test(
    "hostile device ids are an invalidDeviceID",
    arguments: [
      "'; DROP TABLE devices;--", "..", ".hidden", "\u{1b}[31m", "dev\u{1b}[31m", "dev 1", "dev+",
      "dev#", "dev\u{0}", "phòng", String(repeating: "a", count: 65), "",
    ])
  func hostileDeviceID(id: String) {
    #expect(
      deadLetter(decode("classgate/r101/env_sensor/\(id)/telemetry", payload))
        == DeadLetterReason(.invalidDeviceID, "device id is not a valid identifier"))
  }

  @Test("a 64-character device id is accepted")
  func longestDeviceID() {
    let id = String(repeating: "a", count: 64)
    #expect(identity(decode("classgate/r101/env_sensor/\(id)/telemetry", payload))?.id == id)
  }

  @Test("a device id with a '/' adds a level, so the topic is not native")
  func slashInDeviceID() {
    #expect(decode("classgate/r101/env_sensor/../etc/telemetry", payload) == nil)
    #expect(
      DecoderChain([NativeDecoder()]).decode(
        topic: "classgate/r101/env_sensor/../etc/telemetry", payload: Array(payload.utf8),
        receivedAt: receivedAt)
        == .deadLetter(DeadLetterReason(.unknownTopic, "no profile matches this topic")))
  }

  @Test(
    "hostile or empty rooms are an invalidDeviceID",
    arguments: [
      "", "..", "r 101", "\u{1b}[31m", "'--", String(repeating: "r", count: 65),
    ])
  func hostileRoom(room: String) {
    #expect(
      deadLetter(decode("classgate/\(room)/env_sensor/env-1/telemetry", payload))
        == DeadLetterReason(.invalidDeviceID, "room is not a valid identifier"))
  }

  @Test("an unknown device kind is an unknownTopic dead letter listing the kinds")
  func unknownKind() {
    for kind in ["toaster", "Board", "env-sensor", ""] {
      #expect(
        deadLetter(decode("classgate/r101/\(kind)/d1/telemetry", payload))
          == DeadLetterReason(
            .unknownTopic,
            "unknown device kind; expected one of board, projector, env_sensor, attendance_reader, plug, other"
          ), "\(kind)")
    }
  }

  @Test("an unknown channel is an unknownTopic dead letter")
  func unknownChannel() {
    for channel in ["config", "Telemetry", "", "telemetry "] {
      #expect(
        deadLetter(decode("classgate/r101/plug/p1/\(channel)", payload))
          == DeadLetterReason(.unknownTopic, "unknown channel; expected telemetry, status or event"),
        "\(channel)")
    }
  }

  @Test(
    "another prefix or another number of levels is not for this decoder",
    arguments: [
      "other/r101/plug/p1/telemetry", "ClassGate/r101/plug/p1/telemetry", "classgate/r101/plug/p1",
      "classgate/r101/plug/p1/telemetry/extra", "/classgate/r101/plug/p1/telemetry",
      "classgate/r101/plug/p1/telemetry/", "classgate", "", "#", "classgate/+/+/+/+/+",
    ])
  func notNative(topic: String) {
    #expect(decode(topic, payload) == nil)
    #expect(
      DecoderChain([NativeDecoder()]).decode(
        topic: topic, payload: Array(payload.utf8), receivedAt: receivedAt)
        == .deadLetter(DeadLetterReason(.unknownTopic, "no profile matches this topic")))
  }

  @Test("a prefix of several levels must match every level")
  func multiLevelPrefix() {
    let decoder = NativeDecoder(prefix: "school/a/classgate")
    #expect(
      decode("school/a/classgate/r101/plug/p1/telemetry", payload, with: decoder)
        == telemetry(
          [Reading(metric: "co2", value: 700, time: receivedAt, receiptTimed: true)],
          device: DeviceIdentity(id: "p1", kind: .plug, room: "r101", profile: "native")))
    #expect(decode("classgate/r101/plug/p1/telemetry", payload, with: decoder) == nil)
    #expect(decode("school/b/classgate/r101/plug/p1/telemetry", payload, with: decoder) == nil)
    #expect(decode("school/a/classgate/r101/plug/p1", payload, with: decoder) == nil)
    #expect(decode("a/classgate/r101/plug/p1/telemetry", payload, with: decoder) == nil)
  }
}

@Suite("Decoder chain")
struct DecoderChainTests {
  @Test("a payload above maxPayloadBytes is payloadTooLarge before any decoder runs")
  func payloadTooLarge() {
    let chain = DecoderChain([NativeDecoder()])
    let oneMiB = [UInt8](repeating: UInt8(ascii: " "), count: 1 << 20)
    #expect(
      chain.decode(topic: telemetryTopic, payload: oneMiB, receivedAt: receivedAt)
        == .deadLetter(DeadLetterReason(.payloadTooLarge, "payload is 1048576 bytes, the limit is 65536")))
    // Even for a topic nobody claims.
    #expect(
      chain.decode(topic: "zigbee2mqtt/x", payload: oneMiB, receivedAt: receivedAt)
        == .deadLetter(DeadLetterReason(.payloadTooLarge, "payload is 1048576 bytes, the limit is 65536")))
  }

  @Test("a payload of exactly maxPayloadBytes reaches the decoder")
  func payloadAtLimit() {
    let chain = DecoderChain([NativeDecoder()], limits: DecodeLimits(maxPayloadBytes: 16))
    let exact = Array(#"{"co2":     812}"#.utf8)
    #expect(exact.count == 16)
    #expect(
      chain.decode(topic: telemetryTopic, payload: exact, receivedAt: receivedAt)
        == telemetry([Reading(metric: "co2", value: 812, time: receivedAt, receiptTimed: true)]))
    #expect(
      chain.decode(topic: telemetryTopic, payload: exact + [32], receivedAt: receivedAt)
        == .deadLetter(DeadLetterReason(.payloadTooLarge, "payload is 17 bytes, the limit is 16")))
  }

  @Test("the first decoder that claims the topic wins")
  func firstClaimWins() {
    let chain = DecoderChain([NativeDecoder(prefix: "a"), NativeDecoder(prefix: "b")])
    let payload = Array(#"{"co2": 1}"#.utf8)
    #expect(
      identity(chain.decode(topic: "b/r1/plug/p1/telemetry", payload: payload, receivedAt: receivedAt))
        == DeviceIdentity(id: "p1", kind: .plug, room: "r1", profile: "native"))
    #expect(
      deadLetter(chain.decode(topic: "a/r1/plug/p1/nonsense", payload: payload, receivedAt: receivedAt))?.code
        == .unknownTopic)
    #expect(
      DecoderChain([]).decode(topic: "a/r1/plug/p1/telemetry", payload: payload, receivedAt: receivedAt)
        == .deadLetter(DeadLetterReason(.unknownTopic, "no profile matches this topic")))
  }
}
