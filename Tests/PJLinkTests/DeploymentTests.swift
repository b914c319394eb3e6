import Buffer
import Foundation
import TestSupport
import Testing

/// The shipped pieces around `classgate pjlink`: its systemd unit and its broker account in the
/// shipped ACL.
@Suite("PJLink deployment", .serialized)
struct DeploymentTests {
  static let systemd = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Systemd").path

  @Test func theUnitRunsPJLinkAndScoresAtMostTwoInSystemdAnalyzeSecurity() throws {
    let unit = Self.systemd + "/classgate-pjlink.service"
    let text = try String(contentsOfFile: unit, encoding: .utf8)
    #expect(text.contains("ExecStart=/usr/bin/classgate pjlink --config /etc/classgate/classgate.toml"))
    #expect(text.contains("User=classgate"))
    let result = try runShell(
      "/usr/bin/systemd-analyze security --offline=true --threshold=20 --no-pager \(unit)")
    #expect(result.status == 0, "\(result.stdout)")
    #expect(result.stdout.contains("Overall exposure level for classgate-pjlink.service: 1."))
  }

  @Test func thePollerPublishesWithItsOwnAccountThroughTheShippedACL() throws {
    let files = TemporaryDirectory(prefix: "classgate-pjlink-acl")
    defer { files.remove() }
    chmod(files.path, 0o755)
    let passwords = files.file("classgate.passwd")
    for (index, (user, secret)) in [("classgate", "agent-secret"), ("classgate-pjlink", "poller-secret")]
      .enumerated()
    {
      let created = try runShell(
        "/usr/bin/mosquitto_passwd \(index == 0 ? "-c " : "")-b \(passwords) \(user) \(secret)")
      #expect(created.status == 0, "\(created.stdout)")
    }
    chmod(passwords, 0o644)
    let broker = try Broker(
      extraConfig: """
        allow_anonymous false
        password_file \(passwords)
        acl_file \(Self.systemd)/mosquitto-classgate.acl
        """)
    let responder = try Responder()
    let pollerPassword = try files.write("pjlink-broker.pass", "poller-secret\n", mode: 0o600)
    let config = try files.write(
      "classgate.toml",
      """
      school_id = "acl-school"
      [local_broker]
      port = \(broker.port)
      username = "classgate"
      reconnect_min_ms = 50
      reconnect_max_ms = 500
      [store]
      path = "\(files.file("classgate.db"))"
      [pjlink]
      broker_username = "classgate-pjlink"
      broker_password_file = "\(pollerPassword)"
      [[pjlink.projector]]
      id = "proj-201"
      room = "201"
      host = "127.0.0.1"
      port = \(responder.port)
      """)
    let environment = ["CLASSGATE_LOCAL_BROKER_PASSWORD": "agent-secret"]
    let agent = AgentProcess(configPath: config, logPath: files.file("agent.log"), environment: environment)
    try agent.start()
    defer { agent.stop(signal: SIGKILL) }
    #expect(waitUntil(timeout: 20) { agent.log.contains("Subscribed") }, "\(agent.log)")
    let poller = try ChildProcess(
      executable: classgateExecutable, arguments: ["pjlink", "--config", config],
      environment: environment, outputPath: files.file("pjlink.log"))
    defer {
      poller.signal(SIGKILL)
      poller.wait(timeout: 5)
    }
    let store = files.file("classgate.db")
    let stored = waitUntil(timeout: 20) {
      (try? StoreReader(path: store).device(id: "proj-201"))?.values.contains { $0.metric == "lamp_hours" }
        == true
    }
    let log = (try? String(contentsOfFile: files.file("pjlink.log"), encoding: .utf8)) ?? ""
    #expect(stored, "pjlink log:\n\(log)")
    #expect(log.contains("Connected to the school broker"))
    #expect(!log.contains("poller-secret") && !log.contains("agent-secret"))
    #expect(try StoreReader(path: store).device(id: "proj-201")?.status == .online)
  }
}
