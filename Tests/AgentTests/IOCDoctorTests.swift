import Foundation
import TestSupport
import Testing

/// `classgate doctor` against a second mosquitto with TLS and client certificates, standing in for
/// the operations centre; certificates made by openssl in the test.
@Suite("doctor: the IOC's TLS", .serialized)
struct IOCDoctorTests {

  func doctor(_ config: String) throws -> [String: (status: String, detail: String)] {
    let result = try runClassgate([
      "doctor", "--config", config, "--json", "--service-user", "nobody-such-user",
    ])
    let document = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let items = try #require(document["checks"] as? [[String: Any]])
    return Dictionary(
      uniqueKeysWithValues: items.map {
        ($0["name"] as? String ?? "", ($0["status"] as? String ?? "", $0["detail"] as? String ?? ""))
      })
  }

  @Test func tlsHandshakeChainAndExpiryAreCheckedAndAWrongCAFails() throws {
    let pki = TemporaryDirectory(prefix: "classgate-pki")
    defer { pki.remove() }
    chmod(pki.path, 0o755)
    try makePKI(in: pki.path, name: "ioc", clientDays: 10)
    try makePKI(in: pki.path, name: "rogue", clientDays: 365)
    let tlsPort = freeLoopbackPort()
    let harness = try AgentHarness(brokerConfig: tlsListenerConfig(port: tlsPort, pki: pki))
    try harness.startAgent()
    let config = harness.directory.file("classgate.toml")
    func withIOC(ca: String) throws -> String {
      try harness.directory.write(
        "ioc-\(ca).toml",
        (try String(contentsOfFile: config, encoding: .utf8))
          + """

          [ioc]
          host = "127.0.0.1"
          port = \(tlsPort)
          ca_file = "\(pki.file(ca))"
          cert_file = "\(pki.file("ioc-client.pem"))"
          key_file = "\(pki.file("ioc-client.key"))"
          """)
    }

    let good = try doctor(try withIOC(ca: "ioc-ca.pem"))
    #expect(good["ioc"]?.status == "OK", "\(String(describing: good["ioc"]))")
    #expect(good["ioc.ca"]?.status == "OK" && good["ioc.ca"]?.detail.contains("expires in 364 days") == true)
    // The client certificate runs out in 10 days: a warning, with the count.
    #expect(
      good["ioc.cert"]?.status == "WARN" && good["ioc.cert"]?.detail.contains("expires in 9 days") == true)

    let rogue = try doctor(try withIOC(ca: "rogue-ca.pem"))
    #expect(rogue["ioc"]?.status == "FAIL")
    #expect(rogue["ioc"]?.detail.contains("127.0.0.1:\(tlsPort)") == true)

    // A key other users can read is refused by the config itself.
    chmod(pki.file("ioc-client.key"), 0o644)
    let loose = try doctor(try withIOC(ca: "ioc-ca.pem"))
    #expect(loose["config"]?.status == "FAIL")
    #expect(
      loose["config"]?.detail.contains("ioc-client.key is readable by other users; run: chmod 600") == true)
  }
}
