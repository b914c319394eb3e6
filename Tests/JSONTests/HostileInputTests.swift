import JSON
import Testing

@Suite("Parser: hostile input")
struct HostileInputTests {
  /// Whatever happens must be a value or a well-formed error; values must survive a round trip.
  private func checkSane(_ input: [UInt8], _ context: @autoclosure () -> String) {
    switch outcome(input) {
    case .value(let value):
      let rewritten = try? JSONParser.parse(JSONWriter.compact(value))
      #expect(rewritten == value, "round trip of \(context())")
    case .error(let error):
      #expect((0...input.count).contains(error.offset), "offset of \(context())")
      let description = error.description
      #expect(description.utf8.count < 90, "\(context())")
      #expect(description.utf8.allSatisfy { (0x20..<0x7F).contains($0) }, "\(context())")
    }
  }

  @Test func randomBytes() {
    var rng = SplitMix64(seed: 0xC1A5_56A7E)
    let jsonish =
      bytes(#"{}[]"":,.-+0123456789eEtruefalsnl \#t\#n\\/u"#) + [
        0x00, 0x1F, 0xC3, 0xA9, 0xFF, 0xED, 0xA0,
      ]
    for iteration in 0..<200_000 {
      let length = Int.random(in: 0...48, using: &rng)
      let useAlphabet = iteration % 2 == 0
      let input = (0..<length).map { _ in
        useAlphabet ? jsonish.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
      }
      checkSane(input, "random case \(iteration): \(input)")
    }
  }

  /// Mutating valid documents reaches much deeper into the grammar than random bytes do.
  @Test func mutatedDocuments() {
    var rng = SplitMix64(seed: 7)
    let seeds = [
      #"{"ts":1764380000123,"co2":812,"temperature":27.4,"humidity":61}"#,
      #"{"Time":"2026-11-29T08:00:00","ENERGY":{"Power":45,"Total":12.345},"AM2301":{"Temperature":27.1}}"#,
      #"[1,-2.5e-3,"a\"b\\c\u00e9\ud83d\ude00",true,false,null,{},[],{"x":[{"y":0}]}]"#,
    ].map(bytes)
    let inserts = bytes(#"{}[]",:.-+0e\u"#) + [0x00, 0x80, 0xC0, 0xED, 0xF4, 0xFF]
    for iteration in 0..<100_000 {
      var input = seeds[iteration % seeds.count]
      for _ in 0..<Int.random(in: 1...3, using: &rng) where !input.isEmpty {
        let position = Int.random(in: 0..<input.count, using: &rng)
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: input[position] = inserts.randomElement(using: &rng)!
        case 1: input.insert(inserts.randomElement(using: &rng)!, at: position)
        case 2: input.remove(at: position)
        default: input[position] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
        }
      }
      checkSane(input, "mutation \(iteration): \(input)")
    }
  }

