import Foundation
import JSON
import Testing

/// The strict JSON parser on random and mutated input, with Foundation's JSONSerialization as an
/// independent oracle, and parse(write(x)) == x for generated values.
/// (Tests/JSONTests has the hand-written cases; these are the large seeded runs.)
@Suite("Fuzz: JSON")
struct JSONFuzzTests {
  static let seeds = [
    #"{"ts":1764380000123,"co2":812,"temperature":27.4,"humidity":61}"#,
    #"{"Time":"2026-11-29T08:00:00","ENERGY":{"Power":45,"Total":12.345},"AM2301":{"Temperature":27.1}}"#,
    #"[1,-2.5e-3,"a\"b\\c\u00e9\ud83d\ude00",true,false,null,{},[],{"x":[{"y":0}]}]"#,
    #"{"method":"NotifyStatus","params":{"ts":1764403195.12,"switch:0":{"id":0,"apower":3.1,"aenergy":{"total":2500}}}}"#,
    #"{"type":"card_scan","card":"04:A1:B2:C3","reader":{"uid":"x","n":[0.1,1E+2,-0,1e-7]}}"#,
    "  \"text with \\t \\/ \\b \\f \\r \\n \\u0000 é 😀\"  ", "-12.5e+3", "[[[[[[[[]]]]]]]]",
    "{\"\":{\"\":{}}}",
  ].map(utf8)

