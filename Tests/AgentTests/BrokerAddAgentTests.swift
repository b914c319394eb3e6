import Foundation
import TestSupport
import Testing

/// `classgate broker add-agent`: the agent's account and its password file, made to match, so that
/// the first start after `dpkg -i` needs no hand-made secret.
@Suite("classgate broker add-agent", .serialized)
struct BrokerAddAgentTests {
  @Test func theAgentLogsInWithTheAccountAndFileItMade() throws {
    let files = TemporaryDirectory(prefix: "classgate-add-agent")
    defer { files.remove() }
    chmod(files.path, 0o755)
    let brokerPasswords = files.file("classgate.passwd")
    let agentPassword = files.file("broker.pass")
    let made = try runClassgate([
      "broker", "add-agent", "--password-file", brokerPasswords, "--agent-password-file", agentPassword,
      "--user", "root",
    ])
    #expect(made.status == 0, "\(made.stderr)")
    let secret = try String(contentsOfFile: agentPassword, encoding: .utf8)
    #expect(secret.count == 25 && secret.hasSuffix("\n"))
    #expect(!made.stdout.contains(secret.dropLast()), "the password must not be printed")
    let mode = try FileManager.default.attributesOfItem(atPath: agentPassword)[.posixPermissions] as? Int
    #expect(mode == 0o600)
    #expect(try String(contentsOfFile: brokerPasswords, encoding: .utf8).hasPrefix("classgate:"))

    chmod(brokerPasswords, 0o644)
    let broker = try Broker(
      extraConfig: """
        allow_anonymous false
        password_file \(brokerPasswords)
        acl_file \(BrokerSecurityTests.systemd)/mosquitto-classgate.acl
        """)
    let config = try files.write(
      "classgate.toml",
      """
      school_id = "agent-account"
      [local_broker]
      port = \(broker.port)
      username = "classgate"
      password_file = "\(agentPassword)"
      [store]
      path = "\(files.file("classgate.db"))"
      """)
    let agent = AgentProcess(configPath: config, logPath: files.file("agent.log"))
    try agent.start()
    defer { agent.stop(signal: SIGKILL) }
    #expect(waitUntil(timeout: 10) { agent.log.contains("Subscribed") }, "\(agent.log)")
  }
}
