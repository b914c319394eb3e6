extension TOMLParser.Reader {
  /// Validates a number token against the TOML 1.0 grammar and converts it.
  /// `start` marks the token's first character; errors point into the token.
  func number(_ token: ArraySlice<UInt8>, at start: Mark) throws(TOMLError) -> TOMLValue {
    let text = String(decoding: token, as: UTF8.self)
    let end = token.endIndex
    var index = token.startIndex
    let negative = token[index] == ASCII.minus
    let signed = negative || token[index] == ASCII.plus
    if signed { index += 1 }
    let body = token[index...]
    if body.elementsEqual("inf".utf8) { return .float(negative ? -.infinity : .infinity) }
    if body.elementsEqual("nan".utf8) { return .float(negative ? -.nan : .nan) }

    if body.count >= 2, body[index] == ASCII.zero {
      let prefix = body[index + 1]
      if let radix = Self.radix(prefix) {
        if signed {
          throw error(
            "invalid number '\(text)': hex, octal and binary numbers cannot have a sign", at: start)
        }
        return .integer(
          try radixInteger(token[(index + 2)...], radix: radix, text: text, at: start))
      }
      if prefix == 0x58 || prefix == 0x4F || prefix == 0x42 {  // X O B
        throw error(
          "invalid number '\(text)': write the prefix in lowercase (0x, 0o, 0b)", at: start)
      }
    }

    // Decimal integer part: no leading zeros, underscores only between digits.
    let intEnd = try digitRun(
      token, from: index, at: start, isDigit: { ASCII.isDigit($0) },
      missing: "invalid number '\(text)'")
    if token[index] == ASCII.zero && intEnd - index > 1 {
      throw error("invalid number '\(text)': leading zeros are not allowed", at: start)
    }
    var cursor = intEnd
    var isFloat = false
    if cursor < end && token[cursor] == ASCII.dot {
      isFloat = true
      cursor = try digitRun(
        token, from: cursor + 1, at: start, isDigit: { ASCII.isDigit($0) },
        missing: "invalid number '\(text)': expected a digit after the decimal point")
    }
    if cursor < end && (token[cursor] == 0x65 || token[cursor] == 0x45) {  // e E
      isFloat = true
      cursor += 1
      if cursor < end && (token[cursor] == ASCII.plus || token[cursor] == ASCII.minus) {
        cursor += 1
      }
      cursor = try digitRun(
        token, from: cursor, at: start, isDigit: { ASCII.isDigit($0) },
        missing: "invalid number '\(text)': expected digits in the exponent")
    }
    guard cursor == end else { throw error("invalid number '\(text)'", at: start) }

    if isFloat {
      var digits = ""
      digits.reserveCapacity(token.count)
      for byte in token where byte != ASCII.underscore {
        digits.unicodeScalars.append(Unicode.Scalar(byte))
      }
      guard let value = Double(digits) else { throw error("invalid number '\(text)'", at: start) }
      guard value.isFinite else {
        throw error("float \(text) is out of range for a 64-bit float", at: start)
      }
      return .float(value)
    }
    let magnitude = try accumulate(token[index..<intEnd], radix: 10, text: text, at: start)
    let limit = negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
    guard magnitude <= limit else { throw outOfRange(text, at: start) }
    if negative {
      return .integer(magnitude == limit ? Int64.min : -Int64(magnitude))
    }
    return .integer(Int64(magnitude))
  }

  static func radix(_ prefix: UInt8) -> UInt64? {
    switch prefix {
    case 0x78: 16  // x
    case 0x6F: 8  // o
    case 0x62: 2  // b
    default: nil
    }
  }

  /// The digits after 0x / 0o / 0b. Leading zeros are fine here; signs are not.
  func radixInteger(_ digits: ArraySlice<UInt8>, radix: UInt64, text: String, at start: Mark)
    throws(TOMLError) -> Int64
  {
    let isDigit: (UInt8) -> Bool =
      switch radix {
      case 16: { ASCII.isHexDigit($0) }
      case 8: { $0 >= 0x30 && $0 <= 0x37 }
      default: { $0 == 0x30 || $0 == 0x31 }
      }
    let kind = radix == 16 ? "hexadecimal" : radix == 8 ? "octal" : "binary"
    let end = try digitRun(
      digits, from: digits.startIndex, at: start, isDigit: isDigit,
      missing: "invalid number '\(text)': expected \(kind) digits after the prefix")
    guard end == digits.endIndex else {
      let bad = digits[end]
      if ASCII.isLetter(bad) || ASCII.isDigit(bad) {
        throw error(
          "invalid number '\(text)': '\(Character(Unicode.Scalar(bad)))' is not a \(kind) digit",
          at: start.moved(to: end))
      }
      throw error("invalid number '\(text)'", at: start)
    }
    let magnitude = try accumulate(digits, radix: radix, text: text, at: start)
    guard magnitude <= UInt64(Int64.max) else { throw outOfRange(text, at: start) }
    return Int64(magnitude)
  }

  /// Skips digits with single underscores between them; returns the index after the run.
  func digitRun(
    _ token: ArraySlice<UInt8>, from start: Int, at mark: Mark, isDigit: (UInt8) -> Bool,
    missing: String
  ) throws(TOMLError) -> Int {
    guard start < token.endIndex, isDigit(token[start]) else {
      throw error(missing, at: start < token.endIndex ? mark.moved(to: start) : mark)
    }
    var index = start + 1
    while index < token.endIndex {
      if isDigit(token[index]) {
        index += 1
      } else if token[index] == ASCII.underscore {
        guard index + 1 < token.endIndex, isDigit(token[index + 1]) else {
          let text = String(decoding: token, as: UTF8.self)
          throw error(
            "invalid number '\(text)': an underscore must be between two digits",
            at: mark.moved(to: index))
        }
        index += 2
      } else {
        break
      }
    }
    return index
  }

  /// The value of already-validated digits (underscores skipped), with overflow checks.
  func accumulate(_ digits: ArraySlice<UInt8>, radix: UInt64, text: String, at start: Mark)
    throws(TOMLError) -> UInt64
  {
    var value: UInt64 = 0
    for byte in digits where byte != ASCII.underscore {
      let (shifted, overflow1) = value.multipliedReportingOverflow(by: radix)
      let (sum, overflow2) = shifted.addingReportingOverflow(UInt64(hexValue(byte)))
      if overflow1 || overflow2 { throw outOfRange(text, at: start) }
      value = sum
    }
    return value
  }

  func outOfRange(_ text: String, at start: Mark) -> TOMLError {
    error(
      "integer \(text) is out of range (must be between \(Int64.min) and \(Int64.max))", at: start)
  }
}
