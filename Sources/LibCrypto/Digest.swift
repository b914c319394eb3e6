import COpenSSL

/// One-shot digests through libcrypto's `EVP_Digest`: SHA-256 (stable device ids) and MD5 (only
/// where a protocol requires it: PJLink's authentication). libcrypto is mapped anyway (TLS).
public enum Digest {
  public enum Algorithm: Sendable {
    case sha256
    case md5

    var byteCount: Int { self == .sha256 ? 32 : 16 }
  }

  public static func hash(_ message: [UInt8], _ algorithm: Algorithm) -> [UInt8] {
    var digest = [UInt8](repeating: 0, count: algorithm.byteCount)
    var length: UInt32 = 0
    let input = message.isEmpty ? [0] : message
    let md = algorithm == .sha256 ? EVP_sha256() : EVP_md5()
    let result = input.withUnsafeBufferPointer { buffer in
      digest.withUnsafeMutableBufferPointer { output in
        EVP_Digest(buffer.baseAddress, message.count, output.baseAddress, &length, md, nil)
      }
    }
    // Only an allocation failure (or a libcrypto built without the algorithm) gets here.
    precondition(result == 1 && length == UInt32(algorithm.byteCount), "libcrypto digest failed")
    return digest
  }

  /// Bytes as lowercase hex digits.
  public static func hex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    for byte in bytes {
      text.append(digits[Int(byte >> 4)])
      text.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: text, as: UTF8.self)
  }
}

/// SHA-256 (FIPS 180-4).
public enum SHA256Digest {
  public static let byteCount = 32
  public static func hash(_ message: [UInt8]) -> [UInt8] { Digest.hash(message, .sha256) }
}

/// MD5 (RFC 1321), for protocols that require it. Not for anything ClassGate keeps secret.
public enum MD5Digest {
  public static let byteCount = 16
  public static func hash(_ message: [UInt8]) -> [UInt8] { Digest.hash(message, .md5) }
  /// The digest as 32 lowercase hex digits.
  public static func hex(_ message: [UInt8]) -> String { Digest.hex(hash(message)) }
}
