import Foundation
import TestSupport
import Testing

/// What the agent logs when a broker refuses or drops it says why in words, from the codes:
/// a wrong password, a second agent with the same client id, an IOC that never answers.
@Suite("Broker reasons in the agent's log", .serialized)
struct ReasonLoggingTests {
  /// A config for an agent of `school` on `port`, its own store in `directory`.
  func config(
    in directory: TemporaryDirectory, port: Int32, school: String = "test-school", extra: String = ""
  )
    throws -> String
  {
    try directory.write(
      "classgate.toml",
      """
      school_id = "\(school)"
      time_zone = "Asia/Ho_Chi_Minh"

      [local_broker]
      host = "127.0.0.1"
      port = \(port)
      reconnect_min_ms = 50
      reconnect_max_ms = 500
      \(extra)

      [store]
      path = "\(directory.file("classgate.db"))"
      """)
  }

  @Test func aWrongBrokerPasswordIsLoggedAsNotAuthorised() throws {
    let directory = TemporaryDirectory(prefix: "classgate-reason-password")
    defer { directory.remove() }
    chmod(directory.path, 0o755)
    let passwords = directory.file("passwd")
    #expect(try runShell("mosquitto_passwd -c -b '\(passwords)' classgate right-secret 2>&1").status == 0)
    chmod(passwords, 0o644)
    let broker = try Broker(extraConfig: "allow_anonymous false\npassword_file \(passwords)\n")
    let agent = AgentProcess(
      configPath: try config(in: directory, port: broker.port, extra: "username = \"classgate\""),
      logPath: directory.file("agent.log"), environment: ["CLASSGATE_LOCAL_BROKER_PASSWORD": "wrong-secret"])
    try agent.start()
    defer { agent.stop(signal: SIGKILL) }
    #expect(
      waitUntil(timeout: 10) { agent.log.contains("Local broker refused the connection") }, "\(agent.log)")
    let line =
      agent.log.split(separator: "\n").first { $0.contains("Local broker refused the connection") } ?? ""
    #expect(line.contains("not authorised / bad user name or password (reason code 135)"), "\(line)")
    #expect(!agent.log.contains("unknown reason"))
    #expect(!agent.log.contains("wrong-secret"), "the password must never be logged")
  }

  @Test func twoAgentsWithOneClientIDAreLoggedAsASessionTakenOver() throws {
    let broker = try Broker()
    let first = TemporaryDirectory(prefix: "classgate-reason-first")
    let second = TemporaryDirectory(prefix: "classgate-reason-second")
    defer {
      first.remove()
      second.remove()
    }
    // Two boxes configured with the same school_id: one client id at the broker, two stores.
    let agents = try [first, second].map {
      AgentProcess(
        configPath: try config(in: $0, port: broker.port, school: "same-school"),
        logPath: $0.file("agent.log"))
    }
    for agent in agents { try agent.start() }
    defer { for agent in agents { agent.stop(signal: SIGKILL) } }
    let phrase = "session taken over by another client with the same client id"
    #expect(
      waitUntil(timeout: 20) { agents.contains { $0.log.contains(phrase) } },
      "\(agents.map(\.log).joined(separator: "\n----\n"))")
    let line = agents.flatMap { $0.log.split(separator: "\n") }.first { $0.contains(phrase) } ?? ""
    #expect(line.contains("Disconnected from the local broker"), "\(line)")
  }

  @Test func anIOCThatNeverAnswersIsATimeoutNotAnUnknownError() throws {
    let pki = TemporaryDirectory(prefix: "classgate-reason-pki")
    defer { pki.remove() }
    try makePKI(in: pki.path, name: "ioc", clientDays: 365, client: "test-school")
    let blackHole = try Listener()
    let harness = try AgentHarness(
      config: """

        [ioc]
        host = "127.0.0.1"
        port = \(blackHole.port)
        ca_file = "\(pki.file("ioc-ca.pem"))"
        cert_file = "\(pki.file("ioc-client.pem"))"
        key_file = "\(pki.file("ioc-client.key"))"
        keepalive_s = 5
        reconnect_min_ms = 100
        reconnect_max_ms = 400
        """)
    try harness.startAgent()
    var lastError = ""
    #expect(
      try waitUntil(timeout: 20) {
        let result = try harness.cli(["uplink", "--json"])
        let state = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        lastError = state?["last_error"] as? String ?? ""
        return !lastError.isEmpty
      }, "\(harness.agent.log)")
    #expect(lastError.contains("timed out"), "\(lastError)")
    #expect(!lastError.contains("Unknown error"), "\(lastError)")
    #expect(harness.agent.log.contains("IOC link down"))
    #expect(!harness.agent.log.contains("Unknown error"), "\(harness.agent.log)")
  }
}
