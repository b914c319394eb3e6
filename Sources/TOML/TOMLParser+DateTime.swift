extension TOMLParser.Reader {
  /// `YYYY-` ahead.
  func looksLikeDate() -> Bool {
    (0..<4).allSatisfy { ASCII.isDigit(byte(at: $0)) } && byte(at: 4) == ASCII.minus
  }

  /// `HH:` ahead.
  func looksLikeTime() -> Bool {
    ASCII.isDigit(byte(at: 0)) && ASCII.isDigit(byte(at: 1)) && byte(at: 2) == ASCII.colon
  }

  /// Offset date-time, local date-time, local date or local time (RFC 3339 shapes).
  /// The ranges are checked, and the source text is kept as the value.
  mutating func parseDateTime() throws(TOMLError) -> TOMLValue {
    let start = mark
    if looksLikeTime() {
      try scanTime(start)
    } else {
      try scanDate(start)
      var hasTime = false
      if peek == 0x54 || peek == 0x74 {  // T t
        pos += 1
        hasTime = true
      } else if peek == ASCII.space && ASCII.isDigit(byte(at: 1)) && ASCII.isDigit(byte(at: 2))
        && byte(at: 3) == ASCII.colon
      {
        pos += 1  // RFC 3339 allows a space instead of T; a date then a comment does not match this
        hasTime = true
      }
      if hasTime {
        try scanTime(start)
        try scanOffset(start)
      }
    }
    if let byte = peek, ASCII.isWordByte(byte) || byte == ASCII.colon {
      throw error("invalid date-time '\(dateTimeText(start))'", at: start)
    }
    return .dateTime(String(decoding: bytes[start.index..<pos], as: UTF8.self))
  }

  mutating func scanDate(_ start: Mark) throws(TOMLError) {
    guard let year = digits(4, at: 0), byte(at: 4) == ASCII.minus,
      let month = digits(2, at: 5), byte(at: 7) == ASCII.minus,
      let day = digits(2, at: 8), !ASCII.isDigit(byte(at: 10))
    else {
      throw error("invalid date '\(dateTimeText(start))': dates are written YYYY-MM-DD", at: start)
    }
    guard (1...12).contains(month) else {
      throw error("invalid date '\(dateTimeText(start))': month must be 01 to 12", at: start)
    }
    let days = Self.daysIn(month: month, year: year)
    guard (1...days).contains(day) else {
      throw error(
        "invalid date '\(dateTimeText(start))': day must be 01 to \(days) in that month", at: start)
    }
    pos += 10
  }

  /// HH:MM:SS with optional fraction. Seconds are mandatory in TOML 1.0.
  mutating func scanTime(_ start: Mark) throws(TOMLError) {
    guard let hour = digits(2, at: 0), byte(at: 2) == ASCII.colon, let minute = digits(2, at: 3)
    else {
      throw error(
        "invalid date-time '\(dateTimeText(start))': expected a time written HH:MM:SS", at: start)
    }
    guard byte(at: 5) == ASCII.colon, let second = digits(2, at: 6) else {
      throw error(
        "invalid time '\(dateTimeText(start))': seconds are required (HH:MM:SS)", at: start)
    }
    guard hour <= 23, minute <= 59, second <= 60 else {  // 60: leap second, as RFC 3339 allows
      throw error(
        "invalid time '\(dateTimeText(start))': hours must be 00-23, minutes and seconds 00-59",
        at: start)
    }
    pos += 8
    if peek == ASCII.dot {
      guard ASCII.isDigit(byte(at: 1)) else {
        throw error(
          "invalid time '\(dateTimeText(start))': expected digits after the decimal point",
          at: start)
      }
      pos += 1
      while ASCII.isDigit(peek) { pos += 1 }
    }
  }

  /// Z, z, +HH:MM or -HH:MM (optional: without it the date-time is local).
  mutating func scanOffset(_ start: Mark) throws(TOMLError) {
    if peek == 0x5A || peek == 0x7A {  // Z z
      pos += 1
      return
    }
    guard peek == ASCII.plus || peek == ASCII.minus else { return }
    guard let hour = digits(2, at: 1), byte(at: 3) == ASCII.colon, let minute = digits(2, at: 4),
      hour <= 23, minute <= 59
    else {
      throw error(
        "invalid date-time '\(dateTimeText(start))': "
          + "the time zone offset must be Z or +HH:MM / -HH:MM",
        at: start)
    }
    pos += 6
  }

  /// `count` decimal digits at `pos + offset`, or nil.
  func digits(_ count: Int, at offset: Int) -> Int? {
    var value = 0
    for index in offset..<(offset + count) {
      guard let byte = byte(at: index), ASCII.isDigit(byte) else { return nil }
      value = value * 10 + Int(byte - ASCII.zero)
    }
    return value
  }

  static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
  }

  /// The date-time as written, including a time after a space, for messages.
  func dateTimeText(_ start: Mark) -> String {
    var text = tokenText(from: start.index)
    let after = start.index + text.utf8.count
    if after + 1 < bytes.count, bytes[after] == ASCII.space, ASCII.isDigit(bytes[after + 1]),
      text.utf8.count == 10
    {
      text += " " + tokenText(from: after + 1)
    }
    return text
  }
}