  @Test func tenThousandDeepArraysAreTooDeep() {
    let input = [UInt8](repeating: UInt8(ascii: "["), count: 10_000)
    #expect(parseError(input) == JSONError(kind: .tooDeep, offset: 32))
    let objects = Array(String(repeating: #"{"a":"#, count: 10_000).utf8)
    #expect(parseError(objects) == JSONError(kind: .tooDeep, offset: 160))
  }

  /// With the limit lifted, nesting far beyond any safe recursion depth still can't overflow the
  /// machine stack, because the parser keeps its containers on the heap.
  @Test func hugeLimitDoesNotRecurse() {
    let limits = JSONParser.Limits(maxDepth: 10_000_000, maxBytes: 1 << 22)
    let open = [UInt8](repeating: UInt8(ascii: "["), count: 500_000)
    #expect(parseError(open, limits: limits) == JSONError(kind: .unexpectedEnd, offset: 500_000))
    let mixed = Array(String(repeating: #"[{"a":"#, count: 200_000).utf8) + [UInt8(ascii: "x")]
    #expect(parseError(mixed, limits: limits)?.kind == .unexpectedCharacter)
  }

  @Test(
    arguments: [
      // Overlong encodings.
      [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF], [0xF0, 0x80, 0x80, 0x80],
      [0xF0, 0x8F, 0xBF, 0xBF],
      // UTF-16 surrogates encoded directly.
      [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80],
      // Beyond U+10FFFF and never-valid bytes.
      [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xFE],
      [0xFF],
      // Stray continuation bytes and truncated sequences.
      [0x80], [0xBF], [0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xC3, 0x41], [0xE2, 0x41, 0x82],
    ] as [[UInt8]])
  func invalidUTF8InStrings(sequence: [UInt8]) {
    let input = [0x22] + sequence + [0x22]
    #expect(parseError(input) == JSONError(kind: .invalidUTF8, offset: 1))
    let inKey = bytes(#"{"k"#) + sequence + bytes(#"":1}"#)
    #expect(parseError(inKey) == JSONError(kind: .invalidUTF8, offset: 3))
    let afterEscape = bytes(#""\n"#) + sequence + [0x22]
    #expect(parseError(afterEscape) == JSONError(kind: .invalidUTF8, offset: 3))
  }

  @Test(
    arguments: [
      [0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xEE, 0x80, 0x80],
      [0xEF, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF],
    ] as [[UInt8]])
  func boundaryUTF8IsAccepted(sequence: [UInt8]) throws {
    let value = try JSONParser.parse([0x22] + sequence + [0x22])
    #expect(value.stringValue.map { Array($0.utf8) } == sequence)
  }

  /// Every 1-, 2- and 3-byte sequence (and a sample of 4-byte ones) must be judged exactly as the
  /// standard library's UTF-8 validator judges it.
  @Test func utf8ValidationMatchesStandardLibrary() {
    func check(_ sequence: [UInt8]) {
      let valid = String(validating: sequence, as: UTF8.self) != nil
      let input = [0x22] + sequence + [0x22]
      let error = parseError(input)
      if valid {
        let isControlOrSyntax = sequence.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }
        if !isControlOrSyntax { #expect(error == nil, "\(sequence)") }
      } else {
        #expect(error?.kind == .invalidUTF8, "\(sequence)")
      }
    }
    for first in 0x80...0xFF {
      check([UInt8(first)])
      for second in 0...0xFF {
        check([UInt8(first), UInt8(second)])
        if (0xE0...0xEF).contains(first), (0x80...0xBF).contains(second) {
          for third in 0...0xFF { check([UInt8(first), UInt8(second), UInt8(third)]) }
        }
      }
    }
    var rng = SplitMix64(seed: 4)
    for _ in 0..<100_000 {
      check(
        [UInt8.random(in: 0xF0...0xF7, using: &rng)]
          + (0..<3).map { _ in UInt8.random(in: 0x70...0xC0, using: &rng) })
    }
  }

  @Test func nulEscapesAreAllowedAndWrittenBackEscaped() throws {
    let value = try JSONParser.parse(#"{"k\u0000":"a\u0000b"}"#)
    #expect(value == ["k\u{0}": "a\u{0}b"])
    #expect(JSONWriter.compact(value) == #"{"k\u0000":"a\u0000b"}"#)
  }

  @Test func hostileNumbersAndLiterals() throws {
    #expect(parseError("1" + String(repeating: "0", count: 100_000))?.kind == .invalidNumber)
    #expect(try JSONParser.parse("0." + String(repeating: "0", count: 100_000) + "1") == 0)
    #expect(try JSONParser.parse("1e-" + String(repeating: "9", count: 1000)) == 0)
    #expect(parseError("1e" + String(repeating: "9", count: 1000))?.kind == .invalidNumber)
    #expect(
      try JSONParser.parse("[" + String(repeating: "0,", count: 200_000) + "0]").arrayValue?.count
        == 200_001)
  }
}
