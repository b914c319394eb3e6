import Foundation
import MQTTClient
import TestSupport
import Testing

/// Refusals and disconnects carry the broker's codes as values, and say them in words an admin can
/// act on: against a real mosquitto with a password file, two clients with one client id, and a
/// listener that never answers.
@Suite("MQTT reason codes", .serialized)
struct MQTTReasonTests {
  /// A connection pumped by the test; its events and the reasons in them.
  final class Client {
    let connection: MQTTConnection
    var events: [MQTTEvent] = []

    init(
      port: Int32, clientID: String, version: MQTTOptions.ProtocolVersion, username: String? = nil,
      password: String? = nil, keepAlive: Int32 = 10
    ) throws {
      connection = try MQTTConnection(
        options: MQTTOptions(
          host: "127.0.0.1", port: port, clientID: clientID, username: username, password: password,
          keepAliveSeconds: keepAlive, protocolVersion: version, cleanSession: true,
          reconnectDelay: Backoff(initialMs: 50, maximumMs: 100)))
    }

    func pump() {
      connection.pump(waitMs: 5, nowMs: Int64(Date().timeIntervalSince1970 * 1000))
      events += connection.takeEvents()
    }

    var refusals: [MQTTReason] { events.compactMap { if case .refused(let r) = $0 { r } else { nil } } }
    var disconnects: [MQTTReason] {
      events.compactMap { if case .disconnected(let r) = $0 { r } else { nil } }
    }
  }

  static func pump(_ clients: [Client], for seconds: Double, until: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      for client in clients { client.pump() }
      if until() { return true }
    }
    return until()
  }

  @Test("a wrong password is 'not authorised / bad user name or password'", arguments: ["mqtt5", "mqtt311"])
  func wrongPassword(_ version: String) throws {
    let files = TemporaryDirectory(prefix: "classgate-reason-auth")
    defer { files.remove() }
    chmod(files.path, 0o755)
    let passwords = files.file("passwd")
    let created = try runShell("mosquitto_passwd -c -b '\(passwords)' classgate right-secret 2>&1")
    #expect(created.status == 0, "\(created.stdout)")
    chmod(passwords, 0o644)
    let broker = try Broker(extraConfig: "allow_anonymous false\npassword_file \(passwords)\n")
    let client = try Client(
      port: broker.port, clientID: "wrong-password", version: .init(rawValue: version)!,
      username: "classgate", password: "wrong-secret")
    #expect(Self.pump([client], for: 5) { !client.refusals.isEmpty })
    let reason = try #require(client.refusals.first)
    #expect(reason.isNotAuthorised, "\(reason)")
    if case .refused(let code) = reason {
      #expect(version == "mqtt5" ? [134, 135].contains(code) : [4, 5].contains(code), "\(code)")
    } else {
      Issue.record("\(reason)")
    }
    #expect("\(reason)".hasPrefix("not authorised / bad user name or password ("), "\(reason)")
    let lastError = try #require(client.connection.lastError)
    #expect(lastError.contains("not authorised / bad user name or password"), "\(lastError)")
    #expect(!lastError.contains("unknown"), "\(lastError)")
    #expect(client.connection.lastReason == reason)
    // The right password still works: the code is about the credentials, not the broker.
    let good = try Client(
      port: broker.port, clientID: "right-password", version: .init(rawValue: version)!,
      username: "classgate", password: "right-secret")
    #expect(Self.pump([good], for: 5) { good.connection.state == .connected })
  }

  /// mosquitto 2.0.11 closes a taken-over session without a DISCONNECT; EMQX, HiveMQ and VerneMQ
  /// (the IOC's brokers) send DISCONNECT with reason 142. So here the peer is a loopback socket
  /// that answers CONNECT with exactly those bytes: CONNACK (success), then DISCONNECT 0x8E.
  @Test func mqtt5DisconnectReason142IsASessionTakenOver() throws {
    let listener = try Listener()
    let client = try Client(port: listener.port, clientID: "classgate-school-1", version: .v5)
    var peer: Int32 = -1
    var replied = false
    defer { if peer >= 0 { close(peer) } }
    let answered = Self.pump([client], for: 5) {
      if peer < 0, let accepted = listener.accept() { peer = accepted }
      var descriptor = pollfd(fd: peer, events: Int16(POLLIN), revents: 0)
      if peer >= 0, !replied, poll(&descriptor, 1, 0) > 0 {
        var buffer = [UInt8](repeating: 0, count: 512)
        _ = read(peer, &buffer, buffer.count)  // the CONNECT
        let reply: [UInt8] = [0x20, 0x03, 0x00, 0x00, 0x00, 0xE0, 0x02, 0x8E, 0x00]
        _ = write(peer, reply, reply.count)
        replied = true
      }
      return !client.disconnects.isEmpty
    }
    #expect(answered)
    #expect(client.events.first == .connected(sessionPresent: false), "\(client.events)")
    let reason = try #require(client.disconnects.first)
    #expect(reason == .disconnectedByBroker(code: 142))
    #expect(reason.isSessionTakenOver)
    #expect("\(reason)".contains("session taken over by another client with the same client id"))
    #expect(client.connection.lastError?.contains("session taken over") == true)
  }

  @Test(
    "clients kicking each other off with one client id are reported as a taken-over session",
    arguments: ["mqtt5", "mqtt311"])
  func repeatedKicksAreATakenOverSession(_ version: String) throws {
    let broker = try Broker()
    let first = try Client(
      port: broker.port, clientID: "classgate-school-2", version: .init(rawValue: version)!)
    let second = try Client(
      port: broker.port, clientID: "classgate-school-2", version: .init(rawValue: version)!)
    // Both reconnect within 100 ms, each connect kicking the other off (mosquitto 2.0.11 sends no
    // reason code on a takeover, in either protocol).
    let concluded = Self.pump([first, second], for: 15) {
      (first.disconnects + second.disconnects).contains { $0.isSessionTakenOver }
    }
    #expect(concluded, "\(first.disconnects) \(second.disconnects)")
    let reason = try #require((first.disconnects + second.disconnects).first { $0.isSessionTakenOver })
    #expect("\(reason)".contains("session taken over by another client with the same client id"))
    // A single drop (a broker restart) is not called a takeover.
    let lone = try Client(port: broker.port, clientID: "lonely", version: .init(rawValue: version)!)
    #expect(Self.pump([lone], for: 5) { lone.connection.state == .connected })
    try broker.restart()
    #expect(Self.pump([lone], for: 10) { !lone.disconnects.isEmpty && lone.connection.state == .connected })
    #expect(lone.disconnects.allSatisfy { !$0.isSessionTakenOver }, "\(lone.disconnects)")
  }

  @Test func aListenerThatNeverAnswersIsATimeoutNotAnUnknownError() throws {
    // Accepts TCP (the kernel completes the handshake) but never reads: a black-holed broker.
    let listener = try Listener()
    let port = listener.port
    let client = try Client(port: port, clientID: "black-hole", version: .v311, keepAlive: 5)
    #expect(Self.pump([client], for: 15) { !client.disconnects.isEmpty })
    let reason = try #require(client.disconnects.first)
    #expect(reason.isTimeout, "\(reason)")
    #expect("\(reason)".contains("timed out"), "\(reason)")
    let lastError = try #require(client.connection.lastError)
    #expect(!lastError.contains("Unknown error") && lastError.contains("timed out"), "\(lastError)")
  }
}
