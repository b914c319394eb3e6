/// Scalars: strings, numbers and literals, plus the UTF-8 validation and error helpers they share.
extension JSONScanner {
  // MARK: Strings

  /// `position` is at the opening quote. The common case (no escapes) becomes a `String` straight
  /// from the input bytes, which for short keys is an allocation-free small string.
  mutating func parseString() throws(JSONError) -> String {
    let start = position + 1
    var index = start
    while index < end {
      let byte = input[index]
      if byte == UInt8(ascii: "\"") {
        position = index + 1
        return String(decoding: UnsafeBufferPointer(rebasing: input[start..<index]), as: UTF8.self)
      }
      if byte == UInt8(ascii: "\\") { return try parseEscaped(start: start, from: index) }
      if byte < 0x20 { throw JSONError(.controlCharacterInString, at: index, excerpt: [byte]) }
      index += byte < 0x80 ? 1 : try utf8Length(at: index)
    }
    throw unexpectedEnd()
  }

  /// The slow path: copies what was scanned so far into `scratch` and decodes from the escape on.
  private mutating func parseEscaped(start: Int, from escape: Int) throws(JSONError) -> String {
    scratch.removeAll(keepingCapacity: true)
    scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<escape]))
    var index = escape
    while index < end {
      let byte = input[index]
      switch byte {
      case UInt8(ascii: "\""):
        position = index + 1
        return String(decoding: scratch, as: UTF8.self)
      case UInt8(ascii: "\\"):
        index = try decodeEscape(at: index)
      case 0..<0x20:
        throw JSONError(.controlCharacterInString, at: index, excerpt: [byte])
      case 0..<0x80:
        scratch.append(byte)
        index += 1
      default:
        let length = try utf8Length(at: index)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[index..<index + length]))
        index += length
      }
    }
    throw unexpectedEnd()
  }

  /// Appends the decoded escape at `escape` (a backslash) to `scratch`; returns the index after it.
  /// Surrogates must come as a proper pair: a lone one cannot be represented in UTF-8.
  private mutating func decodeEscape(at escape: Int) throws(JSONError) -> Int {
    guard escape + 1 < end else { throw unexpectedEnd() }
    let decoded: UInt8
    switch input[escape + 1] {
    case UInt8(ascii: "\""): decoded = 0x22
    case UInt8(ascii: "\\"): decoded = 0x5C
    case UInt8(ascii: "/"): decoded = 0x2F
    case UInt8(ascii: "b"): decoded = 0x08
    case UInt8(ascii: "f"): decoded = 0x0C
    case UInt8(ascii: "n"): decoded = 0x0A
    case UInt8(ascii: "r"): decoded = 0x0D
    case UInt8(ascii: "t"): decoded = 0x09
    case UInt8(ascii: "u"):
      var scalar = try hex4(at: escape + 2, escape: escape)
      var next = escape + 6
      if (0xDC00...0xDFFF).contains(scalar) { throw invalidEscape(at: escape) }
      if (0xD800...0xDBFF).contains(scalar) {
        guard next < end else { throw unexpectedEnd() }
        guard input[next] == UInt8(ascii: "\\") else { throw invalidEscape(at: escape) }
        guard next + 1 < end else { throw unexpectedEnd() }
        guard input[next + 1] == UInt8(ascii: "u") else { throw invalidEscape(at: escape) }
        let low = try hex4(at: next + 2, escape: escape)
        guard (0xDC00...0xDFFF).contains(low) else { throw invalidEscape(at: escape) }
        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        next += 6
      }
      // Surrogates were excluded above, so this always succeeds.
      if let unicode = Unicode.Scalar(scalar) { scratch.append(contentsOf: UTF8.encode(unicode)!) }
      return next
    default:
      throw invalidEscape(at: escape)
    }
    scratch.append(decoded)
    return escape + 2
  }

  private func hex4(at start: Int, escape: Int) throws(JSONError) -> UInt32 {
    var value: UInt32 = 0
    for index in start..<start + 4 {
      guard index < end else { throw unexpectedEnd() }
      let byte = input[index]
      let digit: UInt8
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
      default: throw invalidEscape(at: escape)
      }
      value = value << 4 | UInt32(digit)
    }
    return value
  }

  // MARK: Numbers

  /// `position` is at '-' or a digit. Digits are accumulated while scanning, so the usual device
  /// numbers (integers, short decimals) never build a String; only long or extreme ones do.
  mutating func parseNumber() throws(JSONError) -> Double {
    let start = position
    var index = position
    let negative = input[index] == UInt8(ascii: "-")
    if negative { index += 1 }
    var mantissa: UInt64 = 0
    var significantDigits = 0
    var truncated = false  // more than 19 significant digits: the mantissa is no longer exact
    var exponent = 0

    guard index < end else { throw unexpectedEnd() }
    let first = input[index]
    if first == UInt8(ascii: "0") {
      index += 1
      if index < end, Self.isDigit(input[index]) { throw JSONError(.invalidNumber, at: index) }
    } else if Self.isDigit(first) {
      while index < end, Self.isDigit(input[index]) {
        if significantDigits < 19 {
          mantissa = mantissa &* 10 &+ UInt64(input[index] &- 0x30)
          significantDigits += 1
        } else {
          truncated = true
          exponent += 1
        }
        index += 1
      }
    } else {
      throw JSONError(.invalidNumber, at: index)
    }

    if index < end, input[index] == UInt8(ascii: ".") {
      index += 1
      guard index < end else { throw unexpectedEnd() }
      guard Self.isDigit(input[index]) else { throw JSONError(.invalidNumber, at: index) }
      while index < end, Self.isDigit(input[index]) {
        if significantDigits < 19 {
          mantissa = mantissa &* 10 &+ UInt64(input[index] &- 0x30)
          if mantissa != 0 { significantDigits += 1 }
          exponent -= 1
        } else {
          truncated = true
        }
        index += 1
      }
    }

    if index < end, input[index] | 0x20 == UInt8(ascii: "e") {
      index += 1
      guard index < end else { throw unexpectedEnd() }
      var exponentNegative = false
      if input[index] == UInt8(ascii: "-") || input[index] == UInt8(ascii: "+") {
        exponentNegative = input[index] == UInt8(ascii: "-")
        index += 1
        guard index < end else { throw unexpectedEnd() }
      }
      guard Self.isDigit(input[index]) else { throw JSONError(.invalidNumber, at: index) }
      var written = 0
      while index < end, Self.isDigit(input[index]) {
        if written < 100_000 { written = written * 10 + Int(input[index] &- 0x30) }
        index += 1
      }
      exponent += exponentNegative ? -written : written
    }
    position = index

    if !truncated {
      // Exact integer, or Clinger's fast path: both operands are exact doubles, so one correctly
      // rounded multiply or divide gives the correctly rounded result.
      var magnitude: Double?
      if mantissa == 0 {
        magnitude = 0
      } else if exponent == 0 {
        magnitude = Double(mantissa)
      } else if mantissa <= 1 << 53, exponent >= -22, exponent <= 22 {
        let scale = Self.powersOfTen[abs(exponent)]
        magnitude = exponent < 0 ? Double(mantissa) / scale : Double(mantissa) * scale
      }
      if let magnitude { return negative ? -magnitude : magnitude }
    }
    let text = String(decoding: UnsafeBufferPointer(rebasing: input[start..<index]), as: UTF8.self)
    guard let number = Double(text), number.isFinite else {
      throw JSONError(.invalidNumber, at: start)
    }
    return number
  }

  private static let powersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
  ]

  @inline(__always)
  private static func isDigit(_ byte: UInt8) -> Bool {
    byte &- UInt8(ascii: "0") < 10
  }

  // MARK: Literals

  mutating func expectLiteral(_ literal: StaticString) throws(JSONError) {
    let count = literal.utf8CodeUnitCount
    for offset in 0..<count {
      let index = position + offset
      guard index < end else { throw unexpectedEnd() }
      guard input[index] == literal.utf8Start[offset] else { throw unexpected(at: index) }
    }
    position += count
  }

  // MARK: UTF-8 and errors

  /// Length of the well-formed UTF-8 sequence at `index` (Unicode table 3-7: no overlongs,
  /// surrogates or code points above U+10FFFF), or nil.
  func validUTF8Length(at index: Int) -> Int? {
    let lead = input[index]
    func isContinuation(_ offset: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool {
      index + offset < end && range.contains(input[index + offset])
    }
    switch lead {
    case 0x00...0x7F: return 1
    case 0xC2...0xDF: return isContinuation(1) ? 2 : nil
    case 0xE0: return isContinuation(1, 0xA0...0xBF) && isContinuation(2) ? 3 : nil
    case 0xE1...0xEC, 0xEE...0xEF: return isContinuation(1) && isContinuation(2) ? 3 : nil
    case 0xED: return isContinuation(1, 0x80...0x9F) && isContinuation(2) ? 3 : nil
    case 0xF0:
      return isContinuation(1, 0x90...0xBF) && isContinuation(2) && isContinuation(3) ? 4 : nil
    case 0xF1...0xF3:
      return isContinuation(1) && isContinuation(2) && isContinuation(3) ? 4 : nil
    case 0xF4:
      return isContinuation(1, 0x80...0x8F) && isContinuation(2) && isContinuation(3) ? 4 : nil
    default: return nil
    }
  }

  func utf8Length(at index: Int) throws(JSONError) -> Int {
    guard let length = validUTF8Length(at: index) else { throw invalidUTF8(at: index) }
    return length
  }

  private func invalidUTF8(at index: Int) -> JSONError {
    // Show the lead byte and any continuation bytes after it, which is what made it invalid.
    var stop = index + 1
    while stop < end, stop - index < 4, input[stop] & 0xC0 == 0x80 { stop += 1 }
    return JSONError(.invalidUTF8, at: index, excerpt: excerpt(index..<stop))
  }

  /// An out-of-place character. Bytes that are not even UTF-8 are reported as such, wherever they
  /// appear, so `invalidUTF8` always means the transport or device is sending garbage.
  func unexpected(at index: Int, kind: JSONError.Kind = .unexpectedCharacter) -> JSONError {
    guard let length = validUTF8Length(at: index) else { return invalidUTF8(at: index) }
    return JSONError(kind, at: index, excerpt: excerpt(index..<index + length))
  }

  func unexpectedEnd() -> JSONError {
    JSONError(.unexpectedEnd, at: end)
  }

  private func invalidEscape(at escape: Int) -> JSONError {
    JSONError(.invalidEscape, at: escape, excerpt: excerpt(escape..<min(escape + 6, end)))
  }

  private func excerpt(_ range: Range<Int>) -> [UInt8] {
    Array(input[range.clamped(to: 0..<end).prefix(JSONError.maxExcerpt)])
  }
}
