import LibCrypto
import Testing

/// MD5 through libcrypto's EVP_md5: the RFC 1321 appendix A.5 test suite.
@Suite("MD5 (libcrypto)")
struct MD5DigestTests {
  @Test("RFC 1321 A.5 vectors")
  func rfc1321() {
    let vectors: [(String, String)] = [
      ("", "d41d8cd98f00b204e9800998ecf8427e"),
      ("a", "0cc175b9c0f1b6a831c399e269772661"),
      ("abc", "900150983cd24fb0d6963f7d28e17f72"),
      ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
      ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
      (
        "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
        "57edf4a22be3c955ac49da2e2107b67a"
      ),
    ]
    for (message, digest) in vectors {
      #expect(MD5Digest.hex(Array(message.utf8)) == digest, "MD5(\"\(message)\")")
    }
    #expect(MD5Digest.hash(Array("abc".utf8)).count == MD5Digest.byteCount)
  }
}
