import Foundation
import MQTTClient
import TestSupport
import Testing

/// Drives a connection the way the ingest loop does, with or without releasing acknowledgements.
final class Subscriber {
  let connection: MQTTConnection
  var received: [MQTTMessage] = []
  var events: [MQTTEvent] = []

  init(port: Int32, clientID: String, protocolVersion: MQTTOptions.ProtocolVersion = .v5) throws {
    connection = try MQTTConnection(
      options: MQTTOptions(
        host: "127.0.0.1", port: port, clientID: clientID, keepAliveSeconds: 10,
        protocolVersion: protocolVersion, cleanSession: false,
        reconnectDelay: Backoff(initialMs: 50, maximumMs: 200)))
    connection.subscribe("t/#", qos: 1)
  }

  /// One loop turn; `acknowledge: false` reads but never writes (an agent that crashes before commit).
  func pump(for seconds: Double, acknowledge: Bool = true, until: (Subscriber) -> Bool = { _ in false }) {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      let now = Int64(Date().timeIntervalSince1970 * 1000)
      connection.maintain(nowMs: now)
      if let fd = connection.socketDescriptor {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        if poll(&descriptor, 1, 10) > 0 { connection.read(maxMessages: 500, nowMs: now) }
      } else {
        usleep(10_000)
      }
      received += connection.takeMessages()
      events += connection.takeEvents()
      if acknowledge || connection.state != .connected { connection.flush(nowMs: now) }
      if until(self) { return }
    }
  }

  var isSubscribed: Bool {
    events.contains { if case .subscribed = $0 { true } else { false } }
  }
}

@Suite("libmosquitto wrapper against a real broker", .serialized)
struct MQTTConnectionTests {
  @Test func receivesTopicPayloadQoSAndRetainedFlag() throws {
    let broker = try Broker()
    let publisher = try TestPublisher(port: broker.port, clientID: "pub")
    try publisher.publish(topic: "t/retained", payload: "kept", qos: 1, retain: true)
    let subscriber = try Subscriber(port: broker.port, clientID: "sub-1")
    subscriber.pump(for: 5) { $0.isSubscribed && !$0.received.isEmpty }
    try publisher.publish(topic: "t/live", payload: "{\"v\":1}", qos: 1)
    subscriber.pump(for: 5) { $0.received.count >= 2 }

    #expect(subscriber.received.count == 2)
    #expect(
      subscriber.received[0]
        == MQTTMessage(topic: "t/retained", payload: Array("kept".utf8), qos: 1, retained: true))
    #expect(
      subscriber.received[1]
        == MQTTMessage(topic: "t/live", payload: Array("{\"v\":1}".utf8), qos: 1, retained: false))
    #expect(subscriber.events.first == .connected(sessionPresent: false))
    // One SUBSCRIBE per connect, however often the loop turns.
    #expect(subscriber.events.filter { if case .subscribed = $0 { true } else { false } }.count == 1)
  }

  /// The undocumented libmosquitto 2.0.11 behaviour the agent's durability rests on: in threaded
  /// mode a PUBACK leaves only on `flush`. A reader that never flushes is redelivered everything.
  @Test func pubackLeavesOnlyOnFlushSoUnflushedMessagesAreRedelivered() throws {
    let broker = try Broker()
    let first = try Subscriber(port: broker.port, clientID: "durable")
    first.pump(for: 5) { $0.isSubscribed }
    let publisher = try TestPublisher(port: broker.port, clientID: "pub")
    try? publisher.publish(
      (0..<20).map { ("t/x", "m\($0)") }, qos: 1, timeout: 0.5)  // acks to the publisher are fine
    first.pump(for: 5, acknowledge: false) { $0.received.count >= 20 }
    #expect(first.received.count == 20)
    // "Crash": the handle goes away without writing its queued PUBACKs.
    let crashed = first.connection
    _ = crashed

    let second = try Subscriber(port: broker.port, clientID: "durable")
    let expected = Set((0..<20).map { "m\($0)" })
    second.pump(for: 10) { Set($0.received.map { String(decoding: $0.payload, as: UTF8.self) }) == expected }
    second.pump(for: 0.3)  // let the last PUBACKs out
    #expect(Set(second.received.map { String(decoding: $0.payload, as: UTF8.self) }) == expected)
    #expect(second.events.first == .connected(sessionPresent: true))

    // Acknowledged this time: a third session gets nothing again.
    let third = try Subscriber(port: broker.port, clientID: "durable")
    second.connection.close()
    third.pump(for: 1.5)
    #expect(third.received.isEmpty)
  }

  @Test func reconnectsWithBackoffAndResubscribesAfterBrokerRestart() throws {
    let broker = try Broker()
    let subscriber = try Subscriber(port: broker.port, clientID: "sub-r", protocolVersion: .v311)
    subscriber.pump(for: 5) { $0.isSubscribed }
    try broker.restart()
    subscriber.pump(for: 10) {
      $0.connection.state == .connected
        && $0.events.filter { if case .connected = $0 { true } else { false } }.count == 2
    }
    #expect(subscriber.events.contains { if case .disconnected = $0 { true } else { false } })
    let publisher = try TestPublisher(port: broker.port, clientID: "pub")
    try publisher.publish(topic: "t/after", payload: "back")
    subscriber.pump(for: 5) { !$0.received.isEmpty }
    #expect(subscriber.received.map(\.topic) == ["t/after"])
  }

  @Test func unreachableBrokerLeavesAClearErrorAndRetries() throws {
    let port = freeLoopbackPort()
    let connection = try MQTTConnection(
      options: MQTTOptions(
        host: "127.0.0.1", port: port, clientID: "lonely",
        reconnectDelay: Backoff(initialMs: 100, maximumMs: 1000)))
    connection.maintain(nowMs: 0)
    guard case .disconnected(let next) = connection.state else {
      Issue.record("expected disconnected, got \(connection.state)")
      return
    }
    #expect(next >= 50 && next <= 100)
    #expect(connection.lastError?.contains("127.0.0.1:\(port)") == true)
    #expect(connection.lastError?.lowercased().contains("refused") == true)
  }

  @Test func backoffIsCappedAndJittered() {
    let backoff = Backoff(initialMs: 500, maximumMs: 30_000)
    #expect(backoff.delayMs(attempt: 0, random: 0) == 250)
    #expect(backoff.delayMs(attempt: 0, random: 1) == 500)
    #expect(backoff.delayMs(attempt: 3, random: 1) == 4000)
    #expect(backoff.delayMs(attempt: 40, random: 1) == 30_000)
    #expect(backoff.delayMs(attempt: 40, random: 0) == 15_000)
  }
}
