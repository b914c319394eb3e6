import Foundation
import TestSupport
import Testing

/// Commands from the IOC over the agent's own TLS uplink: `classgate-ioc send` against a real
/// agent and a real IOC mosquitto, and raw publishes for what `send` would never produce.
@Suite("IOC commands", .serialized)
struct IOCCommandTests {
  /// The uplink scenario plus an operator certificate (CN operator.ioc) and a `classgate-ioc`
  /// configuration for `send`.
  final class Setup: @unchecked Sendable {
    let scenario: UplinkTests.Scenario
    let operatorConfig: String

    init(iocConfig: String = "") throws {
      scenario = try UplinkTests.Scenario(iocConfig: iocConfig)
      let pki = scenario.pki
      try makeClientCertificate(in: pki.path, name: "ioc", commonName: "operator.ioc", file: "operator")
      operatorConfig = try pki.write(
        "operator.toml",
        """
        [broker]
        host = "127.0.0.1"
        port = \(scenario.tlsPort)
        ca_file = "\(pki.file("ioc-ca.pem"))"
        cert_file = "\(pki.file("operator.pem"))"
        key_file = "\(pki.file("operator.key"))"
        """)
      try scenario.harness.startAgent()
      guard waitUntil(timeout: 20, { self.scenario.harness.occurrences(of: "Connected to the IOC") >= 1 })
      else {
        throw TestFailure("agent not connected to the IOC:\n\(scenario.harness.agent.log)")
      }
    }

    /// `classgate-ioc send test-school ARGS --json`, and its answer.
    func send(_ arguments: [String]) throws -> (result: CommandResult, answer: [String: Any]) {
      let result = try runExecutable(
        classgateIOCExecutable, ["send", "test-school"] + arguments + ["--json", "--config", operatorConfig])
      let answer = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any]
      return (result, answer ?? [:])
    }

    /// Publishes payloads as they are (one message a line) on the plain listener, as a
    /// misbehaving IOC tool could.
    func publishRaw(_ payloads: [String]) throws {
      let file = try scenario.pki.write(
        "raw-\(UUID().uuidString.prefix(8)).txt", payloads.joined(separator: "\n") + "\n")
      let result = try runShell(
        "mosquitto_pub -h 127.0.0.1 -p \(scenario.ioc.port) -q 1 -t ioc/v1/schools/test-school/commands -l < '\(file)' 2>&1"
      )
      guard result.status == 0 else { throw TestFailure("mosquitto_pub: \(result.stdout)") }
    }

    /// The answers the observer has seen, in arrival order.
    func responses() -> [[String: Any]] { scenario.observer.documents(endingWith: "/responses") }

