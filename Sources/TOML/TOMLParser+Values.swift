extension TOMLParser.Reader {
  /// Any value; the cursor is on its first character.
  mutating func parseValue() throws(TOMLError) -> TOMLValue {
    guard let byte = peek else { throw error("expected a value, found end of file") }
    switch byte {
    case ASCII.quote:
      return .string(try isTripled(byte) ? parseMultilineBasicString() : parseBasicString())
    case ASCII.apostrophe:
      return .string(try isTripled(byte) ? parseMultilineLiteralString() : parseLiteralString())
    case ASCII.lbracket:
      return try parseArray()
    case ASCII.lbrace:
      return try parseInlineTable()
    default:
      if ASCII.isDigit(byte) && (looksLikeDate() || looksLikeTime()) {
        return try parseDateTime()
      }
      if ASCII.isWordByte(byte) { return try parseWord() }
      throw error("expected a value, found \(describe(at: pos))")
    }
  }

  func isTripled(_ byte: UInt8) -> Bool {
    self.byte(at: 1) == byte && self.byte(at: 2) == byte
  }

  /// Booleans, numbers, inf/nan, and unquoted text (which gets a helpful error).
  mutating func parseWord() throws(TOMLError) -> TOMLValue {
    let start = mark
    while let byte = peek, ASCII.isWordByte(byte) { pos += 1 }
    let word = bytes[start.index..<pos]
    if word.elementsEqual("true".utf8) { return .boolean(true) }
    if word.elementsEqual("false".utf8) { return .boolean(false) }
    let first = word[word.startIndex]
    if ASCII.isLetter(first) || first == ASCII.underscore,
      !word.elementsEqual("inf".utf8), !word.elementsEqual("nan".utf8)
    {
      let text = tokenText(from: start.index)
      let lower = text.lowercased()
      if lower == "true" || lower == "false" {
        throw error(
          "invalid value '\(text)': booleans are written in lowercase, true or false", at: start)
      }
      throw error("invalid value '\(text)': text must be in quotes, e.g. \"\(text)\"", at: start)
    }
    return try number(word, at: start)
  }

  /// `[ v, v, ]`: any types, newlines and comments between elements, trailing comma allowed.
  mutating func parseArray() throws(TOMLError) -> TOMLValue {
    let open = mark
    try enterNesting()
    defer { depth -= 1 }
    pos += 1
    var items: [TOMLValue] = []
    while true {
      try skipBlank()
      if peek == ASCII.rbracket {
        pos += 1
        return .array(items)
      }
      try checkArrayContinues(open)
      items.append(try parseValue())
      try skipBlank()
      switch peek {
      case ASCII.comma:
        pos += 1
      case ASCII.rbracket:
        pos += 1
        return .array(items)
      default:
        try checkArrayContinues(open)
        throw error("expected ',' or ']' after an array element, found \(describe(at: pos))")
      }
    }
  }

  /// A forgotten ']' surfaces as end of file or as the next line's `key = ...`;
  /// blame the '[' instead of the innocent next line.
  func checkArrayContinues(_ open: Mark) throws(TOMLError) {
    if peek == nil || (line > open.line && looksLikeKeyValue()) {
      throw error("unterminated array: missing ']'", at: open)
    }
  }

  func looksLikeKeyValue() -> Bool {
    var index = pos
    while index < bytes.count {
      let byte = bytes[index]
      guard ASCII.isBareKey(byte) || byte == ASCII.dot || byte == ASCII.space || byte == ASCII.tab
      else { break }
      index += 1
    }
    return index > pos && index < bytes.count && bytes[index] == ASCII.equals
  }

  /// `{ k = v, k = v }`: one line, no trailing comma, closed once written.
  mutating func parseInlineTable() throws(TOMLError) -> TOMLValue {
    let open = mark
    try enterNesting()
    defer { depth -= 1 }
    pos += 1
    let table = TableNode(kind: .explicit, line: open.line, path: "")
    skipWhitespace()
    if peek == ASCII.rbrace {
      pos += 1
      return .table(table.makeTable())
    }
    while true {
      skipWhitespace()
      if peek == nil || peek == ASCII.hash || atNewline {
        throw unterminatedInlineTable(open)
      }
      try parseKeyValue(into: table)
      skipWhitespace()
      switch peek {
      case ASCII.comma:
        let comma = mark
        pos += 1
        skipWhitespace()
        if peek == ASCII.rbrace {
          throw error("trailing comma is not allowed in an inline table", at: comma)
        }
      case ASCII.rbrace:
        pos += 1
        return .table(table.makeTable())
      case nil, ASCII.hash, ASCII.lf, ASCII.cr:
        throw unterminatedInlineTable(open)
      default:
        throw error("expected ',' or '}' in inline table, found \(describe(at: pos))")
      }
    }
  }

  func unterminatedInlineTable(_ open: Mark) -> TOMLError {
    error(
      "unterminated inline table: missing '}' (an inline table must be written on one line)",
      at: open)
  }

  mutating func enterNesting() throws(TOMLError) {
    guard depth < Self.maxDepth else {
      throw error(
        "arrays and inline tables are nested too deeply (more than \(Self.maxDepth) levels)")
    }
    depth += 1
  }
}
