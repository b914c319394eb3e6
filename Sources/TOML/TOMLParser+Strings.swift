extension TOMLParser.Reader {
  /// `"..."` with escapes; the cursor is on the opening quote.
  mutating func parseBasicString() throws(TOMLError) -> String {
    let open = mark
    pos += 1
    var out: [UInt8] = []
    while true {
      guard let byte = peek, !atNewline else {
        throw error("unterminated string: missing closing '\"'", at: open)
      }
      switch byte {
      case ASCII.quote:
        pos += 1
        return String(decoding: out, as: UTF8.self)
      case ASCII.backslash:
        try appendEscape(to: &out)
      default:
        if ASCII.isControl(byte) { throw controlCharacterInString() }
        out.append(byte)
        pos += 1
      }
    }
  }

  /// `'...'`, taken verbatim; the cursor is on the opening apostrophe.
  mutating func parseLiteralString() throws(TOMLError) -> String {
    let open = mark
    pos += 1
    let start = pos
    while true {
      guard let byte = peek, !atNewline else {
        throw error("unterminated string: missing closing \"'\"", at: open)
      }
      if byte == ASCII.apostrophe {
        pos += 1
        return String(decoding: bytes[start..<(pos - 1)], as: UTF8.self)
      }
      if ASCII.isControl(byte) { throw controlCharacterInString() }
      pos += 1
    }
  }

  /// `"""..."""`: escapes, real newlines (CRLF stored as LF), and a backslash at the
  /// end of a line swallows the line break and the next line's indentation.
  mutating func parseMultilineBasicString() throws(TOMLError) -> String {
    let open = mark
    pos += 3
    _ = consumeNewline()  // a newline right after the opening quotes is not part of the text
    var out: [UInt8] = []
    while true {
      guard let byte = peek else {
        throw error("unterminated multi-line string: missing closing '\"\"\"'", at: open)
      }
      switch byte {
      case ASCII.quote:
        if try closeMultiline(ASCII.quote, into: &out) {
          return String(decoding: out, as: UTF8.self)
        }
      case ASCII.backslash:
        if !skipLineEndingBackslash() { try appendEscape(to: &out) }
      default:
        try appendMultilineByte(byte, to: &out)
      }
    }
  }

  /// `'''...'''`: verbatim, newlines allowed.
  mutating func parseMultilineLiteralString() throws(TOMLError) -> String {
    let open = mark
    pos += 3
    _ = consumeNewline()
    var out: [UInt8] = []
    while true {
      guard let byte = peek else {
        throw error("unterminated multi-line string: missing closing \"'''\"", at: open)
      }
      if byte == ASCII.apostrophe {
        if try closeMultiline(ASCII.apostrophe, into: &out) {
          return String(decoding: out, as: UTF8.self)
        }
      } else {
        try appendMultilineByte(byte, to: &out)
      }
    }
  }

  /// At a run of quotes inside a multi-line string. One or two are text; three close it,
  /// and up to two more right before the closing three belong to the text (`""""a"""""`).
  mutating func closeMultiline(_ quote: UInt8, into out: inout [UInt8]) throws(TOMLError) -> Bool {
    var count = 0
    while byte(at: count) == quote { count += 1 }
    if count > 5 {
      throw error(
        "too many quotes in a row in a multi-line string; escape them or use the other quote style",
        at: mark.moved(to: pos + 5))
    }
    let text = count < 3 ? count : count - 3
    out.append(contentsOf: repeatElement(quote, count: text))
    pos += count
    return count >= 3
  }

  mutating func appendMultilineByte(_ byte: UInt8, to out: inout [UInt8]) throws(TOMLError) {
    if consumeNewline() {
      out.append(ASCII.lf)
    } else if ASCII.isControl(byte) {
      throw controlCharacterInString()
    } else {
      out.append(byte)
      pos += 1
    }
  }

  /// `\` + optional spaces + newline: skips through all following whitespace and newlines.
  mutating func skipLineEndingBackslash() -> Bool {
    var index = pos + 1
    while index < bytes.count, bytes[index] == ASCII.space || bytes[index] == ASCII.tab {
      index += 1
    }
    let saved = pos
    pos = index
    guard consumeNewline() else {
      pos = saved
      return false
    }
    while true {
      skipWhitespace()
      if !consumeNewline() { return true }
    }
  }

  /// One escape sequence; the cursor is on the backslash.
  mutating func appendEscape(to out: inout [UInt8]) throws(TOMLError) {
    let start = mark
    guard let code = byte(at: 1) else {
      pos += 1  // let the caller report the unterminated string
      return
    }
    let replacement: UInt8
    switch code {
    case 0x62: replacement = 0x08  // \b
    case 0x74: replacement = ASCII.tab  // \t
    case 0x6E: replacement = ASCII.lf  // \n
    case 0x66: replacement = 0x0C  // \f
    case 0x72: replacement = ASCII.cr  // \r
    case ASCII.quote: replacement = ASCII.quote
    case ASCII.backslash: replacement = ASCII.backslash
    case 0x75: return try appendUnicodeEscape(digits: 4, to: &out)  // \uXXXX
    case 0x55: return try appendUnicodeEscape(digits: 8, to: &out)  // \UXXXXXXXX
    default:
      let shown =
        code > ASCII.space && code < ASCII.del
        ? "'\\\(Character(Unicode.Scalar(code)))'" : "'\\' followed by \(describe(at: pos + 1))"
      // Windows paths are the usual cause, so say how to write them.
      throw error(
        "invalid escape sequence \(shown); write '\\\\' for a backslash, "
          + "or use 'single quotes' for text with backslashes",
        at: start)
    }
    out.append(replacement)
    pos += 2
  }

  mutating func appendUnicodeEscape(digits: Int, to out: inout [UInt8]) throws(TOMLError) {
    let start = mark
    let letter = digits == 4 ? "u" : "U"
    var value: UInt32 = 0
    for offset in 2..<(2 + digits) {
      guard let byte = byte(at: offset), ASCII.isHexDigit(byte) else {
        throw error("'\\\(letter)' must be followed by exactly \(digits) hex digits", at: start)
      }
      value = value << 4 | UInt32(hexValue(byte))
    }
    let text = String(decoding: bytes[pos..<(pos + 2 + digits)], as: UTF8.self)
    guard let scalar = Unicode.Scalar(value) else {
      throw error("escape '\(text)' is not a valid Unicode character", at: start)
    }
    UTF8.encode(scalar) { out.append($0) }
    pos += 2 + digits
  }

  func hexValue(_ byte: UInt8) -> UInt8 {
    switch byte {
    case 0x30...0x39: byte - 0x30
    case 0x41...0x46: byte - 0x41 + 10
    default: byte - 0x61 + 10
    }
  }

  func controlCharacterInString() -> TOMLError {
    guard let byte = peek, byte != ASCII.cr else {
      return error("\(describe(at: pos)) is not allowed in a string")
    }
    let escape = "\\u" + Self.codePoint(UInt32(byte)).dropFirst(2)
    return error(
      "\(describe(at: pos)) is not allowed in a string; write it as \(escape) in a \"...\" string")
  }
}
