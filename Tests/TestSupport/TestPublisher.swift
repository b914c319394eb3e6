import Foundation
import MQTTClient

/// A device stand-in that publishes through our own libmosquitto wrapper and waits for PUBACKs.
public final class TestPublisher: @unchecked Sendable {
  private let connection: MQTTConnection
  private var acknowledged = Set<Int32>()

  public init(
    port: Int32, clientID: String, will: MQTTOptions.Will? = nil, username: String? = nil,
    password: String? = nil, connectTimeout: Double = 10
  ) throws {
    connection = try MQTTConnection(
      options: MQTTOptions(
        host: "127.0.0.1", port: port, clientID: clientID, username: username, password: password,
        keepAliveSeconds: 10,
        protocolVersion: .v311, cleanSession: true, will: will,
        reconnectDelay: Backoff(initialMs: 50, maximumMs: 200)))
    guard pump(until: { $0.state == .connected }, timeout: connectTimeout) else {
      throw TestFailure("test publisher could not connect: \(connection.lastError ?? "?")")
    }
  }

  /// Publishes and, for QoS 1, waits until the broker acknowledged every message.
  public func publish(
    _ messages: [(topic: String, payload: String)], qos: Int32 = 1, retain: Bool = false,
    timeout: Double = 30
  ) throws {
    try publish(
      bytes: messages.map { ($0.topic, Array($0.payload.utf8)) }, qos: qos, retain: retain, timeout: timeout)
  }

  /// Raw payloads (invalid UTF-8, random bytes); otherwise as `publish(_:)`.
  public func publish(
    bytes messages: [(topic: String, payload: [UInt8])], qos: Int32 = 1, retain: Bool = false,
    timeout: Double = 30
  ) throws {
    var outstanding = Set<Int32>()
    acknowledged.removeAll()
    for (index, message) in messages.enumerated() {
      let id = try connection.publish(
        topic: message.topic, payload: message.payload, qos: qos, retain: retain)
      if qos > 0 { outstanding.insert(id) }
      // Keep the socket moving and the in-flight window small.
      if index % 50 == 49 || qos > 0 && outstanding.count - acknowledged.count > 100 {
        _ = pump(until: { _ in outstanding.count - self.acknowledged.count <= 20 }, timeout: timeout)
      }
    }
    guard
      pump(
        until: { _ in outstanding.isSubset(of: self.acknowledged) && !self.connection.wantsWrite },
        timeout: timeout)
    else {
      throw TestFailure(
        "broker acknowledged \(acknowledged.count) of \(outstanding.count) messages")
    }
  }

  public func publish(topic: String, payload: String, qos: Int32 = 1, retain: Bool = false) throws {
    try publish([(topic, payload)], qos: qos, retain: retain)
  }

  /// Drops the TCP connection without DISCONNECT, so the broker publishes the Will.
  public func dropWithoutDisconnect() {
    if let fd = connection.socketDescriptor { shutdown(fd, Int32(SHUT_RDWR)) }
    _ = pump(until: { $0.state != .connected }, timeout: 5)
  }

  public func disconnect() { connection.close() }

  private func pump(until condition: (MQTTConnection) -> Bool, timeout: Double) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      connection.pump(waitMs: 5, nowMs: Int64(Date().timeIntervalSince1970 * 1000))
      for event in connection.takeEvents() {
        if case .published(let id) = event { acknowledged.insert(id) }
      }
      _ = connection.takeMessages()
      if condition(connection) { return true }
    }
    return condition(connection)
  }
}
