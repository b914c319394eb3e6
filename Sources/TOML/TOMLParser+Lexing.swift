/// The ASCII bytes the grammar is built from.
enum ASCII {
  static let tab: UInt8 = 0x09
  static let lf: UInt8 = 0x0A
  static let cr: UInt8 = 0x0D
  static let space: UInt8 = 0x20
  static let quote: UInt8 = 0x22
  static let hash: UInt8 = 0x23
  static let apostrophe: UInt8 = 0x27
  static let plus: UInt8 = 0x2B
  static let comma: UInt8 = 0x2C
  static let minus: UInt8 = 0x2D
  static let dot: UInt8 = 0x2E
  static let zero: UInt8 = 0x30
  static let colon: UInt8 = 0x3A
  static let equals: UInt8 = 0x3D
  static let lbracket: UInt8 = 0x5B
  static let backslash: UInt8 = 0x5C
  static let rbracket: UInt8 = 0x5D
  static let underscore: UInt8 = 0x5F
  static let lbrace: UInt8 = 0x7B
  static let rbrace: UInt8 = 0x7D
  static let del: UInt8 = 0x7F

  static func isDigit(_ byte: UInt8?) -> Bool {
    guard let byte else { return false }
    return byte >= 0x30 && byte <= 0x39
  }

  static func isLetter(_ byte: UInt8) -> Bool {
    (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
  }

  static func isHexDigit(_ byte: UInt8) -> Bool {
    isDigit(byte) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
  }

  /// A-Z a-z 0-9 _ -
  static func isBareKey(_ byte: UInt8) -> Bool {
    isLetter(byte) || isDigit(byte) || byte == underscore || byte == minus
  }

  /// Characters someone plausibly meant as part of a key (`pört`, `$name`), as opposed
  /// to TOML punctuation that ends a key; these get the "put it in quotes" hint.
  static func isStrayKeyByte(_ byte: UInt8) -> Bool {
    if byte >= 0x80 { return true }
    guard byte > space && byte < del else { return false }
    switch byte {
    case colon, equals, dot, lbracket, rbracket, hash, comma, lbrace, rbrace, quote, apostrophe:
      return false
    default:
      return !isBareKey(byte)
    }
  }

  /// Control characters TOML forbids in strings and comments (tab is allowed).
  static func isControl(_ byte: UInt8) -> Bool {
    (byte < space && byte != tab) || byte == del
  }

  /// Bytes that can make up a number, boolean, inf/nan or a mistyped bare word.
  static func isWordByte(_ byte: UInt8) -> Bool {
    isBareKey(byte) || byte == plus || byte == dot
  }

  /// Where a value's text ends, for quoting it back in messages.
  static func endsToken(_ byte: UInt8) -> Bool {
    switch byte {
    case space, tab, lf, cr, comma, rbracket, rbrace, hash: true
    default: false
    }
  }
}

extension TOMLParser.Reader {
  var peek: UInt8? { pos < bytes.count ? bytes[pos] : nil }

  func byte(at offset: Int) -> UInt8? {
    let index = pos + offset
    return index < bytes.count ? bytes[index] : nil
  }

  var mark: Mark { Mark(line: line, lineStart: lineStart, index: pos) }

  func error(_ message: String) -> TOMLError {
    error(message, at: mark)
  }

  func error(_ message: String, at mark: Mark) -> TOMLError {
    // Columns count scalars, not bytes: skip UTF-8 continuation bytes.
    var column = 1
    for index in mark.lineStart..<min(mark.index, bytes.count) where bytes[index] & 0xC0 != 0x80 {
      column += 1
    }
    return TOMLError(line: mark.line, column: column, message: message)
  }

  mutating func skipWhitespace() {
    while let byte = peek, byte == ASCII.space || byte == ASCII.tab { pos += 1 }
  }

  /// LF or CRLF; a lone CR is not a newline in TOML.
  var atNewline: Bool {
    peek == ASCII.lf || (peek == ASCII.cr && byte(at: 1) == ASCII.lf)
  }

  /// Every newline goes through here so `line` stays right.
  mutating func consumeNewline() -> Bool {
    if peek == ASCII.lf {
      pos += 1
    } else if peek == ASCII.cr && byte(at: 1) == ASCII.lf {
      pos += 2
    } else {
      return false
    }
    line += 1
    lineStart = pos
    return true
  }

  /// `# ...` up to (not including) the newline.
  mutating func skipComment() throws(TOMLError) {
    guard peek == ASCII.hash else { return }
    pos += 1
    while let byte = peek, !atNewline {
      if ASCII.isControl(byte) {
        throw error("\(describe(at: pos)) is not allowed in a comment")
      }
      pos += 1
    }
  }

  /// Whitespace, comments and newlines, as allowed between array elements.
  mutating func skipBlank() throws(TOMLError) {
    while true {
      skipWhitespace()
      try skipComment()
      if !consumeNewline() { return }
    }
  }

  /// After a key/value pair or header: optional whitespace and comment, then newline or EOF.
  mutating func expectLineEnd(after what: String) throws(TOMLError) {
    skipWhitespace()
    try skipComment()
    if peek == nil || consumeNewline() { return }
    throw error("expected a new line after \(what), found \(describe(at: pos))")
  }

  /// The text of the token starting at `index`, to quote it back in a message.
  func tokenText(from index: Int) -> String {
    var end = index
    while end < bytes.count, !ASCII.endsToken(bytes[end]),
      end - index < 40 || bytes[end] & 0xC0 == 0x80
    {
      end += 1
    }
    return String(decoding: bytes[index..<end], as: UTF8.self)
  }

  /// A character as an admin would want it named in a message.
  func describe(at index: Int) -> String {
    guard index < bytes.count else { return "end of file" }
    let byte = bytes[index]
    switch byte {
    case ASCII.lf:
      return "end of line"
    case ASCII.cr:
      let crlf = index + 1 < bytes.count && bytes[index + 1] == ASCII.lf
      return crlf ? "end of line" : "a carriage return (CR) without a line feed"
    case ASCII.tab:
      return "a tab"
    case ASCII.space:
      return "a space"
    case 0..<ASCII.space, ASCII.del:
      return "control character \(Self.codePoint(UInt32(byte)))"
    case 0x21..<ASCII.del:
      return "'\(Character(Unicode.Scalar(byte)))'"
    default:
      break
    }
    var iterator = bytes[index...].prefix(4).makeIterator()
    var decoder = UTF8()
    guard case .scalarValue(let scalar) = decoder.decode(&iterator) else { return "invalid UTF-8" }
    switch scalar.value {
    case 0x2018, 0x2019, 0x201C, 0x201D:  // word processors turn quotes into these
      return "the curly quote '\(scalar)' (use straight quotes \" or ')"
    default:
      break
    }
    let properties = scalar.properties
    if properties.isWhitespace || properties.generalCategory == .format
      || properties.generalCategory == .control
    {
      return "the invisible character \(Self.codePoint(scalar.value))"
    }
    return "'\(scalar)'"
  }

  /// "U+00A0"
  static func codePoint(_ value: UInt32) -> String {
    let hex = String(value, radix: 16, uppercase: true)
    return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
  }
}
