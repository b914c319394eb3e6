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
      Self.command("ping", id: "big-1", extra: #","pad":"\#(String(repeating: "x", count: 17_000))""#),
    ])
    let refusals = Array(setup.waitForResponses(before + 7).dropFirst(before))
    let reasons = refusals.map {
      ($0["request_id"] as? String ?? "null", ($0["reason"] as? String ?? "").prefix { $0 != ":" })
    }
    #expect(refusals.allSatisfy { $0["status"] as? String == "refused" }, "\(refusals)")
    #expect(reasons.map(\.0) == ["null", "u-1", "u-2", "x-1", "a-1", "a-2", "null"], "\(reasons)")
    #expect(
      reasons.map { String($0.1) } == [
        "bad_json", "bad_field", "unknown_command", "expired", "bad_args", "bad_args", "too_large",
      ])

    // A redelivered request id gets the first answer again, and is not run again.
    let twice = Self.command("ping", id: "dup-1")
    try setup.publishRaw([twice, twice])
    let repeats = setup.waitForResponses(before + 9).filter { $0["request_id"] as? String == "dup-1" }
    #expect(repeats.count == 2)
    #expect(repeats.first?["time_ms"] as? Int == repeats.last?["time_ms"] as? Int)
    #expect(
      waitUntil(timeout: 5) {
        harness.agent.log.contains("outcome=duplicate") && harness.agent.log.contains("request_id=dup-1")
      })

    // 6 a minute: two taken (ping, dup-1); of 8 more at once, at most 4 (+1 refilled) run.
    try setup.publishRaw((1...8).map { Self.command("ping", id: "burst-\($0)") })
    let burst = setup.waitForResponses(before + 17).filter {
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
          && text.contains(#"classgate_commands_total{command="unknown",outcome="refused"} 4"#)
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

  @Test func resendADayYieldsRevisedSummariesWithNewSeqs() throws {
    let setup = try Setup()
    let observer = setup.scenario.observer
    // Yesterday's readings (a device flushing its buffer): its windows and day are summarised.
    let yesterday = (nowMillis() / 300_000 - 26 * 12) * 300_000
    let publisher = try setup.scenario.harness.publisher()
    try publisher.publish(
      (0..<10).map { minute in
        (
          "classgate/101/env_sensor/env-101/telemetry",
          "{\"ts\":\(yesterday + Int64(minute) * 60_000),\"co2\":\(900 + minute * 10)}"
        )
      })
    #expect(observer.pump(for: 60) { !$0.documents(endingWith: "/summaries/day").isEmpty })
    let original = try #require(observer.documents(endingWith: "/summaries/day").first)
    let date = try #require((original["period"] as? [String: Any])?["date"] as? String)
    let originalSeq = try #require(original["seq"] as? Int)
    let windowsBefore = observer.documents(endingWith: "/summaries/window")

    // A span in the future is refused.
    let now = nowMillis()
    let (future, later) = try setup.send([
      "resend", "--from", "\(now + 3_600_000)", "--to", "\(now + 7_200_000)",
    ])
    #expect(future.status == 1 && (later["reason"] as? String)?.hasPrefix("future:") == true, "\(later)")

    let (resend, answer) = try setup.send(["resend", "--day", date])
    #expect(resend.status == 0, "\(answer) \(resend.stderr)")
    #expect((answer["result"] as? [String: Any])?["windows"] as? Int ?? 0 >= 2, "\(answer)")
    // One resend at a time: the day is still being re-summarised.
    let (second, busy) = try setup.send(["resend", "--day", date])
    #expect(second.status == 1)
    #expect((busy["reason"] as? String)?.hasPrefix("rate_limited:") == true, "\(busy)")

    #expect(
      observer.pump(for: 60) {
        $0.documents(endingWith: "/summaries/day").contains { $0["revision"] as? Int ?? 0 >= 1 }
      })
    let revised = try #require(
      observer.documents(endingWith: "/summaries/day").first { $0["revision"] as? Int ?? 0 >= 1 })
    #expect((revised["period"] as? [String: Any])?["date"] as? String == date)
    #expect(revised["seq"] as? Int ?? 0 > originalSeq)
    // Its windows came again first, each as the next revision with a higher seq.
    let windowsAfter = observer.documents(endingWith: "/summaries/window").filter {
      $0["revision"] as? Int ?? 0 >= 1
    }
    #expect(!windowsAfter.isEmpty)
    for window in windowsAfter {
      let start = (window["period"] as? [String: Any])?["start_ms"] as? Int
      let first = windowsBefore.first { ($0["period"] as? [String: Any])?["start_ms"] as? Int == start }
      #expect(window["seq"] as? Int ?? 0 > first?["seq"] as? Int ?? .max, "\(window)")
    }
    let file = setup.scenario.harness.directory.file("ioc.tsv")
    try observer.write(to: file)
    let validation = try runShell("python3 scripts/validate-uplink.py '\(file)' 2>&1")
    #expect(validation.status == 0, "\(validation.stdout)")
  }

  @Test func resendASeqRangeRepublishesTheHeldRowsAsTheyWere() throws {
    let setup = try Setup()
    let observer = setup.scenario.observer
    let publisher = try setup.scenario.harness.publisher()
    try setup.scenario.flipStatus(devices: 3, rounds: 1, publisher: publisher)
    let state = try setup.scenario.waitUntilDrained(minimum: 3)
    let lastSeq = try #require(state["last_seq"] as? Int)
    func copies(of seq: Int) -> [String] {
      observer.received.filter { !$0.topic.hasSuffix("/presence") && !$0.topic.hasSuffix("/responses") }
        .map { String(decoding: $0.payload, as: UTF8.self) }
        .filter { $0.contains("\"seq\":\(seq),") }
    }
    #expect((1...lastSeq).allSatisfy { copies(of: $0).count == 1 })

    let (resend, answer) = try setup.send(["resend", "--seq", "1-\(lastSeq)"])
    #expect(resend.status == 0, "\(answer) \(resend.stderr)")
    let result = answer["result"] as? [String: Any] ?? [:]
    #expect(result["requeued"] as? Int == lastSeq, "\(result)")
    #expect(result["missing"] as? Int == 0)
    #expect(observer.pump(for: 30) { _ in (1...lastSeq).allSatisfy { copies(of: $0).count >= 2 } })
    for seq in 1...lastSeq {
      #expect(Set(copies(of: seq)).count == 1, "seq \(seq) came back with another payload")
    }
    _ = try setup.scenario.waitUntilDrained(minimum: lastSeq)
    // Beyond the last seq: refused.
    let (beyond, refusal) = try setup.send(["resend", "--seq", "\(lastSeq + 1)-\(lastSeq + 5)"])
    #expect(beyond.status == 1 && (refusal["reason"] as? String)?.hasPrefix("future:") == true, "\(refusal)")
  }

  @Test func reportReturnsTheDoctorJSONWithoutStallingIngest() throws {
    let setup = try Setup()
    let harness = setup.scenario.harness
    let (report, answer) = try setup.send(["report", "--timeout", "90"])
    #expect(report.status == 0, "\(answer) \(report.stderr)\n\(harness.agent.log.suffix(2000))")
    let result = answer["result"] as? [String: Any] ?? [:]
    let checks = result["checks"] as? [[String: Any]] ?? []
    #expect(["OK", "WARN", "FAIL"].contains(result["status"] as? String ?? ""), "\(result)")
    #expect(checks.count >= 5, "\(result)")
    #expect(checks.allSatisfy { $0["name"] is String && $0["status"] is String && $0["detail"] is String })
    #expect(checks.contains { $0["name"] as? String == "ioc" }, "\(checks.map { $0["name"] ?? "" })")
    // The text form prints the checks as doctor does.
    let text = try runExecutable(
      classgateIOCExecutable, ["send", "test-school", "report", "--config", setup.operatorConfig])
    #expect(text.stdout.hasPrefix("ok report") && text.stdout.contains("ioc"), "\(text.stdout)")
    // Ingest went on meanwhile.
    let publisher = try harness.publisher()
    try publisher.publish(topic: "classgate/101/env_sensor/env-9/telemetry", payload: "{\"co2\":777}")
    #expect(
      try waitUntil(timeout: 10) { try harness.cli(["device", "env-9", "--json"]).stdout.contains("777") })
  }
}