    func waitForResponses(_ count: Int, timeout: Double = 20) -> [[String: Any]] {
      scenario.observer.pump(for: timeout) { $0.documents(endingWith: "/responses").count >= count }
      return responses()
    }
  }

  static func command(
    _ name: String, id: String, args: String = "{}", issued: Int64 = nowMillis(), extra: String = ""
  )
    -> String
  {
    #"{"schema":"classgate.command","schema_version":1,"request_id":"\#(id)","command":"\#(name)","issued_ms":\#(issued)\#(extra),"args":\#(args)}"#
  }

  @Test func pingRefusalsRateLimitAndRepeatsNeverStopIngestOrTheUplink() throws {
    let setup = try Setup()
    let harness = setup.scenario.harness
    let (ping, answer) = try setup.send(["ping"])
    #expect(ping.status == 0, "\(ping.stderr)\n\(harness.agent.log.suffix(2000))")
    #expect(answer["status"] as? String == "ok")
    #expect(answer["school_id"] as? String == "test-school")
    let result = answer["result"] as? [String: Any] ?? [:]
    #expect(result["version"] as? String == "0.1.0")
    #expect((result["stream"] as? String)?.count == 16)
    #expect(result["backlog"] is Int && result["last_seq"] is Int && result["uptime_s"] is Int, "\(result)")

    // What `send` never sends: each refused, with a reason, nothing run.
    let before = setup.waitForResponses(1).count
    try setup.publishRaw([
      "{not json",
      Self.command("reboot", id: "u-1", extra: #","shell":"rm -rf /""#),
      Self.command("reboot", id: "u-2"),
      Self.command("ping", id: "x-1", extra: #","expires_ms":\#(nowMillis() - 1000)"#),
      Self.command("resend", id: "a-1", args: #"{"day":"28/11/2026"}"#),
      Self.command("resend", id: "a-2", args: #"{"seq_from":1,"seq_to":2,"extra":true}"#),
    ])
    let refusals = Array(setup.waitForResponses(before + 6).dropFirst(before))
    let reasons = refusals.map {
      ($0["request_id"] as? String ?? "null", ($0["reason"] as? String ?? "").prefix { $0 != ":" })
    }
    #expect(refusals.allSatisfy { $0["status"] as? String == "refused" }, "\(refusals)")
    #expect(reasons.map(\.0) == ["null", "u-1", "u-2", "x-1", "a-1", "a-2"], "\(reasons)")
    #expect(
      reasons.map { String($0.1) } == [
        "bad_json", "bad_field", "unknown_command", "expired", "bad_args", "bad_args",
      ])

    // A redelivered request id gets the first answer again, and is not run again.
    let twice = Self.command("ping", id: "dup-1")
    try setup.publishRaw([twice, twice])
    let repeats = setup.waitForResponses(before + 8).filter { $0["request_id"] as? String == "dup-1" }
    #expect(repeats.count == 2)
    #expect(repeats.first?["time_ms"] as? Int == repeats.last?["time_ms"] as? Int)
    #expect(
      waitUntil(timeout: 5) {
        harness.agent.log.contains("outcome=duplicate") && harness.agent.log.contains("request_id=dup-1")
      })

    // 6 a minute: two taken (ping, dup-1); of 8 more at once, at most 4 (+1 refilled) run.
    try setup.publishRaw((1...8).map { Self.command("ping", id: "burst-\($0)") })
    let burst = setup.waitForResponses(before + 16).filter {
      ($0["request_id"] as? String)?.hasPrefix("burst-") == true
    }
    #expect(burst.count == 8)
    let limited = burst.filter { ($0["reason"] as? String)?.hasPrefix("rate_limited") == true }
    #expect((3...4).contains(limited.count), "\(burst)")

    // Ingest and the uplink went on: a reading stored, an event queued and acknowledged.
    let publisher = try harness.publisher()
    try publisher.publish(topic: "classgate/101/env_sensor/env-7/telemetry", payload: "{\"co2\":612}")
    try setup.scenario.flipStatus(devices: 2, rounds: 1, publisher: publisher)
    _ = try setup.scenario.waitUntilDrained(minimum: 1)
    #expect(
      try waitUntil(timeout: 10) {
        try harness.cli(["device", "env-7", "--json"]).stdout.contains("612")
      })

    // Logged at notice without the payload; counted in the metrics textfile.
    let log = harness.agent.log
    #expect(log.contains("IOC command") && log.contains("request_id=u-1") && log.contains("outcome=refused"))
    #expect(!log.contains("rm -rf"))
    let metrics = setup.scenario.pki.file("classgate.prom")
    #expect(
      waitUntil(timeout: 10) {
        let text = (try? String(contentsOfFile: metrics, encoding: .utf8)) ?? ""
        return text.contains(#"classgate_commands_total{command="ping",outcome="ok"}"#)
          && text.contains(#"classgate_commands_total{command="unknown",outcome="refused"} 3"#)
          && text.contains(#"classgate_commands_total{command="ping",outcome="duplicate"} 1"#)
      }, "\((try? String(contentsOfFile: metrics, encoding: .utf8)) ?? "")")

    // Every answer the IOC saw validates against schemas/ (the commands were broken on purpose).
    let file = harness.directory.file("ioc.tsv")
    let lines = setup.scenario.observer.received.filter { !$0.topic.hasSuffix("/commands") }.map {
      $0.topic + "\t" + String(decoding: $0.payload, as: UTF8.self)
    }
    try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
    let validation = try runShell("python3 scripts/validate-uplink.py '\(file)' 2>&1")
    #expect(validation.status == 0, "\(validation.stdout)")
  }

  @Test func sendExplainsARefusalAndATimeout() throws {
    let setup = try Setup()
    let (future, answer) = try setup.send(["resend", "--seq", "900000-900010"])
    #expect(future.status == 1)
    #expect(answer["status"] as? String == "refused")
    #expect((answer["reason"] as? String)?.hasPrefix("future:") == true, "\(answer)")
    let silent = try runExecutable(
      classgateIOCExecutable,
      ["send", "no-such-school", "ping", "--timeout", "2", "--config", setup.operatorConfig])
    #expect(silent.status == 2)
    #expect(silent.stderr.contains("no answer within 2 s"), "\(silent.stderr)")
    let usage = try runExecutable(
      classgateIOCExecutable, ["send", "test-school", "resend", "--config", setup.operatorConfig])
    #expect(usage.status != 0 && usage.stderr.contains("resend takes one of"), "\(usage.stderr)")
  }

  @Test func commandsOffMeansNotSubscribed() throws {
    let setup = try Setup(iocConfig: "commands = false")
    let (ping, _) = try setup.send(["ping", "--timeout", "3"])
    #expect(ping.status == 2, "\(ping.stdout)")
  }
}
