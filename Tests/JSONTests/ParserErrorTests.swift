import JSON
import Testing

@Suite("Parser: errors and offsets")
struct ParserErrorTests {
  typealias Case = (input: String, kind: JSONError.Kind, offset: Int)

  @Test(
    arguments: [
      ("", .empty, 0), ("   \n\t", .empty, 5),

      ("[1,2", .unexpectedEnd, 4), (#"{"a":"#, .unexpectedEnd, 5), (#""abc"#, .unexpectedEnd, 4),
      ("tru", .unexpectedEnd, 3), ("[", .unexpectedEnd, 1), ("{", .unexpectedEnd, 1),
      (#"{"a""#, .unexpectedEnd, 4), ("-", .unexpectedEnd, 1), ("1.", .unexpectedEnd, 2),
      ("1e", .unexpectedEnd, 2), ("1e+", .unexpectedEnd, 3), (#""\"#, .unexpectedEnd, 2),
      (#""\u12"#, .unexpectedEnd, 5), (#""\ud800"#, .unexpectedEnd, 7),
      (#""\ud800\"#, .unexpectedEnd, 8), ("[1,", .unexpectedEnd, 3),

      ("x", .unexpectedCharacter, 0), ("NaN", .unexpectedCharacter, 0),
      ("Infinity", .unexpectedCharacter, 0), ("[NaN]", .unexpectedCharacter, 1),
      ("+1", .unexpectedCharacter, 0), (".5", .unexpectedCharacter, 0),
      ("trux", .unexpectedCharacter, 3), ("nul1", .unexpectedCharacter, 3),
      ("True", .unexpectedCharacter, 0), ("[1,]", .unexpectedCharacter, 3),
      (#"{"a":1,}"#, .unexpectedCharacter, 7), ("[,1]", .unexpectedCharacter, 1),
      ("['a']", .unexpectedCharacter, 1), ("{'a':1}", .unexpectedCharacter, 1),
      ("{a:1}", .unexpectedCharacter, 1), ("// c\n1", .unexpectedCharacter, 0),
      ("[1/*c*/]", .unexpectedCharacter, 2), (#"{"a" 1}"#, .unexpectedCharacter, 5),
      (#"{"a":1 "b":2}"#, .unexpectedCharacter, 7), ("[1 2]", .unexpectedCharacter, 3),
      ("{1:2}", .unexpectedCharacter, 1), (#"{"a"=1}"#, .unexpectedCharacter, 4),
      ("[1}", .unexpectedCharacter, 2), (#"{"a":1]"#, .unexpectedCharacter, 6),
      ("\u{FEFF}1", .unexpectedCharacter, 0), ("é", .unexpectedCharacter, 0),
      ("[\u{0}]", .unexpectedCharacter, 1), ("\u{B}1", .unexpectedCharacter, 0),

      ("-Infinity", .invalidNumber, 1), ("012", .invalidNumber, 1), ("-012", .invalidNumber, 2),
      ("00", .invalidNumber, 1), ("[1.]", .invalidNumber, 3), ("[1e]", .invalidNumber, 3),
      ("[1e+]", .invalidNumber, 4), ("[-]", .invalidNumber, 2), ("- 1", .invalidNumber, 1),
      ("1.e5", .invalidNumber, 2), ("1e999", .invalidNumber, 0), ("[-1e999]", .invalidNumber, 1),
      ("1" + String(repeating: "0", count: 400), .invalidNumber, 0),
      ("0.1e400", .invalidNumber, 0),

      (#""\x""#, .invalidEscape, 1), (#""\u12G4""#, .invalidEscape, 1),
      (#""\U0041""#, .invalidEscape, 1),
      (#""\ud800""#, .invalidEscape, 1), (#""\udc00""#, .invalidEscape, 1),
      (#""\ud800\u0041""#, .invalidEscape, 1), (#""ab\ud800x""#, .invalidEscape, 3),
      (#""\ud800\ud800\udc00""#, .invalidEscape, 1), (#""\ud800\n""#, .invalidEscape, 1),
      (#""\'""#, .invalidEscape, 1), (#""\ ""#, .invalidEscape, 1),

      ("\"a\u{1}b\"", .controlCharacterInString, 2),
      ("\"tab\there\"", .controlCharacterInString, 4),
      ("\"line\nbreak\"", .controlCharacterInString, 5),
      ("\"\u{0}\"", .controlCharacterInString, 1),
      ("\"x\\n\u{1F}\"", .controlCharacterInString, 4),
      ("\"\u{1F}\"", .controlCharacterInString, 1),
      ("{\"\u{1F}\":1}", .controlCharacterInString, 2),

      (#"{"a":1,"a":2}"#, .duplicateKey, 7), (#"{"a":{"b":1,"b":2}}"#, .duplicateKey, 12),
      (#"{"a":1,"\u0061":2}"#, .duplicateKey, 7),

      ("1 2", .trailingData, 2), ("{} x", .trailingData, 3), ("[1]]", .trailingData, 3),
      ("truex", .trailingData, 4), (#""a""b""#, .trailingData, 3), ("1,", .trailingData, 1),
      ("0x1F", .trailingData, 1), ("1.5.3", .trailingData, 3),
    ] as [Case])
  func rejects(input: String, kind: JSONError.Kind, offset: Int) {
    let error = parseError(input)
    #expect(error?.kind == kind, "\(input.debugDescription): \(String(describing: error))")
    #expect(error?.offset == offset, "\(input.debugDescription): \(String(describing: error))")
  }

  @Test(
    arguments: [
      ([0xFF], 0), ([0x22, 0x61, 0xFF, 0x22], 2), ([0x5B, 0x31, 0x2C, 0xC3, 0x5D], 3),
      ([0x31, 0xFF], 1), ([0x22, 0xC3], 1), ([0x7B, 0x22, 0xE2, 0x82, 0x22, 0x3A, 0x31, 0x7D], 2),
    ] as [([UInt8], Int)])
  func rejectsInvalidUTF8Anywhere(input: [UInt8], offset: Int) {
    #expect(parseError(input) == JSONError(kind: .invalidUTF8, offset: offset))
  }

  @Test func tooDeepPointsAtTheFirstBracketOverTheLimit() {
    #expect(parseError(String(repeating: "[", count: 33)) == JSONError(kind: .tooDeep, offset: 32))
    let objects = String(repeating: #"{"a":"#, count: 33) + "1" + String(repeating: "}", count: 33)
    #expect(parseError(objects) == JSONError(kind: .tooDeep, offset: 160))
  }

  @Test func tooLargeIsCheckedBeforeParsing() {
    let garbage = [UInt8](repeating: 0xFF, count: 10)
    #expect(
      parseError(garbage, limits: .init(maxBytes: 9)) == JSONError(kind: .tooLarge, offset: 9))
    let huge = [UInt8](repeating: 0x20, count: (1 << 20) + 1)
    #expect(parseError(huge) == JSONError(kind: .tooLarge, offset: 1 << 20))
  }

  @Test func duplicateKeysInLargeObjects() {
    // Past the linear-scan threshold the parser switches to a set; both must catch duplicates.
    for duplicateOf in [0, 5, 11, 12, 13, 40] {
      var members = (0..<50).map { #""k\#($0)":\#($0)"# }
      members.insert(#""k\#(duplicateOf)":0"#, at: 45)
      let text = "{" + members.joined(separator: ",") + "}"
      let offset = text.utf8.count - members[45...].joined(separator: ",").utf8.count - 1
      let error = parseError(text)
      #expect(
        error == JSONError(kind: .duplicateKey, offset: offset), "duplicate of k\(duplicateOf)")
    }
  }

  @Test(arguments: [
    ("x", "unexpected character 'x' at byte 0"),
    ("", "empty document"),
    ("[1,", "unexpected end of input at byte 3"),
    ("\"\u{1b}[31m\"", "unescaped control character '\\x1B' in string at byte 1"),
    ("é", "unexpected character '\\xC3\\xA9' at byte 0"),
    ("[\u{202E}]", "unexpected character '\\xE2\\x80\\xAE' at byte 1"),
    (#""\q""#, "invalid escape '\\\\q\"' at byte 1"),
    (#""\ud800x""#, "invalid escape '\\\\ud800' at byte 1"),
    ("012", "invalid number at byte 1"),
    (#"{"a":1,"a":2}"#, "duplicate object key at byte 7"),
    ("1 'x'", "unexpected data '\\'' after the document at byte 2"),
    (String(repeating: "[", count: 40), "nesting too deep at byte 32"),
  ])
  func descriptions(input: String, expected: String) {
    #expect(parseError(input)?.description == expected)
  }

  @Test func descriptionOfInvalidUTF8() {
    #expect(
      parseError([0x22, 0xC0, 0x80, 0x22])?.description == "invalid UTF-8 '\\xC0\\x80' at byte 1")
    #expect(parseError([0xFF])?.description == "invalid UTF-8 '\\xFF' at byte 0")
    #expect(
      parseError(bytes("12"), limits: .init(maxBytes: 1))?.description
        == "document larger than the 1-byte limit")
  }

  @Test func descriptionNeverEchoesMuchInput() {
    let hostile = "[" + String(repeating: "\u{1b}[2J", count: 1000) + "]"
    let description = parseError(hostile)?.description ?? ""
    #expect(description == "unexpected character '\\x1B' at byte 1")
    let escape = #""\u"# + String(repeating: "Z", count: 1000)
    #expect(parseError(escape)?.description == "invalid escape '\\\\uZZZZ' at byte 1")
  }

  @Test func equalityIgnoresExcerpt() {
    #expect(parseError("x") == JSONError(kind: .unexpectedCharacter, offset: 0))
    #expect(parseError("x") != JSONError(kind: .unexpectedCharacter, offset: 1))
    #expect(parseError("x") != JSONError(kind: .trailingData, offset: 0))
    #expect(JSONError.Kind(rawValue: "tooDeep") == .tooDeep)
  }
}
