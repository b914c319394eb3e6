import DeviceModel
import LibCrypto

/// Device names as people write them (Zigbee2MQTT friendly names such as `Room 101 CO2`,
/// `Phòng 101`, `floor1/room101/co2`) → a stable, safe device id, plus the name for display.
///
/// The rule (documented in Devices/README.md; names `problem(with:)` refuses are dead letters):
/// - a name that is already a valid id (`Identifier.isValid`) is the id, unchanged;
/// - any other name becomes `<slug>-<hash>`: the slug is the name in lower-case ASCII (Vietnamese
///   letters without their marks, `đ` → `d`), every other run of characters one `-`, at most 40
///   bytes; the hash is the first 10 hex digits of SHA-256 of the exact name. So the id is the same
///   on every box and every restart, and two different names get different ids even when their
///   slugs are equal (`Phòng 101` → `phong-101-…`, `Phong 101` → `phong-101-…` with another hash).
public enum DeviceName {
  /// Longer names are refused (Zigbee2MQTT's friendly names are short; this is not one).
  public static let maxNameBytes = 128

  /// Why `name` cannot name a device, or nil when it can: empty, longer than `maxNameBytes`, or
  /// holding control characters, bidi controls or invisible characters (a name must read as what
  /// it is, on a terminal and in the IOC).
  public static func problem(with name: Substring) -> String? {
    if name.isEmpty { return "device name is empty" }
    if name.utf8.count > maxNameBytes { return "device name is longer than \(maxNameBytes) bytes" }
    for scalar in name.unicodeScalars {
      switch scalar.value {
      case 0..<0x20, 0x7F...0x9F, 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2069, 0xFEFF:
        return "device name has a control or invisible character"
      default: continue
      }
    }
    return nil
  }

  public static func id(for name: Substring) -> (id: String, label: String?) {
    if Identifier.isValid(name) { return (String(name), nil) }
    let hash = Digest.hex(SHA256Digest.hash(Array(name.utf8)).prefix(5))
    let slug = self.slug(name)
    let id = (slug.isEmpty ? "device" : slug) + "-" + hash
    return (id, String(name))
  }

  /// Lower-case ASCII letters and digits; other runs → one `-`; trimmed; at most 40 bytes.
  static func slug(_ name: Substring) -> String {
    var bytes: [UInt8] = []
    var dash = false
    for scalar in String(name).lowercased().unicodeScalars {
      // Combining marks (a decomposed "ò" is "o" + U+0300): dropped.
      if (0x300...0x36F).contains(scalar.value) { continue }
      let folded = fold(scalar)
      if let folded {
        if dash && !bytes.isEmpty { bytes.append(UInt8(ascii: "-")) }
        dash = false
        bytes.append(folded)
      } else {
        dash = true
      }
      if bytes.count >= 40 { break }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  private static let vietnamese: [Character: UInt8] = {
    var table: [Character: UInt8] = ["đ": UInt8(ascii: "d")]
    let groups: [(String, Character)] = [
      ("àáảãạăằắẳẵặâầấẩẫậ", "a"), ("èéẻẽẹêềếểễệ", "e"), ("ìíỉĩị", "i"),
      ("òóỏõọôồốổỗộơờớởỡợ", "o"), ("ùúủũụưừứửữự", "u"), ("ỳýỷỹỵ", "y"),
    ]
    for (letters, base) in groups {
      for letter in letters { table[letter] = base.asciiValue }
    }
    return table
  }()

  private static func fold(_ scalar: Unicode.Scalar) -> UInt8? {
    switch scalar.value {
    case 0x61...0x7A, 0x30...0x39: return UInt8(scalar.value)
    case 0...0x7F: return nil
    default: return vietnamese[Character(scalar)]
    }
  }
}
