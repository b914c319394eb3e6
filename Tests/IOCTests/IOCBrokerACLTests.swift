import Foundation
import PostgresClient
import TestSupport
import Testing

/// The shipped IOC broker sample (Systemd/mosquitto-ioc.conf and .acl) with a real mosquitto: the
/// receiver reads every school through a shared subscription, a school writes only its own prefix.
@Suite("IOC broker ACL", .serialized)
struct IOCBrokerACLTests {
  static let systemd = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../Systemd").standardized.path

  /// The shipped sample, with the test's paths and port, as a running mosquitto.
  static func sampleBroker(pki: TemporaryDirectory, in directory: TemporaryDirectory) throws -> (
    port: Int32, broker: ChildProcess
  ) {
    let port = freeLoopbackPort()
    let acl = try String(contentsOfFile: "\(Self.systemd)/mosquitto-ioc.acl", encoding: .utf8)
    let aclPath = try directory.write("ioc.acl", acl)
    let config = try String(contentsOfFile: "\(Self.systemd)/mosquitto-ioc.conf", encoding: .utf8)
      .replacingOccurrences(of: "/etc/mosquitto/ioc.acl", with: aclPath)
      .replacingOccurrences(of: "listener 8883", with: "listener \(port) 127.0.0.1")
      .replacingOccurrences(of: "/etc/mosquitto/tls/ioc-broker.crt", with: pki.file("ioc-server.pem"))
      .replacingOccurrences(of: "/etc/mosquitto/tls/ioc-broker.key", with: pki.file("ioc-server.key"))
      .replacingOccurrences(of: "/etc/mosquitto/tls/schools-ca.crt", with: pki.file("ioc-ca.pem"))
      .replacingOccurrences(of: "persistence true", with: "persistence false")
    let configPath = try directory.write("ioc.conf", config)
    let broker = try ChildProcess(
      executable: Broker.executable, arguments: ["-c", configPath], environment: [:],
      outputPath: directory.file("mosquitto.log"))
    guard waitUntil(timeout: 10, { isListening(port: port) }) else {
      broker.signal(SIGKILL)
      throw TestFailure("the sample IOC broker did not start")
    }
    return (port, broker)
  }

