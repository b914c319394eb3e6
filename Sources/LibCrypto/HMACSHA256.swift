import COpenSSL

/// HMAC-SHA-256 (RFC 2104, FIPS 180-4) through libcrypto's one-shot `HMAC()`. libcrypto is mapped
/// into the agent anyway (libmosquitto's TLS), so this costs no memory, unlike a Swift crypto
/// package that brings Foundation with it.
public enum HMACSHA256 {
  public static let byteCount = 32

  /// The 32-byte authentication code of `message` under `key` (any length; RFC 2104 hashes keys
  /// longer than the block size first).
  public static func authenticationCode(key: [UInt8], message: [UInt8]) -> [UInt8] {
    var code = [UInt8](repeating: 0, count: byteCount)
    var length: UInt32 = 0
    // libcrypto wants non-null pointers even for empty input; the count says how much to read.
    let keyBytes = key.isEmpty ? [0] : key
    let messageBytes = message.isEmpty ? [0] : message
    let result = keyBytes.withUnsafeBufferPointer { keyBuffer in
      messageBytes.withUnsafeBufferPointer { messageBuffer in
        code.withUnsafeMutableBufferPointer { output in
          HMAC(
            EVP_sha256(), keyBuffer.baseAddress, Int32(key.count), messageBuffer.baseAddress,
            message.count, output.baseAddress, &length)
        }
      }
    }
    // Only an allocation failure inside libcrypto gets here: there is no sensible fallback.
    precondition(result != nil && length == UInt32(byteCount), "libcrypto HMAC-SHA-256 failed")
    return code
  }
}
