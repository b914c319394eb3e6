import Foundation
import LibCrypto
import TestSupport
import Testing

/// HMAC-SHA-256 through libcrypto: the RFC 4231 vectors, and the openssl tool on other input.
@Suite("HMAC-SHA-256 (libcrypto)")
struct HMACSHA256Tests {
  static func bytes(_ hex: String) -> [UInt8] {
    var result: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
      let next = hex.index(index, offsetBy: 2)
      result.append(UInt8(hex[index..<next], radix: 16)!)
      index = next
    }
    return result
  }

  static func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
      .joined()
  }

  struct Vector: Sendable, CustomTestStringConvertible {
    let name: String
    let key: [UInt8]
    let data: [UInt8]
    /// Case 5 gives only the first 128 bits.
    let mac: String
    var testDescription: String { name }
  }

  /// RFC 4231 section 4, test cases 1–7 (HMAC-SHA-256 column).
  static let rfc4231: [Vector] = [
    Vector(
      name: "4.2 case 1", key: [UInt8](repeating: 0x0b, count: 20), data: Array("Hi There".utf8),
      mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
    Vector(
      name: "4.3 case 2 (key shorter than the output)", key: Array("Jefe".utf8),
      data: Array("what do ya want for nothing?".utf8),
      mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
    Vector(
      name: "4.4 case 3", key: [UInt8](repeating: 0xaa, count: 20),
      data: [UInt8](repeating: 0xdd, count: 50),
      mac: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
    Vector(
      name: "4.5 case 4", key: bytes("0102030405060708090a0b0c0d0e0f10111213141516171819"),
      data: [UInt8](repeating: 0xcd, count: 50),
      mac: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
    Vector(
      name: "4.6 case 5 (truncated to 128 bits)", key: [UInt8](repeating: 0x0c, count: 20),
      data: Array("Test With Truncation".utf8), mac: "a3b6167473100ee06e0c796c2955552b"),
    Vector(
      name: "4.7 case 6 (key longer than a block)", key: [UInt8](repeating: 0xaa, count: 131),
      data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
      mac: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    Vector(
      name: "4.8 case 7 (key and data longer than a block)", key: [UInt8](repeating: 0xaa, count: 131),
      data: Array(
        "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."
          .utf8),
      mac: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
  ]

  @Test("RFC 4231 test vectors", arguments: rfc4231)
  func rfc4231Vector(_ vector: Vector) {
    let code = HMACSHA256.authenticationCode(key: vector.key, message: vector.data)
    #expect(code.count == 32)
    #expect(Self.hex(code).hasPrefix(vector.mac))
    #expect(Self.hex(code).count == 64)
  }

  @Test("agrees with `openssl dgst -hmac`, including an empty message")
  func agreesWithOpenSSLTool() throws {
    let key = "0123456789abcdef0123456789abcdef"
    for message in ["", "04A1B2C3", "THẻ01", String(repeating: "x", count: 1000)] {
      let directory = TemporaryDirectory(prefix: "classgate-hmac")
      defer { directory.remove() }
      let file = try directory.write("message", message)
      let result = try runShell("openssl dgst -sha256 -hmac '\(key)' -r '\(file)'")
      #expect(result.status == 0)
      let expected = String(result.stdout.prefix(64))
      let code = HMACSHA256.authenticationCode(key: Array(key.utf8), message: Array(message.utf8))
      #expect(Self.hex(code) == expected, "\(message.prefix(10))")
    }
  }

  @Test("an empty key is a valid key, different from a one-byte zero key")
  func emptyKey() {
    let empty = HMACSHA256.authenticationCode(key: [], message: Array("abc".utf8))
    let zero = HMACSHA256.authenticationCode(key: [0], message: Array("abc".utf8))
    // HMAC pads keys with zeros, so these two are in fact equal by the definition (RFC 2104):
    // the check is that an empty key does not read past the buffer or fail.
    #expect(empty == zero)
    // Python: hmac.new(b"", b"abc", "sha256").hexdigest()
    #expect(Self.hex(empty) == "fd7adb152c05ef80dccf50a1fa4c05d5a3ec6da95575fc312ae7c5d091836351")
  }
}

@Suite("SHA-256")
struct SHA256DigestTests {
  /// FIPS 180-4 examples: "abc" and the empty message.
  @Test func knownDigests() {
    func hex(_ bytes: [UInt8]) -> String { bytes.map { String($0, radix: 16).leftPadded(2) }.joined() }
    #expect(
      hex(SHA256Digest.hash(Array("abc".utf8)))
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(hex(SHA256Digest.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
  }
}

extension String {
  fileprivate func leftPadded(_ width: Int) -> String {
    String(repeating: "0", count: max(0, width - count)) + self
  }
}
