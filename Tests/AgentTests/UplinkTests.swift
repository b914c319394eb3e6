import Buffer
import Foundation
import TestSupport
import Testing

/// The uplink against a second real mosquitto standing in for the IOC: TLS with client
/// certificates made by openssl, an observer subscribed on the IOC side, outages and kills.
@Suite("uplink to the IOC", .serialized)
struct UplinkTests {
  /// An IOC broker (TLS listener with client certificates, plus a plain one for the observer)
  /// and an agent configured to send to it.
  final class Scenario: @unchecked Sendable {
    let pki = TemporaryDirectory(prefix: "classgate-pki")
    let ioc: Broker
    let tlsPort = freeLoopbackPort()
    let harness: AgentHarness
    let observer: IOCObserver
    let secret = "0123456789abcdef0123456789abcdef"

    init(
      ca: String = "ioc-ca.pem", client: String = "ioc", expiredClient: Bool = false,
      storeConfig: String = "", iocBrokerConfig: String = "", iocConfig: String = ""
    ) throws {
      chmod(pki.path, 0o755)
      try makePKI(in: pki.path, name: "ioc", clientDays: 365, client: "test-school")
      try makePKI(in: pki.path, name: "rogue", clientDays: expiredClient ? 0 : 365, client: "test-school")
      if expiredClient {
        // An expired certificate from the right CA: sign the rogue request with the IOC's CA.
        let result = try runShell(
          "cd '\(pki.path)' && openssl x509 -req -in rogue-client.csr -CA ioc-ca.pem -CAkey ioc-ca.key -CAcreateserial -out expired-client.pem -days -1 2>&1 && cp rogue-client.key expired-client.key && chmod 600 expired-client.key"
        )
        guard result.status == 0 else { throw TestFailure(result.stdout) }
      }
      ioc = try Broker(extraConfig: tlsListenerConfig(port: tlsPort, pki: pki) + "\n" + iocBrokerConfig)
      observer = try IOCObserver(port: ioc.port)
      observer.pump(for: 1)
      let secretFile = try pki.write("card.secret", secret, mode: 0o600)
      let clientName = expiredClient ? "expired" : client
      harness = try AgentHarness(
        config: """
          \(storeConfig)

          [privacy]
          secret_file = "\(secretFile)"

          [metrics]
          textfile = "\(pki.file("classgate.prom"))"

          [rollup]
          grace_s = 0

          [ioc]
          host = "127.0.0.1"
          port = \(tlsPort)
          ca_file = "\(pki.file(ca))"
          cert_file = "\(pki.file("\(clientName)-client.pem"))"
          key_file = "\(pki.file("\(clientName)-client.key"))"
          reconnect_min_ms = 100
          reconnect_max_ms = 400
          presence_interval_s = 5
          \(iocConfig)
          """)
    }

    func uplink() throws -> [String: Any] {
      let result = try harness.cli(["uplink", "--json"])
      return try #require(
        try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
        "\(result.stdout)")
    }

    /// Waits until the agent has queued at least `minimum` messages and the IOC acknowledged all.
    func waitUntilDrained(minimum: Int, timeout: Double = 60) throws -> [String: Any] {
      var last: [String: Any] = [:]
      let drained = try waitUntil(timeout: timeout) {
        observer.pump(for: 0.2)
        last = try uplink()
        let lastSeq = last["last_seq"] as? Int ?? 0
        return lastSeq >= minimum && last["queue_depth"] as? Int == 0
          && last["last_acked_seq"] as? Int == lastSeq
      }
      guard drained else { throw TestFailure("not drained: \(last)\nlog:\n\(harness.agent.log)") }
      // What was acknowledged is on its way to the observer too.
      let lastSeq = last["last_seq"] as? Int ?? 0
      observer.pump(for: 10) { Set($0.seqs()).count >= lastSeq }
      return last
    }

    /// Every seq 1…last arrived; returns how many arrived more than once.
    func checkComplete(lastSeq: Int) -> (missing: [Int], duplicates: Int) {
      let seen = observer.seqs()
      let unique = Set(seen)
      let missing = (1...max(1, lastSeq)).filter { !unique.contains($0) }
      return (missing, seen.count - unique.count)
    }

    /// Within each lane, first arrivals are in increasing seq order.
    func lanesInOrder() -> Bool {
      ["/summaries/", "/events"].allSatisfy { lane in
        var seen = Set<Int>()
        let firsts = observer.seqs(lane: lane).filter { seen.insert($0).inserted }
        return firsts == firsts.sorted()
      }
    }

    /// Status flips: every change is one event on the IOC's events topic.
    func flipStatus(devices: Int, rounds: Int, publisher: TestPublisher) throws {
      for round in 0..<rounds {
        let messages = (0..<devices).map { index in
          (
            topic: "classgate/10\(index % 3)/board/board-\(index)/status",
            payload: round % 2 == 0 ? "online" : "offline"
          )
        }
        try publisher.publish(messages, retain: true)
      }
    }