  @Test func aSchoolWritesOnlyUnderItsOwnPrefix_andTheReceiverReadsThroughASharedSubscription() throws {
    let harness = try IOCHarness()
    let directory = TemporaryDirectory(prefix: "classgate-ioc-acl")
    chmod(directory.path, 0o755)
    defer { directory.remove() }
    let pki = harness.pki
    let (port, broker) = try Self.sampleBroker(pki: pki, in: directory)
    defer { broker.signal(SIGKILL) }

    // The receiver (CN ingest.ioc) on the sample broker, in a share group.
    let receiver = try harness.receiver(shareGroup: "ioc-ingest")
    let receiverConfig = try String(contentsOfFile: receiver.configPath, encoding: .utf8)
      .replacingOccurrences(of: "port = \(harness.tlsPort)", with: "port = \(port)")
    try receiverConfig.write(toFile: receiver.configPath, atomically: true, encoding: .utf8)
    try receiver.startAndWaitForSubscriptions()

    // The school's certificate has CN test-school (make-pki.sh): it may write its own prefix only.
    func publish(as school: String) throws -> CommandResult {
      let payload = events(school: school, count: 1, firstSeq: 7)[0].payload
      let file = try directory.write("payload-\(school).json", payload)
      return try runShell(
        "mosquitto_pub -V mqttv5 -h 127.0.0.1 -p \(port) --cafile '\(pki.file("ioc-ca.pem"))' "
          + "--cert '\(pki.file("ioc-client.pem"))' --key '\(pki.file("ioc-client.key"))' -q 1 "
          + "-t 'ioc/v1/schools/\(school)/events' -f '\(file)' 2>&1")
    }
    _ = try publish(as: "test-school")
    _ = try publish(as: "another-school")
    let database = try harness.connect()
    #expect(
      try waitUntil(timeout: 15) { try harness.count("SELECT count(*) FROM event", on: database) >= 1 },
      "\(receiver.log.suffix(2000))")
    // Time for the other one to arrive, were it let through.
    Thread.sleep(forTimeInterval: 1)
    let schools = try database.query("SELECT DISTINCT school_id FROM event").map { $0["school_id"] }
    #expect(schools == ["test-school"])
  }

  /// Commands: only the operator (CN operator.ioc) writes them, and each school reads only its
  /// own; the answers go the other way.
  @Test func onlyTheOperatorCommands_andASchoolReadsOnlyItsOwnCommands() throws {
    let pki = TemporaryDirectory(prefix: "classgate-ioc-acl-pki")
    let directory = TemporaryDirectory(prefix: "classgate-ioc-acl")
    chmod(pki.path, 0o755)
    chmod(directory.path, 0o755)
    defer {
      pki.remove()
      directory.remove()
    }
    try makePKI(in: pki.path, name: "ioc", clientDays: 365, client: "test-school")
    try makeClientCertificate(in: pki.path, name: "ioc", commonName: "operator.ioc", file: "operator")
    try makeClientCertificate(in: pki.path, name: "ioc", commonName: "ingest.ioc", file: "ingest")
    let (port, broker) = try Self.sampleBroker(pki: pki, in: directory)
    defer { broker.signal(SIGKILL) }
    func tls(_ identity: String) -> String {
      "-h 127.0.0.1 -p \(port) --cafile '\(pki.file("ioc-ca.pem"))' --cert '\(pki.file("\(identity).pem"))' "
        + "--key '\(pki.file("\(identity).key"))'"
    }
    // Retained, so a reader that subscribes later still gets what was let through.
    func publish(as identity: String, _ topic: String, _ payload: String) throws {
      _ = try runShell(
        "mosquitto_pub -V mqttv311 \(tls(identity)) -q 1 -r -t '\(topic)' -m '\(payload)' 2>&1")
    }
    func read(as identity: String, _ topic: String) throws -> [String] {
      // SIGKILL after 3 s: over TLS, this mosquitto_sub's own -W timeout does not always fire.
      try runShell(
        "timeout -s KILL 3 mosquitto_sub -V mqttv311 \(tls(identity)) -q 1 -t '\(topic)' 2>/dev/null"
      ).stdout
        .split(separator: "\n").map(String.init).filter { !$0.contains("Killed") }  // bash's note
    }
    let school = "ioc-client"  // CN test-school
    try publish(as: school, "ioc/v1/schools/test-school/commands", "self-command")
    try publish(as: school, "ioc/v1/schools/another-school/commands", "cross-command")
    try publish(as: "operator", "ioc/v1/schools/another-school/commands", "operator-command")
    try publish(as: school, "ioc/v1/schools/test-school/responses", "school-answer")
    try publish(as: school, "ioc/v1/schools/another-school/responses", "forged-answer")
    // Every uplink topic the agent writes (docs/uplink.md) is still let through.
    for suffix in ["summaries/window", "summaries/day", "summaries/lessons", "events", "presence"] {
      try publish(as: school, "ioc/v1/schools/test-school/\(suffix)", "uplink-\(suffix)")
    }

    // A school cannot command itself nor another school; the operator can.
    #expect(try read(as: "ingest", "ioc/v1/schools/+/commands") == ["operator-command"])
    // A school cannot read another school's commands, and reads its own.
    #expect(try read(as: school, "ioc/v1/schools/another-school/commands").isEmpty)
    try publish(as: "operator", "ioc/v1/schools/test-school/commands", "for-test-school")
    #expect(try read(as: school, "ioc/v1/schools/test-school/commands") == ["for-test-school"])
    // The operator reads the answers, only the school's own; it cannot write uplink topics.
    #expect(try read(as: "operator", "ioc/v1/schools/+/responses") == ["school-answer"])
    try publish(as: "operator", "ioc/v1/schools/test-school/events", "operator-event")
    let uplink = try read(as: "ingest", "ioc/v1/schools/test-school/#").sorted()
    #expect(
      uplink == [
        "for-test-school", "school-answer", "uplink-events", "uplink-presence", "uplink-summaries/day",
        "uplink-summaries/lessons", "uplink-summaries/window",
      ])
  }
}
