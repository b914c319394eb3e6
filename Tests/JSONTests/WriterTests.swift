import JSON
import Testing

@Suite("Writer")
struct WriterTests {
  @Test func compactKeepsOrderAndHasNoWhitespace() {
    let value: JSONValue = [
      "ts": 1_764_380_000_123, "co2": 812, "temperature": 27.4, "ok": true, "none": .null,
      "tags": ["a", [], [:]],
    ]
    #expect(
      JSONWriter.compact(value)
        == #"{"ts":1764380000123,"co2":812,"temperature":27.4,"ok":true,"none":null,"tags":["a",[],{}]}"#
    )
    #expect(value.description == JSONWriter.compact(value))
    #expect(JSONWriter.compactBytes(value) == Array(JSONWriter.compact(value).utf8))
  }

  @Test func prettyExactOutput() {
    let value: JSONValue = [
      "ts": 1_764_380_000_123,
      "ENERGY": ["Power": 45, "Total": 12.345],
      "tags": ["a", 1, true, .null],
      "empty": [:],
      "none": [],
    ]
    let expected = """
      {
        "ts": 1764380000123,
        "ENERGY": {
          "Power": 45,
          "Total": 12.345
        },
        "tags": [
          "a",
          1,
          true,
          null
        ],
        "empty": {},
        "none": []
      }
      """
    #expect(JSONWriter.pretty(value) == expected)
  }

  @Test func prettyIndentWidthAndNesting() {
    let value: JSONValue = [["a": [1]]]
    #expect(
      JSONWriter.pretty(value, indent: 4)
        == "[\n    {\n        \"a\": [\n            1\n        ]\n    }\n]")
    #expect(JSONWriter.pretty(value, indent: 0) == "[\n{\n\"a\": [\n1\n]\n}\n]")
  }

  @Test func prettyScalarsAndEmptyContainers() {
    #expect(JSONWriter.pretty(1) == "1")
    #expect(JSONWriter.pretty("x") == #""x""#)
    #expect(JSONWriter.pretty([]) == "[]")
    #expect(JSONWriter.pretty([:]) == "{}")
    #expect(JSONWriter.pretty(.null) == "null")
  }

  @Test(
    arguments: [
      (812.0, "812"), (-3, "-3"), (0, "0"), (-0.0, "0"), (27.4, "27.4"), (1.5, "1.5"),
      (123.0, "123"), (12.345, "12.345"), (0.1 + 0.2, "0.30000000000000004"), (1e300, "1e+300"),
      (1e-7, "1e-07"), (9_007_199_254_740_991, "9007199254740991"),
      (-9_007_199_254_740_991, "-9007199254740991"), (1_764_380_000_123, "1764380000123"),
      (Double.leastNonzeroMagnitude, "5e-324"),
      (Double.greatestFiniteMagnitude, "1.7976931348623157e+308"),
      (Double.nan, "null"), (Double.infinity, "null"), (-Double.infinity, "null"),
    ] as [(Double, String)])
  func numbers(number: Double, expected: String) {
    #expect(JSONWriter.compact(.number(number)) == expected)
  }

  @Test func stringEscaping() {
    let value = JSONValue.string("a\"b\\c\n\r\t\u{8}\u{c}\u{0}\u{1b}\u{1f}\u{7f} é€😀/")
    #expect(
      JSONWriter.compact(value) == "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0000\\u001b\\u001f\u{7f} é€😀/\"")
    #expect(JSONWriter.compact(["\n": 1]) == #"{"\n":1}"#)
  }

  @Test func everyControlCharacterIsEscaped() throws {
    let text = String(decoding: (0..<0x20).map { UInt8($0) }, as: UTF8.self)
    let written = JSONWriter.compact(.string(text))
    #expect(!written.utf8.contains { $0 < 0x20 })
    #expect(try JSONParser.parse(written) == .string(text))
  }

  @Test func randomValuesRoundTrip() throws {
    var generator = ValueGenerator(rng: SplitMix64(seed: 99))
    for _ in 0..<20_000 {
      let value = generator.value()
      let compact = JSONWriter.compact(value)
      let pretty = JSONWriter.pretty(value)
      #expect(try JSONParser.parse(compact) == value, "\(compact)")
      #expect(try JSONParser.parse(pretty) == value, "\(pretty)")
      // Writing is a fixed point: parse(write(v)) writes back identically, including number format.
      #expect(JSONWriter.compact(try JSONParser.parse(compact)) == compact)
    }
  }

  @Test func parsedDocumentsRewriteIdentically() throws {
    let documents = [
      #"{"ts":1764380000123,"co2":812,"temperature":27.4,"humidity":61}"#,
      #"{"Time":"2026-11-29T08:00:00","ENERGY":{"Power":45,"Total":12.345},"AM2301":{"Temperature":27.1}}"#,
      #"[null,true,false,-1,0.5,"\u001b\"\\é",[],{}]"#,
    ]
    for document in documents {
      #expect(JSONWriter.compact(try JSONParser.parse(document)) == document)
    }
  }
}
