import Foundation
import LibCrypto
import TestSupport
import Testing

/// X.509 checks through libcrypto on certificates made by openssl (scripts/make-pki.sh).
@Suite("X.509 certificates (libcrypto)", .serialized)
struct X509CertificateTests {
  final class PKI: @unchecked Sendable {
    let directory = TemporaryDirectory(prefix: "classgate-x509")
    init() throws {
      try makePKI(in: directory.path, name: "ioc", clientDays: 365, client: "school-42")
      try makePKI(in: directory.path, name: "rogue", clientDays: 365, client: "school-42")
      // Expired yesterday, signed by the IOC's CA.
      let result = try runShell(
        "cd '\(directory.path)' && openssl x509 -req -in rogue-client.csr -CA ioc-ca.pem -CAkey ioc-ca.key -CAcreateserial -out expired-client.pem -days -1 2>&1"
          + " && openssl x509 -in ioc-client.pem -outform DER -out ioc-client.der 2>&1")
      guard result.status == 0 else { throw TestFailure(result.stdout) }
    }
    func file(_ name: String) -> String { directory.file(name) }
    deinit { directory.remove() }
  }

  let pki: PKI
  var now: Int64 { Int64(Date().timeIntervalSince1970) }
  init() throws { pki = try PKI() }

  @Test func aValidClientCertificateExpiresInAYearChainsAndMatchesItsKey() throws {
    let certificate = try X509Certificate(pemFile: pki.file("ioc-client.pem"))
    let seconds = try #require(certificate.secondsUntilExpiry(now: now))
    #expect(seconds > 364 * 86_400 && seconds <= 365 * 86_400 + 60, "\(seconds)")
    #expect(try #require(certificate.secondsUntilValid(now: now)) <= 0)
    #expect(try certificate.chainProblem(caFile: pki.file("ioc-ca.pem")) == nil)
    #expect(try certificate.matchesPrivateKey(pemFile: pki.file("ioc-client.key")))
  }

  @Test func anExpiredCertificateHasNegativeTimeLeftButStillChains() throws {
    let certificate = try X509Certificate(pemFile: pki.file("expired-client.pem"))
    let seconds = try #require(certificate.secondsUntilExpiry(now: now))
    #expect(seconds < 0 && seconds > -2 * 86_400, "\(seconds)")
    // Dates are reported by the expiry check, not a second time by the chain check.
    #expect(try certificate.chainProblem(caFile: pki.file("ioc-ca.pem")) == nil)
  }

  @Test func aCertificateFromAnotherCADoesNotChain() throws {
    let certificate = try X509Certificate(pemFile: pki.file("rogue-client.pem"))
    let problem = try #require(try certificate.chainProblem(caFile: pki.file("ioc-ca.pem")))
    #expect(problem.contains("issuer"), "\(problem)")
  }

  @Test func anotherCertificatesKeyDoesNotMatch() throws {
    let certificate = try X509Certificate(pemFile: pki.file("ioc-client.pem"))
    #expect(try !certificate.matchesPrivateKey(pemFile: pki.file("rogue-client.key")))
    // A certificate is not a private key.
    #expect(throws: CryptoError.self) {
      try certificate.matchesPrivateKey(pemFile: pki.file("ioc-client.pem"))
    }
  }

  @Test("a file that is not PEM is refused, naming it", arguments: ["text", "der", "missing", "empty"])
  func notPEM(_ kind: String) throws {
    let path: String
    switch kind {
    case "text": path = try pki.directory.write("ca.txt", "this is not a certificate\n")
    case "der": path = pki.file("ioc-client.der")
    case "empty": path = try pki.directory.write("empty.pem", "")
    default: path = pki.file("no-such-file.pem")
    }
    do {
      _ = try X509Certificate(pemFile: path)
      Issue.record("\(kind) was accepted")
    } catch {
      #expect(error.message.contains(path), "\(error)")
    }
    // Also as a CA file for the chain check.
    let certificate = try X509Certificate(pemFile: pki.file("ioc-client.pem"))
    #expect(throws: CryptoError.self) { try certificate.chainProblem(caFile: path) }
  }
}
