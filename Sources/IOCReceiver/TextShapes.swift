/// The string patterns of the v1 schemas, checked byte by byte (no regex engine on the hot path).
enum TextShape {
  private static func isAlphanumeric(_ byte: UInt8) -> Bool {
    (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
  }

  private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

  /// `^[A-Za-z0-9_-]{1,64}$`
  static func schoolID(_ text: Substring.UTF8View) -> Bool {
    (1...64).contains(text.count) && text.allSatisfy { isAlphanumeric($0) || $0 == 0x5F || $0 == 0x2D }
  }

  /// `^[0-9a-f]{16}$`
  static func stream(_ text: Substring.UTF8View) -> Bool {
    text.count == 16 && text.allSatisfy { isDigit($0) || ($0 >= 0x61 && $0 <= 0x66) }
  }

  /// `^[A-Za-z0-9_:-][A-Za-z0-9_.:-]{0,63}$`: a device or room id.
  static func identifier(_ text: Substring.UTF8View) -> Bool {
    guard let first = text.first, (1...64).contains(text.count), first != 0x2E else { return false }
    return text.allSatisfy { isAlphanumeric($0) || $0 == 0x5F || $0 == 0x2E || $0 == 0x3A || $0 == 0x2D }
  }

  /// `^[a-z0-9_]{1,48}$`
  static func metricName(_ text: Substring.UTF8View) -> Bool {
    (1...48).contains(text.count)
      && text.allSatisfy { isDigit($0) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F }
  }

  /// `^[a-z][a-z0-9_]{0,47}$`
  static func eventType(_ text: Substring.UTF8View) -> Bool {
    guard let first = text.first, first >= 0x61, first <= 0x7A else { return false }
    return metricName(text)
  }

  /// `^[A-Za-z0-9_+/-]{1,64}$`
  static func timeZone(_ text: Substring.UTF8View) -> Bool {
    (1...64).contains(text.count)
      && text.allSatisfy { isAlphanumeric($0) || $0 == 0x5F || $0 == 0x2B || $0 == 0x2F || $0 == 0x2D }
  }

  /// `^[0-9]{4}-[0-9]{2}-[0-9]{2}$`
  static func date(_ text: Substring.UTF8View) -> Bool {
    let bytes = Array(text)
    return bytes.count == 10 && matches(bytes, "dddd-dd-dd")
  }

  /// `^YYYY-MM-DDThh:mm:ss(.f{1,3})?(Z|±hh:mm)$`
  static func localTime(_ text: Substring.UTF8View) -> Bool {
    var bytes = Array(text)
    guard bytes.count >= 20, matches(Array(bytes.prefix(19)), "dddd-dd-ddTdd:dd:dd") else { return false }
    bytes.removeFirst(19)
    if bytes.first == 0x2E {
      bytes.removeFirst()
      let digits = bytes.prefix { isDigit($0) }.count
      guard (1...3).contains(digits) else { return false }
      bytes.removeFirst(digits)
    }
    if bytes == [0x5A] { return true }
    guard bytes.count == 6, bytes[0] == 0x2B || bytes[0] == 0x2D else { return false }
    return matches(Array(bytes.dropFirst()), "dd:dd")
  }

  /// `d` is a digit; every other template byte must match exactly.
  private static func matches(_ bytes: [UInt8], _ template: String) -> Bool {
    let shape = Array(template.utf8)
    guard bytes.count == shape.count else { return false }
    return zip(bytes, shape).allSatisfy { byte, want in want == 0x64 ? isDigit(byte) : byte == want }
  }

  static func anyText(minLength: Int, maxLength: Int) -> (Substring.UTF8View) -> Bool {
    { text in
      let characters = Substring(text).count
      return characters >= minLength && characters <= maxLength
    }
  }
}
