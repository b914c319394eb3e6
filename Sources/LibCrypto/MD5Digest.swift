import COpenSSL

/// MD5 (RFC 1321) through libcrypto's one-shot `EVP_Digest`, for protocols that require it (the
/// PJLink authentication digest). Not for anything ClassGate itself needs to keep secret.
public enum MD5Digest {
  public static let byteCount = 16

  public static func hash(_ message: [UInt8]) -> [UInt8] {
    var digest = [UInt8](repeating: 0, count: byteCount)
    var length: UInt32 = 0
    let input = message.isEmpty ? [0] : message
    let result = input.withUnsafeBufferPointer { buffer in
      digest.withUnsafeMutableBufferPointer { output in
        EVP_Digest(buffer.baseAddress, message.count, output.baseAddress, &length, EVP_md5(), nil)
      }
    }
    // Only an allocation failure (or a libcrypto built without MD5) gets here.
    precondition(result == 1 && length == UInt32(byteCount), "libcrypto MD5 failed")
    return digest
  }

  /// The digest as 32 lowercase hex digits.
  public static func hex(_ message: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    text.reserveCapacity(byteCount * 2)
    for byte in hash(message) {
      text.append(digits[Int(byte >> 4)])
      text.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: text, as: UTF8.self)
  }
}