  static let mutator = Mutator(
    dictionary: [
      "{", "}", "[", "]", ":", ",", "\"", "\\", "\\u", "\\ud800", "\\udc00", "\\uD83D\\uDE00", "\\u0000",
      "null",
      "true", "false", "NaN", "Infinity", "1e999", "-", "+", ".", "e", "E", "0", "00", "1.5e+308", "\t", "\n",
      "\r",
      " ", "/*", "//", "\u{FEFF}", "\"a\":1", "\"a\":2",
    ].map(utf8) + [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xC3]],
    corpus: seeds)

  /// Random bytes, random JSON-ish text, mutated documents and deep nesting, under random limits.
  @Test func hostileInputIsAValueOrAWellFormedError() {
    let cases = FuzzBudget.cases(default: 150_000)
    let run = FuzzRun("json")
    let alphabet =
      utf8(#"{}[]"":,.-+0123456789eEtruefalsnl \#t\#n\\/u"#) + [0x00, 0x1F, 0xC3, 0xA9, 0xFF, 0xED, 0xA0]
    for index in FuzzBudget.indices(cases) {
      var rng = FuzzRandom(seed: FuzzBudget.seed, case: index)
      let input: [UInt8]
      switch rng.below(10) {
      case 0: input = rng.bytes(rng.skewed(upTo: 64))
      case 1: input = (0..<rng.skewed(upTo: 64)).map { _ in rng.pick(alphabet) }
      case 2: input = Self.nested(&rng)
      default: input = Self.mutator.mutate(rng.pick(Self.seeds), &rng)
      }
      let limits =
        rng.chance(20)
        ? JSONParser.Limits(maxDepth: rng.below(40), maxBytes: rng.below(200)) : JSONParser.Limits()
      var outcome: Result<JSONValue, JSONError> = .success(.null)
      run.run(index) {
        outcome = Result { () throws(JSONError) in try JSONParser.parse(input, limits: limits) }
      }
      for problem in Self.problems(outcome, input: input, limits: limits) {
        run.fail("case \(index): \(problem) for \(literal(input))")
      }
      // The String and raw-buffer entry points agree with the byte-array one.
      if index % 4 == 0 {
        let viaBuffer = input.withUnsafeBytes { buffer in
          Result { () throws(JSONError) in try JSONParser.parse(buffer, limits: limits) }
        }
        if viaBuffer != outcome {
          run.fail("case \(index): buffer entry point differs for \(literal(input))")
        }
        if let text = String(validating: input, as: UTF8.self) {
          let viaString = Result { () throws(JSONError) in try JSONParser.parse(text, limits: limits) }
          if viaString != outcome {
            run.fail("case \(index): String entry point differs for \(literal(input))")
          }
        }
      }
      switch outcome {
      case .success: run.outcomes["value", default: 0] += 1
      case .failure(let error): run.outcomes[error.kind.rawValue, default: 0] += 1
      }
    }
    run.finish()
    #expect(
      cases < 1000 || run.outcomes["value", default: 0] > cases / 20, "too few valid documents to be useful")
  }

  /// For ASCII input without NUL (no encoding questions) Foundation must agree on validity, except
  /// where ClassGate is deliberately stricter: duplicate keys, nesting beyond 32, numbers beyond
  /// Double, unpaired surrogate escapes, raw control characters, trailing commas (which Foundation
  /// accepts). Where both accept, the values are equal.
  @Test func foundationAgreesOnASCIIInput() {
    let cases = FuzzBudget.cases(default: 60_000)
    let run = FuzzRun("json-vs-foundation")
    let seeds = Self.seeds.filter { $0.allSatisfy { $0 < 0x80 } }
    let asciiMutator = Mutator(
      dictionary: Self.mutator.dictionary.filter { $0.allSatisfy { $0 < 0x80 } }, corpus: seeds)
    for index in FuzzBudget.indices(cases) {
      var rng = FuzzRandom(seed: FuzzBudget.seed, case: index)
      // NUL bytes excluded: Foundation takes "\0 1" for UTF-16 and reads it as 1.
      let input = asciiMutator.mutate(rng.pick(seeds), &rng, rounds: 1 + rng.below(3)).map { $0 & 0x7F }
        .filter { $0 != 0 }
      var ours: Result<JSONValue, JSONError> = .success(.null)
      run.run(index) { ours = Result { () throws(JSONError) in try JSONParser.parse(input) } }
      let theirs = try? JSONSerialization.jsonObject(with: Data(input), options: [.fragmentsAllowed])
      switch (ours, theirs) {
      case (.success(let value), let theirs?):
        run.outcomes["both accept", default: 0] += 1
        guard let converted = Self.convert(theirs), Self.nearlyEqual(converted, value) else {
          run.fail("case \(index): Foundation reads \(literal(input)) differently: \(theirs) vs \(value)")
          continue
        }
      case (.success(let value), nil):
        run.fail("case \(index): Foundation refuses \(literal(input)), which we read as \(value)")
      case (.failure(let error), nil):
        run.outcomes["both refuse", default: 0] += 1
        _ = error
      case (.failure(let error), _?):
        let expected: Bool
        switch error.kind {
        case .duplicateKey, .tooDeep: expected = true
        case .invalidNumber: expected = true  // 1e999: Foundation gives inf or a huge value
        case .invalidEscape: expected = input.count > 0  // lone surrogates: Foundation repairs them
        case .controlCharacterInString: expected = true  // Foundation is lenient with raw controls
        case .unexpectedCharacter:  // a trailing comma ([1,] {"a":1,}): Foundation accepts it
          expected =
            input[..<min(error.offset, input.count)].last { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } == 0x2C
        default: expected = false
        }
        run.outcomes["stricter: \(error.kind.rawValue)", default: 0] += 1
        if !expected {
          run.fail("case \(index): Foundation accepts \(literal(input)); we refuse it: \(error)")
        }
      }
    }
    run.finish()
  }

  /// parse(write(x)) == x, compact and pretty, for generated values with awkward strings and numbers.
  @Test func writtenValuesParseBackEqual() {
    let cases = FuzzBudget.cases(default: 50_000)
    let run = FuzzRun("json-roundtrip")
    for index in FuzzBudget.indices(cases) {
      var rng = FuzzRandom(seed: FuzzBudget.seed, case: index)
      let value = Self.value(&rng, depth: 0)
      run.run(index) {
        for (style, text) in [("compact", JSONWriter.compact(value)), ("pretty", JSONWriter.pretty(value))] {
          let back = Result { () throws(JSONError) in try JSONParser.parse(utf8(text)) }
          if back != .success(value) {
            run.fail("case \(index): \(style) round trip of \(text.prefix(300)): \(back)")
          }
        }
        if JSONWriter.compactBytes(value) != utf8(JSONWriter.compact(value)) {
          run.fail("case \(index): compactBytes differs from compact")
        }
      }
    }
    run.finish()
  }

  /// Every number token is read exactly as Swift's correctly rounded `Double(String)` reads it
  /// (the parser has its own fast path for short mantissas), or refused when that is not finite.
  @Test func numbersAreCorrectlyRounded() {
    let cases = FuzzBudget.cases(default: 200_000)
    let run = FuzzRun("json-numbers")
    for index in FuzzBudget.indices(cases) {
      var rng = FuzzRandom(seed: FuzzBudget.seed, case: index)
      var text = rng.chance(30) ? "-" : ""
      let digits = { (rng: inout FuzzRandom, count: Int) in
        String((0..<count).map { _ in Character(Unicode.Scalar(UInt8(48 + rng.below(10)))) })
      }
      let integer = digits(&rng, 1 + rng.skewed(upTo: 30))
      text += integer.count > 1 && integer.first == "0" ? "1" + integer.dropFirst() : integer
      if rng.chance(60) { text += "." + digits(&rng, 1 + rng.skewed(upTo: 30)) }
      if rng.chance(50) {
        text +=
          rng.pick(["e", "E", "e+", "e-", "E-"]) + String(rng.chance(80) ? rng.below(30) : rng.below(400))
      }
      var outcome: Result<JSONValue, JSONError> = .success(.null)
      run.run(index) { outcome = Result { () throws(JSONError) in try JSONParser.parse(utf8(text)) } }
      let expected = Double(text).flatMap { $0.isFinite ? $0 : nil }
      switch (outcome, expected) {
      case (.success(.number(let number)), let expected?)
      where number.bitPattern == expected.bitPattern
        || number == 0 && expected == 0:
        run.outcomes["equal", default: 0] += 1
      case (.failure(let error), nil) where error.kind == .invalidNumber:
        run.outcomes["refused (not finite)", default: 0] += 1
      default:
        run.fail(
          "case \(index): \(text) parses as \(outcome), Double(String) says \(String(describing: expected))")
      }
    }
    run.finish()
  }

  // MARK: - Helpers

  /// Equal, numbers within a few units in the last place: Foundation reads long numbers through
  /// Decimal and is not always correctly rounded (`numbersAreCorrectlyRounded` checks ours).
  static func nearlyEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.number(let x), .number(let y)):
      return x == y || abs(x - y) <= 1e-14 * max(abs(x), abs(y))
    case (.array(let xs), .array(let ys)):
      return xs.count == ys.count && zip(xs, ys).allSatisfy { nearlyEqual($0, $1) }
    case (.object(let x), .object(let y)):
      return x.count == y.count
        && x.members.allSatisfy { member in y[member.key].map { nearlyEqual(member.value, $0) } ?? false }
    default:
      return a == b
    }
  }

  static func problems(_ outcome: Result<JSONValue, JSONError>, input: [UInt8], limits: JSONParser.Limits)
    -> [String]
  {
    switch outcome {
    case .success(let value):
      var problems: [String] = []
      if input.count > limits.maxBytes {
        problems.append("accepted \(input.count) bytes over a \(limits.maxBytes)-byte limit")
      }
      if depth(value) > limits.maxDepth {
        problems.append("depth \(depth(value)) over the limit \(limits.maxDepth)")
      }
      if !isFiniteEverywhere(value) { problems.append("a non-finite number") }
      let written = JSONWriter.compact(value)
      if (try? JSONParser.parse(utf8(written), limits: JSONParser.Limits(maxDepth: 64))) != value {
        problems.append("round trip differs: \(written.prefix(200))")
      }
      return problems
    case .failure(let error):
      var problems: [String] = []
      if !(0...max(input.count, limits.maxBytes)).contains(error.offset) {
        problems.append("offset \(error.offset)")
      }
      if error.description.utf8.count > 100 {
        problems.append("description of \(error.description.utf8.count) bytes")
      }
      if !error.description.utf8.allSatisfy({ (0x20..<0x7F).contains($0) }) {
        problems.append("unprintable description \(error.description.debugDescription)")
      }
      if error.kind == .tooDeep && nestingDepth(input) <= limits.maxDepth {
        problems.append("tooDeep below the limit")
      }
      return problems
    }
  }

  static func depth(_ value: JSONValue) -> Int {
    switch value {
    case .array(let items): 1 + (items.map(depth).max() ?? 0)
    case .object(let object): 1 + (object.members.map { depth($0.value) }.max() ?? 0)
    default: 0
    }
  }

  /// The deepest bracket nesting in raw input, ignoring brackets inside strings (a lower bound
  /// of what a parser would see).
  static func nestingDepth(_ input: [UInt8]) -> Int {
    var depth = 0
    var deepest = 0
    var inString = false
    var escaped = false
    for byte in input {
      if inString {
        if escaped {
          escaped = false
        } else if byte == 0x5C {
          escaped = true
        } else if byte == 0x22 {
          inString = false
        }
        continue
      }
      switch byte {
      case 0x22: inString = true
      case 0x5B, 0x7B:
        depth += 1
        deepest = max(deepest, depth)
      case 0x5D, 0x7D: depth -= 1
      default: break
      }
    }
    return deepest
  }

  static func isFiniteEverywhere(_ value: JSONValue) -> Bool {
    switch value {
    case .number(let number): number.isFinite
    case .array(let items): items.allSatisfy(isFiniteEverywhere)
    case .object(let object): object.members.allSatisfy { isFiniteEverywhere($0.value) }
    default: true
    }
  }

  static func nested(_ rng: inout FuzzRandom) -> [UInt8] {
    let depth = rng.skewed(upTo: 12_000)
    let open = rng.pick(["[", "{\"a\":", "[{\"k\":"])
    let close = open == "[" ? "]" : open == "{\"a\":" ? "}" : "}]"
    var text = String(repeating: open, count: depth) + rng.pick(["0", "\"s\"", "[]", "{}", ""])
    if rng.chance(70) { text += String(repeating: close, count: max(0, depth - rng.below(2))) }
    return utf8(text)
  }

  static func value(_ rng: inout FuzzRandom, depth: Int) -> JSONValue {
    switch rng.below(depth >= 6 ? 5 : 7) {
    case 0: return .null
    case 1: return .bool(rng.chance(50))
    case 2:
      switch rng.below(4) {
      case 0:
        while true {
          let candidate = Double(bitPattern: rng.next())
          if candidate.isFinite { return .number(candidate) }
        }
      case 1: return .number(Double(Int64(bitPattern: rng.next())))
      case 2: return .number(Double(rng.below(2_000_001) - 1_000_000) / 1000)
      default:
        return .number(
          rng.pick([0, -0.0, 1e308, -1e-308, .leastNonzeroMagnitude, 9_007_199_254_740_994, 0.1, 1e21, 1e-7]))
      }
    case 3, 4:
      return .string(string(&rng))
    case 5:
      return .array((0..<rng.below(6)).map { _ in value(&rng, depth: depth + 1) })
    default:
      var object = JSONObject()
      for _ in 0..<rng.below(6) { object[string(&rng)] = value(&rng, depth: depth + 1) }
      return .object(object)
    }
  }

  static func string(_ rng: inout FuzzRandom) -> String {
    let pool: [Unicode.Scalar] = [
      "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{8}", "\u{C}", "\u{1b}", "\u{7f}",
      "\u{85}",
      "é", "€", "😀", "\u{2028}", "\u{202E}", "\u{FEFF}", "\u{FFFF}", "\u{10FFFF}",
    ]
    var text = ""
    for _ in 0..<rng.skewed(upTo: 24) {
      if rng.chance(60) {
        text.unicodeScalars.append(rng.pick(pool))
      } else {
        text.unicodeScalars.append(Unicode.Scalar(UInt32(rng.below(0x110000))) ?? "?")
      }
    }
    return text
  }

  /// Foundation's tree as a JSONValue. Booleans are NSNumbers of the "char" type.
  static func convert(_ any: Any) -> JSONValue? {
    switch any {
    case is NSNull: return .null
    case let string as String: return .string(string)
    case let number as NSNumber:
      if String(cString: number.objCType) == "c" { return .bool(number.boolValue) }
      return .number(number.doubleValue)
    case let array as [Any]:
      var items: [JSONValue] = []
      for item in array {
        guard let converted = convert(item) else { return nil }
        items.append(converted)
      }
      return .array(items)
    case let dictionary as [String: Any]:
      var object = JSONObject()
      for (key, item) in dictionary {
        guard let converted = convert(item) else { return nil }
        object[key] = converted
      }
      return .object(object)
    default: return nil
    }
  }
}
