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

  @Test func aSchoolWritesOnlyUnderItsOwnPrefix_andTheReceiverReadsThroughASharedSubscription() throws {
    let harness = try IOCHarness()
    let directory = TemporaryDirectory(prefix: "classgate-ioc-acl")
    chmod(directory.path, 0o755)
    defer { directory.remove() }
    let port = freeLoopbackPort()
    let pki = harness.pki
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
    defer { broker.signal(SIGKILL) }
    #expect(waitUntil(timeout: 10) { isListening(port: port) })

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
}