    deinit {
      observer.close()
      pki.remove()
    }
  }

  @Test func summariesEventsAndPresenceArriveValidAndWithoutCardIDs() throws {
    let scenario = try Scenario()
    try scenario.harness.startAgent()
    let publisher = try scenario.harness.publisher()
    // Data from yesterday (a device flushing its buffer): those windows and that day are closed,
    // so they are summarised at once, by the late-data rule.
    let hourAgo = (nowMillis() / 300_000 - 26 * 12) * 300_000
    var messages: [(topic: String, payload: String)] = []
    for minute in 0..<10 {
      let ts = hourAgo + Int64(minute) * 60_000
      messages.append(
        (
          "classgate/101/env_sensor/env-101/telemetry",
          "{\"ts\":\(ts),\"co2\":\(900 + minute * 50),\"temperature\":30}"
        ))
      messages.append(
        (
          "classgate/101/board/board-101/telemetry",
          "{\"ts\":\(ts),\"power_on\":\(minute < 6 ? "true" : "false"),\"active\":true}"
        ))
      messages.append(
        (
          "classgate/101/attendance_reader/door-101/event",
          "{\"type\":\"card_scan\",\"ts\":\(ts),\"card\":\"04A1B2C3D4\"}"
        ))
    }
    try publisher.publish(messages)
    // A CO2 level above 1000 ppm now: a threshold alert.
    try publisher.publish(topic: "classgate/101/env_sensor/env-101/telemetry", payload: "{\"co2\":1500}")
    #expect(
      scenario.observer.pump(for: 30) {
        $0.documents(endingWith: "/summaries/window").count >= 2
          && !$0.documents(endingWith: "/summaries/day").isEmpty
      })
    let state = try scenario.waitUntilDrained(minimum: 3)
    // Only yesterday's windows: the window holding the 1500 ppm reading of now is summarised too
    // if the test runs past its end (a flake of one reading too many under load).
    let windows = scenario.observer.documents(endingWith: "/summaries/window").filter {
      (($0["period"] as? [String: Any])?["start_ms"] as? Int).map { Int64($0) < hourAgo + 600_000 } ?? false
    }
    #expect(!windows.isEmpty)
    let allDevices = windows.flatMap { ($0["devices"] as? [[String: Any]]) ?? [] }
    let env = allDevices.filter { $0["id"] as? String == "env-101" }
    let co2Counts = env.compactMap {
      (($0["metrics"] as? [String: Any])?["co2"] as? [String: Any])?["count"] as? Int
    }
    #expect(co2Counts.reduce(0, +) == 10, "\(env)")
    let door = allDevices.filter { $0["id"] as? String == "door-101" }
    #expect(door.compactMap { $0["scans"] as? Int }.reduce(0, +) == 10)
    #expect(door.allSatisfy { $0["distinct_cards"] as? Int ?? 0 <= 1 })
    let alerts = scenario.observer.documents(endingWith: "/events").compactMap {
      $0["event"] as? [String: Any]
    }
    .filter { $0["type"] as? String == "threshold_alert" }
    #expect(alerts.contains { $0["metric"] as? String == "co2" && $0["state"] as? String == "above" })
    // Presence is retained and says online.
    scenario.observer.pump(for: 6) { !$0.documents(endingWith: "/presence").isEmpty }
    #expect(scenario.observer.documents(endingWith: "/presence").last?["online"] as? Bool == true)
    // …and whether the agent trusts its clock (this machine's NTP status decides it here).
    let clock = scenario.observer.documents(endingWith: "/presence").last?["clock"] as? [String: Any]
    #expect(clock?["trusted"] is Bool && clock?.keys.contains("reason") == true, "\(clock ?? [:])")

    let (missing, _) = scenario.checkComplete(lastSeq: state["last_seq"] as? Int ?? 0)
    #expect(missing.isEmpty)
    // The card id never leaves the school, and is not in the store either.
    for message in scenario.observer.received {
      #expect(!String(decoding: message.payload, as: UTF8.self).contains("04A1B2C3D4"))
    }
    let store = try Data(contentsOf: URL(fileURLWithPath: scenario.harness.storePath))
    #expect(store.range(of: Data("04A1B2C3D4".utf8)) == nil)
    // Every message validates against the schemas in schemas/.
    let file = scenario.harness.directory.file("ioc.tsv")
    try scenario.observer.write(to: file)
    let validation = try runShell("python3 scripts/validate-uplink.py '\(file)' 2>&1")
    #expect(validation.status == 0, "\(validation.stdout)")
  }

  @Test func anIOCOutageUnderSteadyTrafficLosesNoSeq() throws {
    let scenario = try Scenario()
    try scenario.harness.startAgent()
    let publisher = try scenario.harness.publisher()
    try scenario.flipStatus(devices: 10, rounds: 4, publisher: publisher)
    _ = try scenario.waitUntilDrained(minimum: 40)

    scenario.ioc.stop()
    let outageStart = Date()
    try scenario.flipStatus(devices: 10, rounds: 20, publisher: publisher)
    // Status changes are queued for the IOC every few seconds (uplink events, one transaction).
    var during: [String: Any] = [:]
    _ = waitUntil(timeout: 15) {
      during = (try? scenario.uplink()) ?? [:]
      return (during["queue_depth"] as? Int ?? 0) >= 150
    }
    #expect(during["connected"] as? Bool == false)
    #expect((during["queue_depth"] as? Int ?? 0) >= 150, "\(during)")
    // The agent keeps running and says so: metrics and doctor.
    #expect(
      waitUntil(timeout: 10) {
        let text = (try? String(contentsOfFile: scenario.pki.file("classgate.prom"), encoding: .utf8)) ?? ""
        return text.contains("classgate_uplink_connected 0")
          && !text.contains("classgate_uplink_queue_messages 0\n")
      })
    let doctor = try runClassgate([
      "doctor", "--config", scenario.harness.directory.file("classgate.toml"), "--service-user",
      "nobody-such-user",
    ])
    #expect(doctor.stdout.contains("agent not connected to the IOC"), "\(doctor.stdout)")
    try scenario.ioc.start()
    let outage = Date().timeIntervalSince(outageStart)
    try scenario.flipStatus(devices: 10, rounds: 2, publisher: publisher)
    let state = try scenario.waitUntilDrained(minimum: 260)
    let lastSeq = state["last_seq"] as? Int ?? 0
    let (missing, duplicates) = scenario.checkComplete(lastSeq: lastSeq)
    #expect(missing.isEmpty, "missing \(missing.count) of \(lastSeq) after a \(outage) s outage")
    #expect(scenario.lanesInOrder())
    // Every seq was acknowledged once at least, and the outage shows as a reconnect.
    let metricsFile = scenario.pki.file("classgate.prom")
    #expect(
      waitUntil(timeout: 10) {
        let text = (try? String(contentsOfFile: metricsFile, encoding: .utf8)) ?? ""
        let acknowledged = MetricsTests.sample(text, "classgate_uplink_messages_acknowledged_total") ?? 0
        let sent = MetricsTests.sample(text, "classgate_uplink_messages_sent_total") ?? 0
        return acknowledged >= Double(lastSeq) && sent >= acknowledged
          && (MetricsTests.sample(text, "classgate_uplink_reconnects_total") ?? 0) >= 1
      })
    print(
      "IOC outage \(String(format: "%.1f", outage)) s: \(lastSeq) seqs, missing \(missing.count), duplicates \(duplicates)"
    )
  }

  @Test func sigkillMidDrainLosesNoSeq() throws {
    let scenario = try Scenario()
    try scenario.harness.startAgent()
    let publisher = try scenario.harness.publisher()
    scenario.ioc.stop()
    try scenario.flipStatus(devices: 20, rounds: 30, publisher: publisher)
    #expect(try waitUntil(timeout: 20) { (try scenario.uplink()["last_seq"] as? Int ?? 0) >= 600 })
    try scenario.ioc.start()
    // Kill as soon as the drain has started but is not finished.
    let started = try waitUntil(timeout: 30) {
      let acked = try scenario.uplink()["last_acked_seq"] as? Int ?? 0
      return acked > 0
    }
    scenario.harness.agent.stop(signal: SIGKILL)
    let atKill = try scenario.uplink()
    #expect(started)
    #expect((atKill["queue_depth"] as? Int ?? 0) > 0, "drain already finished before the kill: \(atKill)")
    try scenario.harness.startAgent()
    let state = try scenario.waitUntilDrained(minimum: 600)
    let (missing, duplicates) = scenario.checkComplete(lastSeq: state["last_seq"] as? Int ?? 0)
    #expect(missing.isEmpty)
    print(
      "SIGKILL mid-drain at \(atKill["queue_depth"] ?? 0) queued: missing \(missing.count), duplicates \(duplicates)"
    )
  }

  @Test(arguments: ["wrong CA", "wrong client certificate", "expired client certificate"])
  func aBadCertificateIsAClearErrorAndLosesNothing(_ problem: String) throws {
    let scenario =
      switch problem {
      case "wrong CA": try Scenario(ca: "rogue-ca.pem")
      case "wrong client certificate": try Scenario(client: "rogue")
      default: try Scenario(expiredClient: true)
      }
    try scenario.harness.startAgent()
    let publisher = try scenario.harness.publisher()
    try scenario.flipStatus(devices: 5, rounds: 2, publisher: publisher)
    var state: [String: Any] = [:]
    #expect(
      try waitUntil(timeout: 20) {
        state = try scenario.uplink()
        return (state["last_seq"] as? Int ?? 0) >= 10 && state["last_error"] is String
      }, "\(state)")
    #expect(state["connected"] as? Bool == false)
    #expect(state["last_acked_seq"] is NSNull)
    #expect(state["queue_depth"] as? Int == state["last_seq"] as? Int)
    #expect(scenario.observer.seqs().isEmpty)
    let error = state["last_error"] as? String ?? ""
    #expect(
      error.contains(problem == "wrong CA" ? "ioc.ca_file" : "client certificate"), "\(error)")
    let text = try scenario.harness.cli(["uplink"]).stdout
    #expect(text.contains("NOT connected"))
  }
}
