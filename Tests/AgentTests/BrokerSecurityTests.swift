import Buffer
import Foundation
import TestSupport
import Testing

/// The shipped broker configuration: no anonymous clients, and a device cannot publish as another.
@Suite("Local broker security", .serialized)
struct BrokerSecurityTests {
  static let systemd = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Systemd").path

  @Test func aDeviceCannotPublishAsAnotherAndAnonymousClientsAreRefused() throws {
    let files = TemporaryDirectory(prefix: "classgate-broker-auth")
    defer { files.remove() }
    chmod(files.path, 0o755)
    let passwords = files.file("classgate.passwd")
    for (user, secret) in [
      ("classgate", "agent-secret"), ("env-101", "secret-101"), ("env-102", "secret-102"),
    ] {
      let result = try runClassgate([
        "broker", "add-device", user, "--password-file", passwords, "--password", secret,
      ])
      if user == "classgate" {
        // The agent's account is a service account of the ACL, not a device: refused by the helper.
        #expect(result.status != 0 && result.stderr.contains("service account"))
        let created = Process()
        created.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_passwd")
        created.arguments = ["-c", "-b", passwords, user, secret]
        try created.run()
        created.waitUntilExit()
      } else {
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Password: \(secret)"))
      }
    }
    chmod(passwords, 0o644)
    let shipped = try String(contentsOfFile: Self.systemd + "/mosquitto-classgate.conf", encoding: .utf8)
    #expect(shipped.contains("allow_anonymous false"))
    let broker = try Broker(
      extraConfig: """
        allow_anonymous false
        password_file \(passwords)
        acl_file \(Self.systemd)/mosquitto-classgate.acl
        """)

    #expect(throws: TestFailure.self) {
      _ = try TestPublisher(port: broker.port, clientID: "anonymous", connectTimeout: 1)
    }
    #expect(throws: TestFailure.self) {
      _ = try TestPublisher(
        port: broker.port, clientID: "wrong", username: "env-101", password: "nope", connectTimeout: 1)
    }

    // The agent, with the classgate account, reads everything it is allowed to read.
    let store = TemporaryDirectory(prefix: "classgate-auth-store")
    defer { store.remove() }
    let config = try store.write(
      "classgate.toml",
      """
      school_id = "auth-school"
      [local_broker]
      port = \(broker.port)
      username = "classgate"
      [store]
      path = "\(store.file("classgate.db"))"
      """)
    let agent = AgentProcess(
      configPath: config, logPath: store.file("agent.log"),
      environment: ["CLASSGATE_LOCAL_BROKER_PASSWORD": "agent-secret"])
    try agent.start()
    defer { agent.stop(signal: SIGKILL) }
    #expect(waitUntil(timeout: 10) { agent.log.contains("Subscribed") })

    let device = try TestPublisher(
      port: broker.port, clientID: "env-101", username: "env-101", password: "secret-101")
    try device.publish(topic: "classgate/101/env_sensor/env-101/telemetry", payload: #"{"co2":700}"#)
    // Impersonation: env-101 publishing as env-102. The broker drops it (and still acknowledges it).
    try? device.publish([("classgate/102/env_sensor/env-102/telemetry", #"{"co2":9999}"#)], timeout: 2)
    try device.publish(topic: "classgate/101/env_sensor/env-101/telemetry", payload: #"{"co2":710}"#)

    let reader = { try StoreReader(path: store.file("classgate.db")) }
    #expect(waitUntil(timeout: 10) { ((try? reader().readingCount(device: "env-101")) ?? 0) == 2 })
    #expect(try reader().device(id: "env-102") == nil)
    #expect(try reader().readingCount() == 2)
  }
}
