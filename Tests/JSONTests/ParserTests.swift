import JSON
import Testing

@Suite("Parser: valid documents")
struct ParserTests {
  @Test func flatDevicePayload() throws {
    let value = try JSONParser.parse(
      #"{"ts":1764380000123,"co2":812,"temperature":27.4,"humidity":61}"#)
    let expected: JSONValue = [
      "ts": 1_764_380_000_123, "co2": 812, "temperature": 27.4, "humidity": 61,
    ]
    #expect(value == expected)
    #expect(value.objectValue?.keys == ["ts", "co2", "temperature", "humidity"])
    #expect(value.value(atPath: "ts")?.intValue == 1_764_380_000_123)
  }

  @Test func tasmotaPayload() throws {
    let value = try JSONParser.parse(
      #"{"Time":"2026-11-29T08:00:00","ENERGY":{"Power":45,"Total":12.345},"AM2301":{"Temperature":27.1}}"#
    )
    #expect(value.value(atPath: "Time")?.stringValue == "2026-11-29T08:00:00")
    #expect(value.value(atPath: "ENERGY.Power")?.doubleValue == 45)
    #expect(value.value(atPath: "ENERGY.Total")?.doubleValue == 12.345)
    #expect(value.value(atPath: "AM2301.Temperature")?.doubleValue == 27.1)
  }

  @Test(arguments: [
    ("null", JSONValue.null), ("true", .bool(true)), ("false", .bool(false)), ("0", .number(0)),
    ("-0", .number(-0.0)), ("812", .number(812)), ("-3", .number(-3)), ("27.4", .number(27.4)),
    ("\"hi\"", .string("hi")), ("\"\"", .string("")), ("[]", .array([])), ("{}", .object([:])),
    (" \t\r\n 1 \n", .number(1)), ("[ ]", .array([])), ("{ }", .object([:])),
  ])
  func topLevelValues(text: String, expected: JSONValue) throws {
    #expect(try JSONParser.parse(text) == expected)
  }

  @Test func nestedShapes() throws {
    let text = #"""
      {
        "a": [1, [2, [3, []]], {"b": {"c": null}}],
        "d": {"e": [true, false], "f": {}},
        "g": [{}, [], "", 0]
      }
      """#
    let expected: JSONValue = [
      "a": [1, [2, [3, []]], ["b": ["c": .null]]],
      "d": ["e": [true, false], "f": [:]],
      "g": [[:], [], "", 0],
    ]
    #expect(try JSONParser.parse(text) == expected)
  }

  @Test func memberOrderIsKept() throws {
    let value = try JSONParser.parse(#"{"z":1,"a":2,"m":3}"#)
    #expect(value.objectValue?.keys == ["z", "a", "m"])
  }

  @Test func stringEscapes() throws {
    #expect(try JSONParser.parse(#""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{8}\u{c}\n\r\t"))
    #expect(try JSONParser.parse(#""\u00e9\u20AC""#) == .string("é€"))
    #expect(try JSONParser.parse(#""\ud83d\ude00""#) == .string("😀"))
    #expect(try JSONParser.parse(#""\uD83D\uDE00x""#) == .string("😀x"))
    #expect(try JSONParser.parse(#""a\u0000b""#) == .string("a\u{0}b"))
    #expect(try JSONParser.parse(#""pre é \n post 😀""#) == .string("pre é \n post 😀"))
    #expect(try JSONParser.parse(#"{"\u0061b":1}"#) == ["ab": 1])
  }

  @Test func rawUTF8Strings() throws {
    let text = "\"é€😀\u{10FFFF}\u{7F}\""
    #expect(try JSONParser.parse(text) == .string("é€😀\u{10FFFF}\u{7F}"))
  }

  @Test(arguments: [
    "0", "-0", "1", "-1", "0.5", "-0.5", "27.4", "12.345", "1e3", "1E3", "1e+3", "1e-3",
    "2.5E-3", "0e0", "0.0", "-0.0", "123456789", "9007199254740991", "9007199254740993",
    "18446744073709551615", "18446744073709551616", "123456789012345678901234567890",
    "0.1", "0.30000000000000004", "3.141592653589793", "1.7976931348623157e308",
    "2.2250738585072014e-308", "5e-324", "4.9e-324", "1e-400", "-1e-400", "1e22", "1e23",
    "9007199254740993e-3", "0.000000000000000000001", "1.00000000000000000000000000001",
    "123.456e7", "1e0000000000000000000000001",
  ])
  func numbersMatchStandardLibrary(text: String) throws {
    let parsed = try #require(try JSONParser.parse(text).doubleValue)
    let reference = try #require(Double(text))
    #expect(parsed.bitPattern == reference.bitPattern, "\(text)")
  }

  /// The integer and decimal fast paths must round exactly like the slow path would.
  @Test func randomNumbersMatchStandardLibrary() throws {
    var rng = SplitMix64(seed: 42)
    for _ in 0..<100_000 {
      var text = Bool.random(using: &rng) ? "-" : ""
      let integerDigits = Int.random(in: 1...20, using: &rng)
      for position in 0..<integerDigits {
        let digit = Int.random(in: (position == 0 && integerDigits > 1 ? 1 : 0)...9, using: &rng)
        text += String(digit)
      }
      if Bool.random(using: &rng) {
        text += "."
        for _ in 0..<Int.random(in: 1...20, using: &rng) {
          text += String(Int.random(in: 0...9, using: &rng))
        }
      }
      if Int.random(in: 0..<3, using: &rng) == 0 {
        text += ["e", "E", "e-", "e+"].randomElement(using: &rng)!
        text += String(Int.random(in: 0...40, using: &rng))
      }
      let parsed = try JSONParser.parse(text).doubleValue
      #expect(parsed?.bitPattern == Double(text)?.bitPattern, "\(text)")
    }
  }

  @Test func depthLimitIsInclusive() throws {
    let deepest = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
    #expect(throws: Never.self) { try JSONParser.parse(deepest) }
    let objects = String(repeating: #"{"a":"#, count: 32) + "1" + String(repeating: "}", count: 32)
    #expect(
      try JSONParser.parse(objects).value(
        atPath: Array(repeating: "a", count: 32).joined(separator: "."))
        == .number(1))
    let custom = JSONParser.Limits(maxDepth: 2)
    #expect(throws: Never.self) { try JSONParser.parse("[[1]]", limits: custom) }
    #expect(parseError("[[[1]]]", limits: custom) == JSONError(kind: .tooDeep, offset: 2))
    #expect(throws: Never.self) { try JSONParser.parse("1", limits: .init(maxDepth: 0)) }
  }

  @Test func sizeLimitIsInclusive() throws {
    let limits = JSONParser.Limits(maxBytes: 5)
    #expect(try JSONParser.parse("12345", limits: limits) == 12345)
    #expect(parseError("123456", limits: limits) == JSONError(kind: .tooLarge, offset: 5))
  }

  @Test func oneMebibytePayloadParses() throws {
    var text = "["
    while text.utf8.count < (1 << 20) - 64 { text += #"{"k":"value","n":12.5},"# }
    text += "0]"
    let value = try JSONParser.parse(text)
    #expect(value.arrayValue?.count ?? 0 > 40_000)
  }

  @Test func entryPointsAgree() throws {
    let text = #"{"a":[1,"é",null]}"#
    let fromString = try JSONParser.parse(text)
    let fromBytes = try JSONParser.parse(bytes(text))
    let fromBuffer = try bytes(text).withUnsafeBytes { buffer throws(JSONError) in
      try JSONParser.parse(buffer)
    }
    #expect(fromString == fromBytes)
    #expect(fromString == fromBuffer)
    let substringBacked = String(("xx" + text).dropFirst(2))
    #expect(try JSONParser.parse(substringBacked) == fromString)
    #expect(throws: JSONError(kind: .empty, offset: 0)) {
      try JSONParser.parse(UnsafeRawBufferPointer(start: nil, count: 0))
    }
  }

  @Test func manyUniqueKeysAreAccepted() throws {
    let members = (0..<5_000).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
    let value = try JSONParser.parse("{" + members + "}")
    #expect(value.objectValue?.count == 5_000)
    #expect(value.value(atPath: "k4999")?.intValue == 4999)
  }
}
