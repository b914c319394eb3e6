/// Serialises values to RFC 8259 text. Output is always valid JSON: non-finite numbers, which
/// JSON cannot express, are written as null rather than producing a document nobody can read.
public struct JSONWriter {
  public static func compact(_ value: JSONValue) -> String {
    String(decoding: compactBytes(value), as: UTF8.self)
  }

  /// UTF-8 bytes, for publishing or storing without a round trip through `String`.
  public static func compactBytes(_ value: JSONValue) -> [UInt8] {
    var emitter = Emitter(indent: nil)
    emitter.write(value, level: 0)
    return emitter.bytes
  }

  /// Human-facing output for the CLI: `"key": value`, one member or element per line.
  public static func pretty(_ value: JSONValue, indent: Int = 2) -> String {
    var emitter = Emitter(indent: max(0, indent))
    emitter.write(value, level: 0)
    return String(decoding: emitter.bytes, as: UTF8.self)
  }
}

/// Recurses once per nesting level; parsed values are bounded by `JSONParser.Limits.maxDepth`.
private struct Emitter {
  var bytes: [UInt8] = []
  /// nil for compact output.
  let indent: Int?

  init(indent: Int?) {
    self.indent = indent
    bytes.reserveCapacity(128)
  }

  mutating func write(_ value: JSONValue, level: Int) {
    switch value {
    case .null: append("null")
    case .bool(let flag): append(flag ? "true" : "false")
    case .number(let number): writeNumber(number)
    case .string(let text): writeString(text)
    case .array(let items):
      guard !items.isEmpty else { return append("[]") }
      bytes.append(UInt8(ascii: "["))
      for (position, item) in items.enumerated() {
        if position > 0 { bytes.append(UInt8(ascii: ",")) }
        newline(level + 1)
        write(item, level: level + 1)
      }
      newline(level)
      bytes.append(UInt8(ascii: "]"))
    case .object(let object):
      guard !object.isEmpty else { return append("{}") }
      bytes.append(UInt8(ascii: "{"))
      for (position, member) in object.members.enumerated() {
        if position > 0 { bytes.append(UInt8(ascii: ",")) }
        newline(level + 1)
        writeString(member.key)
        bytes.append(UInt8(ascii: ":"))
        if indent != nil { bytes.append(UInt8(ascii: " ")) }
        write(member.value, level: level + 1)
      }
      newline(level)
      bytes.append(UInt8(ascii: "}"))
    }
  }

  private mutating func newline(_ level: Int) {
    guard let indent else { return }
    bytes.append(UInt8(ascii: "\n"))
    bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * level))
  }

  private mutating func append(_ text: StaticString) {
    bytes.append(
      contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
  }

  /// Whole numbers below 2^53 are exact in a Double, so they print as integers ("812", not
  /// "812.0"); everything else uses Swift's shortest round-trip form.
  private mutating func writeNumber(_ number: Double) {
    guard number.isFinite else { return append("null") }
    // Range first: converting a huge Double to an integer would trap. (`rounded()` is avoided
    // because it pulls in libm.)
    guard number.magnitude < 9_007_199_254_740_992, Double(Int64(number)) == number else {
      return bytes.append(contentsOf: number.description.utf8)
    }
    var magnitude = UInt64(number.magnitude)
    if number < 0 { bytes.append(UInt8(ascii: "-")) }
    let first = bytes.count
    repeat {
      bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
      magnitude /= 10
    } while magnitude > 0
    bytes[first...].reverse()
  }

  /// Escapes only what RFC 8259 requires; everything else, including non-ASCII, is kept as is.
  private mutating func writeString(_ text: String) {
    bytes.append(UInt8(ascii: "\""))
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "\""): append("\\\"")
      case UInt8(ascii: "\\"): append("\\\\")
      case 0x0A: append("\\n")
      case 0x0D: append("\\r")
      case 0x09: append("\\t")
      case 0x08: append("\\b")
      case 0x0C: append("\\f")
      case 0x00..<0x20:
        let hex: StaticString = "0123456789abcdef"
        append("\\u00")
        bytes.append(hex.utf8Start[Int(byte >> 4)])
        bytes.append(hex.utf8Start[Int(byte & 0xF)])
      default: bytes.append(byte)
      }
    }
    bytes.append(UInt8(ascii: "\""))
  }
}
