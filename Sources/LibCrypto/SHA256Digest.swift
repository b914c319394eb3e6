import COpenSSL

/// SHA-256 (FIPS 180-4) through libcrypto's one-shot `EVP_Digest`.
public enum SHA256Digest {
  public static let byteCount = 32

  public static func hash(_ message: [UInt8]) -> [UInt8] {
    var digest = [UInt8](repeating: 0, count: byteCount)
    var length: UInt32 = 0
    let input = message.isEmpty ? [0] : message
    let result = input.withUnsafeBufferPointer { buffer in
      digest.withUnsafeMutableBufferPointer { output in
        EVP_Digest(buffer.baseAddress, message.count, output.baseAddress, &length, EVP_sha256(), nil)
      }
    }
    // Only an allocation failure inside libcrypto gets here: there is no sensible fallback.
    precondition(result == 1 && length == UInt32(byteCount), "libcrypto SHA-256 failed")
    return digest
  }
}
