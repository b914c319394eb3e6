/// Parses TOML 1.0 documents.
///
///     let config = try TOMLParser.parse(text)
///     config["local_broker"]?.tableValue?["port"]   // .integer(1883)
///
/// Errors carry the line and column of the offending character.
public enum TOMLParser {
  public static func parse(_ text: String) throws(TOMLError) -> TOMLTable {
    var reader = Reader(text)
    return try reader.parseDocument()
  }
}

extension TOMLParser {
  /// A saved position, so an error can point back at a token after the cursor moved on
  /// (e.g. a duplicate key is only detected once its line is known).
  struct Mark {
    let line: Int
    let lineStart: Int
    let index: Int

    /// Another spot on the same line.
    func moved(to index: Int) -> Mark {
      Mark(line: line, lineStart: lineStart, index: index)
    }
  }

  /// One part of a (possibly dotted) key and where it was written.
  struct KeyPart {
    let name: String
    let mark: Mark
  }

  /// The parse state. It walks UTF-8 bytes: every TOML delimiter is ASCII, and
  /// bytes avoid the cost of grapheme breaking on Character.
  struct Reader {
    let bytes: [UInt8]
    var pos = 0
    var line = 1
    var lineStart = 0
    /// Current nesting of arrays and inline tables. It and the number of parts in a key
    /// are capped, so hostile input cannot recurse deep enough to exhaust a thread's stack.
    var depth = 0
    static let maxDepth = 100

    init(_ text: String) {
      bytes = Array(text.utf8)
      if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {  // UTF-8 BOM, as some Windows editors write it
        pos = 3
        lineStart = 3
      }
    }
  }
}

extension TOMLParser.Reader {
  typealias Mark = TOMLParser.Mark
  typealias KeyPart = TOMLParser.KeyPart
  typealias TableNode = TOMLParser.TableNode

  mutating func parseDocument() throws(TOMLError) -> TOMLTable {
    let root = TableNode(kind: .explicit, line: 1, path: "")
    var current = root
    while true {
      skipWhitespace()
      guard let byte = peek else { break }
      if byte == ASCII.hash {
        try skipComment()
        continue
      }
      if consumeNewline() { continue }
      if byte == ASCII.lbracket {
        let open = mark
        let isArray = self.byte(at: 1) == ASCII.lbracket
        let key = try parseHeader(isArray: isArray)
        current =
          try isArray
          ? openArrayTable(key, in: root, open: open) : openTable(key, in: root, open: open)
        let header = isArray ? "[[\(display(key))]]" : "[\(display(key))]"
        try expectLineEnd(after: "table header \(header)")
      } else {
        let key = try parseKeyValue(into: current)
        try expectLineEnd(after: "the value of key '\(display(key))'")
      }
    }
    return root.makeTable()
  }

  /// `[a.b]` or `[[a.b]]`; the cursor is on the first '['.
  mutating func parseHeader(isArray: Bool) throws(TOMLError) -> [KeyPart] {
    pos += isArray ? 2 : 1
    let key = try parseKey(expecting: "a table name")
    let close = isArray ? "]]" : "]"
    guard peek == ASCII.rbracket else {
      throw error(
        "expected '\(close)' after table name '\(display(key))', found \(describe(at: pos))")
    }
    pos += 1
    if isArray {
      guard peek == ASCII.rbracket else {
        throw error("expected ']]' to close [[\(display(key))]], found \(describe(at: pos))")
      }
      pos += 1
    }
    return key
  }

  /// `key = value`, in the document or inside an inline table. Returns the key for messages.
  @discardableResult
  mutating func parseKeyValue(into table: TableNode) throws(TOMLError) -> [KeyPart] {
    let key = try parseKey(expecting: "a key")
    guard peek == ASCII.equals else {
      if peek == ASCII.colon {
        throw error("expected '=' after key '\(display(key))' (TOML uses '=', not ':')")
      }
      throw error("expected '=' after key '\(display(key))'")
    }
    pos += 1
    skipWhitespace()
    switch peek {
    case nil, ASCII.lf, ASCII.cr, ASCII.hash, ASCII.comma, ASCII.rbrace, ASCII.rbracket:
      throw error("missing value for key '\(display(key))'")
    default:
      break
    }
    // Check the key before reading the value so errors come out in source order.
    let parent = try dottedParent(key, in: table)
    let value = try parseValue()
    let last = key[key.count - 1]
    parent.add(last.name, .value(value), line: last.mark.line)
    return key
  }

  /// A bare, quoted or dotted key. Leaves the cursor after trailing whitespace.
  mutating func parseKey(expecting what: String) throws(TOMLError) -> [KeyPart] {
    var parts: [KeyPart] = []
    while true {
      skipWhitespace()
      let start = mark
      guard let byte = peek else { throw error("expected \(what), found end of file") }
      let name: String
      if byte == ASCII.quote || byte == ASCII.apostrophe {
        if self.byte(at: 1) == byte && self.byte(at: 2) == byte {
          throw error("a multi-line string cannot be used as a key")
        }
        name = try byte == ASCII.quote ? parseBasicString() : parseLiteralString()
      } else if ASCII.isBareKey(byte) {
        while let next = peek, ASCII.isBareKey(next) { pos += 1 }
        name = String(decoding: bytes[start.index..<pos], as: UTF8.self)
        if let next = peek, ASCII.isStrayKeyByte(next) { throw invalidKeyCharacter() }
      } else if ASCII.isStrayKeyByte(byte) {
        throw invalidKeyCharacter()
      } else if byte == ASCII.equals && parts.isEmpty {
        throw error("missing key before '='")
      } else {
        let expected = parts.isEmpty ? what : "a key after '.'"
        throw error("expected \(expected), found \(describe(at: pos))")
      }
      parts.append(KeyPart(name: name, mark: start))
      if parts.count > Self.maxDepth {
        throw error("key has too many parts (more than \(Self.maxDepth))", at: start)
      }
      skipWhitespace()
      guard peek == ASCII.dot else { return parts }
      pos += 1
    }
  }

  func invalidKeyCharacter() -> TOMLError {
    error(
      "\(describe(at: pos)) is not allowed in a bare key; bare keys may only contain "
        + "A-Z, a-z, 0-9, '_' and '-' (put other keys in quotes)")
  }

  /// A key as the user would write it: `broker.port`, `"ENERGY.Power"`.
  func display(_ key: some Collection<KeyPart>) -> String {
    key.map { Self.quotedIfNeeded($0.name) }.joined(separator: ".")
  }

  static func quotedIfNeeded(_ name: String) -> String {
    if !name.isEmpty && name.utf8.allSatisfy(ASCII.isBareKey) { return name }
    // Escaped as TOML would, so a key like "a\nb" cannot break a one-line log message.
    var quoted = "\""
    for scalar in name.unicodeScalars {
      switch scalar {
      case "\"", "\\": quoted += "\\\(scalar)"
      case "\t": quoted += "\\t"
      case "\n": quoted += "\\n"
      case "\r": quoted += "\\r"
      case _ where scalar.value < 0x20 || scalar.value == 0x7F:
        quoted += "\\u" + codePoint(scalar.value).dropFirst(2)
      default: quoted.unicodeScalars.append(scalar)
      }
    }
    return quoted + "\""
  }
}
