import DeviceModel
import EventLoop
import LibCrypto
import MQTTClient

/// The IOC's TLS files, checked through libcrypto before anything connects: what `run --check`
/// (the package's postinst) refuses and what `doctor` reports. Each problem names the file and the
/// config key, and says what to do, so an admin is not left with a TLS error from the handshake.
enum CertificateFile {
  struct Problem: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
      case unreadable, expired, notYetValid, wrongCA, keyMismatch
    }
    var kind: Kind
    var key: String
    var message: String
  }

  /// Whole days until notAfter (negative once expired), or nil if the file is not a certificate.
  static func daysUntilExpiry(_ path: String, now: EpochMillis = Clock.wallMs()) -> Int? {
    guard let certificate = try? X509Certificate(pemFile: path),
      let seconds = certificate.secondsUntilExpiry(now: now / 1000)
    else { return nil }
    return Int(seconds >= 0 ? seconds / 86_400 : -((-seconds + 86_399) / 86_400))
  }

  /// Everything that would make the IOC link fail because of the files: a file that is not PEM,
  /// an expired or not yet valid CA or client certificate, a client certificate that does not
  /// chain to `ioc.ca_file`, and a key that is not the certificate's.
  static func problems(_ tls: MQTTOptions.TLS, now: EpochMillis = Clock.wallMs()) -> [Problem] {
    var problems: [Problem] = []
    let seconds = now / 1000
    var loaded: [String: X509Certificate] = [:]
    let files = [("ioc.ca_file", tls.caFile, "the IOC's CA"), ("ioc.cert_file", tls.certFile, "the client")]
    for (key, path, role) in files {
      guard let path else { continue }
      do {
        let certificate = try X509Certificate(pemFile: path)
        loaded[key] = certificate
        if let left = certificate.secondsUntilExpiry(now: seconds), left < 0 {
          problems.append(
            Problem(
              kind: .expired, key: key,
              message:
                "\(path): \(role) certificate expired \((-left + 86_399) / 86_400) days ago; ask the IOC for a renewed one (or check the clock: \(EpochTime.iso8601(now)))"
            ))
        } else if let wait = certificate.secondsUntilValid(now: seconds), wait > 0 {
          problems.append(
            Problem(
              kind: .notYetValid, key: key,
              message:
                "\(path): \(role) certificate is not valid for another \((wait + 86_399) / 86_400) days; the clock says \(EpochTime.iso8601(now)): set the time (timedatectl set-ntp true)"
            ))
        }
      } catch {
        problems.append(
          Problem(
            kind: .unreadable, key: key,
            message:
              "\(error.message); expected \(role) certificate in PEM ('-----BEGIN CERTIFICATE-----'): convert a DER file with openssl x509 -inform DER -in FILE -out FILE.pem"
          ))
      }
    }
    guard let certificate = loaded["ioc.cert_file"], let certPath = tls.certFile else { return problems }
    if loaded["ioc.ca_file"] != nil {
      do {
        if let reason = try certificate.chainProblem(caFile: tls.caFile) {
          problems.append(
            Problem(
              kind: .wrongCA, key: "ioc.cert_file",
              message:
                "\(certPath) was not issued by the CA in ioc.ca_file \(tls.caFile) (\(reason)); use the client certificate the IOC issued for this school, or the IOC's CA file"
            ))
        }
      } catch {
        problems.append(Problem(kind: .unreadable, key: "ioc.ca_file", message: error.message))
      }
    }
    if let keyPath = tls.keyFile {
      do {
        if try !certificate.matchesPrivateKey(pemFile: keyPath) {
          problems.append(
            Problem(
              kind: .keyMismatch, key: "ioc.key_file",
              message:
                "\(keyPath) is not the private key of ioc.cert_file \(certPath); install the key that was generated with that certificate's request"
            ))
        }
      } catch {
        problems.append(
          Problem(
            kind: .unreadable, key: "ioc.key_file",
            message: "\(error.message); expected the client's private key in PEM, unencrypted"))
      }
    }
    return problems
  }
}
