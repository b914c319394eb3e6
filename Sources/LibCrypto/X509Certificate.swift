import COpenSSL

/// Why a PEM file could not be used, in libcrypto's words (e.g. "no start line" for a file that
/// is not PEM).
public struct CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
  public let message: String
  public var description: String { message }

  init(_ what: String) {
    self.message = "\(what) (\(Self.takeLibraryError()))"
  }

  /// The oldest queued libcrypto error as text, and an empty queue afterwards (libmosquitto's
  /// TLS reads the same per-thread queue later).
  static func takeLibraryError() -> String {
    let code = ERR_get_error()
    ERR_clear_error()
    guard code != 0, let reason = ERR_reason_error_string(code) else { return "no detail from libcrypto" }
    return String(cString: reason)
  }
}

/// One X.509 certificate read from a PEM file: its validity period, whether it chains to a CA
/// file, and whether a private key belongs to it. Owns the `X509` handle.
public final class X509Certificate {
  private let handle: OpaquePointer

  /// The first certificate in the PEM file at `path`.
  public init(pemFile path: String) throws(CryptoError) {
    guard let bio = BIO_new_file(path, "r") else { throw CryptoError("cannot open \(path)") }
    defer { BIO_free(bio) }
    guard let certificate = PEM_read_bio_X509(bio, nil, nil, nil) else {
      throw CryptoError("\(path) holds no PEM certificate")
    }
    handle = certificate
  }

  deinit { X509_free(handle) }

  /// Seconds from `now` (epoch seconds) to notAfter: negative once expired.
  public func secondsUntilExpiry(now: Int64) -> Int64? {
    guard let notAfter = X509_get0_notAfter(handle) else { return nil }
    return Self.seconds(from: now, to: notAfter)
  }

  /// Seconds from `now` (epoch seconds) to notBefore: positive while not yet valid.
  public func secondsUntilValid(now: Int64) -> Int64? {
    guard let notBefore = X509_get0_notBefore(handle) else { return nil }
    return Self.seconds(from: now, to: notBefore)
  }

  private static func seconds(from now: Int64, to time: UnsafePointer<ASN1_TIME>) -> Int64? {
    guard let start = ASN1_TIME_set(nil, time_t(now)) else { return nil }
    defer { ASN1_TIME_free(start) }
    var days: Int32 = 0
    var seconds: Int32 = 0
    guard ASN1_TIME_diff(&days, &seconds, start, time) == 1 else {
      ERR_clear_error()
      return nil
    }
    return Int64(days) * 86_400 + Int64(seconds)
  }

  /// nil when the certificate chains to a certificate in `caFile`, else libcrypto's reason
  /// ("unable to get local issuer certificate"). Validity dates are not part of this check
  /// (`secondsUntilExpiry` reports them), so each problem is named once.
  public func chainProblem(caFile: String) throws(CryptoError) -> String? {
    guard let store = X509_STORE_new() else { throw CryptoError("out of memory") }
    defer { X509_STORE_free(store) }
    guard X509_STORE_load_file(store, caFile) == 1 else {
      throw CryptoError("\(caFile) holds no PEM CA certificate")
    }
    guard let context = X509_STORE_CTX_new() else { throw CryptoError("out of memory") }
    defer { X509_STORE_CTX_free(context) }
    guard X509_STORE_CTX_init(context, store, handle, nil) == 1 else {
      throw CryptoError("cannot set up the verification")
    }
    X509_STORE_CTX_set_flags(context, UInt(X509_V_FLAG_NO_CHECK_TIME))
    if X509_verify_cert(context) == 1 { return nil }
    let reason = String(cString: X509_verify_cert_error_string(Int(X509_STORE_CTX_get_error(context))))
    ERR_clear_error()
    return reason
  }

  /// Whether the (unencrypted) PEM private key in `keyFile` is this certificate's.
  public func matchesPrivateKey(pemFile keyFile: String) throws(CryptoError) -> Bool {
    guard let bio = BIO_new_file(keyFile, "r") else { throw CryptoError("cannot open \(keyFile)") }
    defer { BIO_free(bio) }
    // An empty passphrase instead of a callback: libcrypto must never prompt on a terminal.
    var emptyPassphrase: [CChar] = [0]
    let key = emptyPassphrase.withUnsafeMutableBytes { passphrase in
      PEM_read_bio_PrivateKey(bio, nil, nil, passphrase.baseAddress)
    }
    guard let key else {
      throw CryptoError("\(keyFile) holds no unencrypted PEM private key")
    }
    defer { EVP_PKEY_free(key) }
    let matches = X509_check_private_key(handle, key) == 1
    ERR_clear_error()
    return matches
  }
}

@available(*, unavailable)
extension X509Certificate: Sendable {}
