import Foundation
import TestSupport
import Testing

/// `classgate run --check` (what the package's postinst runs) refuses IOC TLS files that would
/// make every connection fail, naming the file and the key, with exit 78.
@Suite("run --check and the IOC's certificates", .serialized)
struct CheckCertificatesTests {
  final class Files: @unchecked Sendable {
    let pki = TemporaryDirectory(prefix: "classgate-check-pki")
    init() throws {
      try makePKI(in: pki.path, name: "ioc", clientDays: 365, client: "s1")
      try makePKI(in: pki.path, name: "rogue", clientDays: 365, client: "s1")
      let result = try runShell(
        "cd '\(pki.path)' && openssl x509 -req -in rogue-client.csr -CA ioc-ca.pem -CAkey ioc-ca.key -CAcreateserial -out expired-client.pem -days -1 2>&1"
          + " && openssl x509 -in ioc-ca.pem -outform DER -out ioc-ca.der 2>&1")
      guard result.status == 0 else { throw TestFailure(result.stdout) }
      _ = try pki.write("ca.txt", "not a certificate\n")
    }
    func file(_ name: String) -> String { pki.file(name) }

    /// `run --check` with these three files.
    func check(ca: String, cert: String, key: String) throws -> CommandResult {
      let config = try pki.write(
        "classgate-\(UUID().uuidString.prefix(6)).toml",
        """
        school_id = "s1"
        time_zone = "Asia/Ho_Chi_Minh"
        [ioc]
        host = "127.0.0.1"
        port = 8883
        ca_file = "\(file(ca))"
        cert_file = "\(file(cert))"
        key_file = "\(file(key))"
        """)
      return try runClassgate(["run", "--check", "--config", config])
    }
    deinit { pki.remove() }
  }

  let files: Files
  init() throws { files = try Files() }

  @Test func theIOCsOwnFilesPass() throws {
    let result = try files.check(ca: "ioc-ca.pem", cert: "ioc-client.pem", key: "ioc-client.key")
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("are valid"))
  }

  struct Case: Sendable, CustomTestStringConvertible {
    let name: String
    let ca: String
    let cert: String
    let key: String
    /// The config key and file the error must name, and words it must say.
    let configKey: String
    let file: String
    let words: String
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "expired client certificate", ca: "ioc-ca.pem", cert: "expired-client.pem",
      key: "rogue-client.key",
      configKey: "ioc.cert_file", file: "expired-client.pem", words: "expired"),
    Case(
      name: "client certificate from another CA", ca: "ioc-ca.pem", cert: "rogue-client.pem",
      key: "rogue-client.key", configKey: "ioc.cert_file", file: "rogue-client.pem",
      words: "was not issued by the CA in ioc.ca_file"),
    Case(
      name: "key that is not the certificate's", ca: "ioc-ca.pem", cert: "ioc-client.pem",
      key: "rogue-client.key",
      configKey: "ioc.key_file", file: "rogue-client.key", words: "is not the private key of ioc.cert_file"),
    Case(
      name: "CA file that is text", ca: "ca.txt", cert: "ioc-client.pem", key: "ioc-client.key",
      configKey: "ioc.ca_file", file: "ca.txt", words: "holds no PEM certificate"),
    Case(
      name: "CA file in DER", ca: "ioc-ca.der", cert: "ioc-client.pem", key: "ioc-client.key",
      configKey: "ioc.ca_file", file: "ioc-ca.der", words: "holds no PEM certificate"),
  ]

  @Test(arguments: cases)
  func aBadFileIsAConfigErrorNamingFileAndKey(_ entry: Case) throws {
    let result = try files.check(ca: entry.ca, cert: entry.cert, key: entry.key)
    #expect(result.status == 78, "\(result.stdout)\(result.stderr)")
    let line = result.stderr.split(separator: "\n").first { $0.contains("key '\(entry.configKey)'") }
    let text = try #require(line, "\(result.stderr)")
    #expect(text.contains(files.file(entry.file)), "\(text)")
    #expect(text.contains(entry.words), "\(text)")
    // One problem, reported once.
    #expect(result.stderr.components(separatedBy: "key '").count == 2, "\(result.stderr)")
  }

  @Test func doctorReportsTheChainAndKeyProblemsToo() throws {
    let broker = try Broker()
    let config = try files.pki.write(
      "doctor.toml",
      """
      school_id = "s1"
      time_zone = "Asia/Ho_Chi_Minh"
      [local_broker]
      host = "127.0.0.1"
      port = \(broker.port)
      [store]
      path = "\(files.file("doctor.db"))"
      [ioc]
      host = "127.0.0.1"
      port = \(freeLoopbackPort())
      ca_file = "\(files.file("ioc-ca.pem"))"
      cert_file = "\(files.file("rogue-client.pem"))"
      key_file = "\(files.file("ioc-client.key"))"
      """)
    let result = try runClassgate(["doctor", "--config", config])
    #expect(result.status == 1)
    let lines = result.stdout.split(separator: "\n")
    let chain = lines.first { $0.contains("ioc.chain") } ?? ""
    #expect(
      chain.hasPrefix("FAIL") && chain.contains("was not issued by the CA in ioc.ca_file"), "\(result.stdout)"
    )
    let key = lines.first { $0.contains("ioc.key ") } ?? ""
    #expect(
      key.hasPrefix("FAIL") && key.contains("is not the private key of ioc.cert_file"), "\(result.stdout)")
  }
}
