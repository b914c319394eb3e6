import Buffer
import Foundation
import MQTTClient
import PJLink
import TestSupport
import Testing

/// Watches the school broker the way any subscriber would.
final class Watcher {
  let connection: MQTTConnection
  var received: [MQTTMessage] = []

  init(port: Int32) {
    connection = try! MQTTConnection(
      options: MQTTOptions(
        host: "127.0.0.1", port: port, clientID: "watcher-\(getpid())", keepAliveSeconds: 10,
        protocolVersion: .v5, cleanSession: true, reconnectDelay: Backoff(initialMs: 50, maximumMs: 200)))
    connection.subscribe("classgate/#", qos: 1)
  }

  @discardableResult
  func pump(for seconds: Double, until: (Watcher) -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      connection.pump(waitMs: 20, nowMs: Int64(Date().timeIntervalSince1970 * 1000))
      received += connection.takeMessages()
      _ = connection.takeEvents()
      if until(self) { return true }
    }
    return false
  }

  func payloads(_ topic: String) -> [String] {
    received.filter { $0.topic == topic }.map { String(decoding: $0.payload, as: UTF8.self) }
  }
}

/// `classgate pjlink` and `classgate run` on one config file, a real mosquitto, three projectors:
/// one answering with MD5 authentication, one with a wrong password configured, one switched off.
@Suite("classgate pjlink end to end", .serialized)
struct EndToEndTests {
  @Test func projectorsArePublishedInTheNativeProtocolAndStoredByTheAgent() throws {
    let broker = try Broker()
    let good = try Responder(password: "s3cret-101")
    let locked = try Responder(password: "the-real-one")
    let off = Int(freeLoopbackPort())
    let directory = TemporaryDirectory(prefix: "classgate-pjlink-e2e")
    defer { directory.remove() }
    let goodPassword = try directory.write("pjlink-101.pass", "s3cret-101\n", mode: 0o600)
    let wrongPassword = try directory.write("pjlink-102.pass", "not-the-one\n", mode: 0o600)
    let config = try directory.write(
      "classgate.toml",
      """
      school_id = "test-school"

      [local_broker]
      host = "127.0.0.1"
      port = \(broker.port)
      reconnect_min_ms = 50
      reconnect_max_ms = 500

      [store]
      path = "\(directory.file("classgate.db"))"

      [pjlink]
      connect_timeout_ms = 500
      response_timeout_ms = 1000

      [[pjlink.projector]]
      id = "proj-101"
      room = "101"
      host = "127.0.0.1"
      port = \(good.port)
      password_file = "\(goodPassword)"
      interval_s = 5

      [[pjlink.projector]]
      id = "proj-102"
      room = "102"
      host = "127.0.0.1"
      port = \(locked.port)
      password_file = "\(wrongPassword)"

      [[pjlink.projector]]
      id = "proj-103"
      room = "103"
      host = "127.0.0.1"
      port = \(off)
      """)
    let agent = AgentProcess(configPath: config, logPath: directory.file("agent.log"))
    try agent.start()
    defer { agent.stop(signal: SIGKILL) }
    #expect(waitUntil(timeout: 20) { agent.log.contains("Subscribed") }, "agent log:\n\(agent.log)")

    let watcher = Watcher(port: broker.port)
    let poller = try ChildProcess(
      executable: classgateExecutable, arguments: ["pjlink", "--config", config], environment: [:],
      outputPath: directory.file("pjlink.log"))
    defer {
      poller.signal(SIGKILL)
      poller.wait(timeout: 5)
    }
    let telemetry = "classgate/101/projector/proj-101/telemetry"
    let arrived = watcher.pump(for: 20) {
      !$0.payloads(telemetry).isEmpty && !$0.payloads("classgate/103/projector/proj-103/status").isEmpty
        && !$0.payloads("classgate/102/projector/proj-102/event").isEmpty
    }
    let log = (try? String(contentsOfFile: directory.file("pjlink.log"), encoding: .utf8)) ?? ""
    #expect(arrived, "received \(watcher.received.map(\.topic)); pjlink log:\n\(log)")

    #expect(watcher.payloads("classgate/101/projector/proj-101/status") == ["online"])
    let sample = try #require(watcher.payloads(telemetry).first)
    let fields = try #require(try JSONSerialization.jsonObject(with: Data(sample.utf8)) as? [String: Any])
    #expect(fields["power_on"] as? Int == 1)
    #expect(fields["active"] as? Int == 1)
    #expect(fields["lamp_hours"] as? Int == 1432)
    #expect(fields["error_code"] as? Int == 0)
    #expect(fields["input_source"] as? Int == 31)
    #expect(fields["ts"] is Int)
    #expect(good.commands.first?.hasPrefix(Greeting.digestForTest(password: "s3cret-101")) == true)

    // Wrong password: one event, no status claimed, logged without the password.
    #expect(
      watcher.payloads("classgate/102/projector/proj-102/event")
        == [#"{"type":"error","detail":"pjlink authentication failed"}"#])
    #expect(watcher.payloads("classgate/102/projector/proj-102/status").isEmpty)
    #expect(log.contains("PJLink authentication failed"))
    #expect(!log.contains("not-the-one") && !log.contains("s3cret-101"))

    // Off at the wall: offline, retained.
    #expect(watcher.payloads("classgate/103/projector/proj-103/status") == ["offline"])
    let retained = Watcher(port: broker.port)
    retained.pump(for: 5) { $0.payloads("classgate/103/projector/proj-103/status").count == 1 }
    #expect(
      retained.received.first { $0.topic == "classgate/103/projector/proj-103/status" }?.retained == true)

    // The agent stored them like any native projector.
    let store = directory.file("classgate.db")
    #expect(
      waitUntil(timeout: 15) {
        let device = try? StoreReader(path: store).device(id: "proj-101")
        return device?.values.contains { $0.metric == "lamp_hours" } == true
      })
    let stored = try #require(try StoreReader(path: store).device(id: "proj-101"))
    #expect(stored.kind == .projector)
    #expect(stored.room == "101")
    #expect(stored.status == .online)
    #expect(stored.values.first { $0.metric == "power_on" }?.value == 1)
    #expect(stored.values.first { $0.metric == "lamp_hours" }?.value == 1432)
    #expect(
      waitUntil(timeout: 10) { (try? StoreReader(path: store).device(id: "proj-103"))??.status == .offline })
    #expect(
      waitUntil(timeout: 10) {
        ((try? StoreReader(path: store).events(device: "proj-102")) ?? []).contains { $0.type == "error" }
      })

    // The projector comes back on the wall socket… is not needed here; SIGTERM ends it cleanly.
    poller.signal(SIGTERM)
    #expect(poller.wait(timeout: 10) == 0)
    let finalLog = (try? String(contentsOfFile: directory.file("pjlink.log"), encoding: .utf8)) ?? ""
    #expect(finalLog.contains("PJLink poll counts"))
  }

  @Test func configurationErrorsNameFileLineAndKey() throws {
    let directory = TemporaryDirectory(prefix: "classgate-pjlink-config")
    defer { directory.remove() }
    let open = try directory.write("open.pass", "secret\n", mode: 0o644)
    let config = try directory.write(
      "classgate.toml",
      """
      school_id = "test-school"

      [[pjlink.projector]]
      id = "proj 1"
      host = "10.0.0.1"
      port = 99999

      [[pjlink.projector]]
      id = "proj-2"
      password_file = "\(open)"
      colour = "blue"
      """)
    let result = try runClassgate(["pjlink", "--config", config])
    #expect(result.status == 78)
    let text = result.stderr
    #expect(text.contains("classgate.toml line 4: key 'pjlink.projector[0].id'"), "\(text)")
    #expect(
      text.contains(
        "classgate.toml line 6: key 'pjlink.projector[0].port': expected an integer from 1 to 65535"))
    #expect(text.contains("key 'pjlink.projector[1].host': is required"))
    #expect(text.contains("classgate.toml line 10: key 'pjlink.projector[1].password_file'"))
    #expect(text.contains("chmod 600"))
    #expect(!text.contains("secret\n") && !text.contains("\"secret\""))
    #expect(text.contains("classgate.toml line 11: key 'pjlink.projector[1].colour': unknown key"))

    let empty = try directory.write("empty.toml", "school_id = \"test-school\"\n")
    let none = try runClassgate(["pjlink", "--config", empty])
    #expect(none.status == 78)
    #expect(none.stderr.contains("no [[pjlink.projector]]"))
  }
}
