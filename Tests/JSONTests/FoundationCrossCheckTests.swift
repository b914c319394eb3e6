import Foundation
import JSON
import Testing

/// Differential tests against Foundation's JSONSerialization, as an independent opinion on what
/// is valid JSON and what it means. Only the tests import Foundation; the module never does.
@Suite("Cross-check with JSONSerialization")
struct FoundationCrossCheckTests {
  private func foundationParse(_ input: [UInt8]) -> Any? {
    try? JSONSerialization.jsonObject(with: Data(input), options: [.fragmentsAllowed])
  }

  /// Converts Foundation's tree for comparison. Booleans arrive as NSNumber with the "char"
  /// encoding, which JSON numbers never get.
  private func convert(_ any: Any) -> JSONValue? {
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

  @Test func writerOutputIsAcceptedByFoundation() {
    var generator = ValueGenerator(rng: SplitMix64(seed: 5))
    for _ in 0..<5_000 {
      let value = generator.value()
      for text in [JSONWriter.compact(value), JSONWriter.pretty(value)] {
        #expect(foundationParse(Array(text.utf8)) != nil, "\(text)")
      }
    }
  }

  /// Whatever we accept, Foundation must accept too (we are the stricter parser).
  @Test func everythingWeAcceptFoundationAccepts() {
    var rng = SplitMix64(seed: 11)
    let seeds = [
      #"{"ts":1764380000123,"co2":812,"temperature":27.4,"humidity":61}"#,
      #"{"Time":"2026-11-29T08:00:00","ENERGY":{"Power":45,"Total":12.345},"AM2301":{"Temperature":27.1}}"#,
      #"[1,-2.5e-3,"a\"b\\c\u00e9\ud83d\ude00",true,false,null,{},[],{"x":[{"y":0}]}]"#,
    ].map(bytes)
    let inserts = bytes(#"{}[]",:.-+0e\u "#)
    var accepted = 0
    for _ in 0..<20_000 {
      var input = seeds.randomElement(using: &rng)!
      let position = Int.random(in: 0..<input.count, using: &rng)
      switch Int.random(in: 0..<3, using: &rng) {
      case 0: input[position] = inserts.randomElement(using: &rng)!
      case 1: input.insert(inserts.randomElement(using: &rng)!, at: position)
      default: input.remove(at: position)
      }
      guard case .value(let ours) = outcome(input) else { continue }
      accepted += 1
      let theirs = foundationParse(input).flatMap(convert)
      #expect(theirs == ours, "\(String(decoding: input, as: UTF8.self))")
    }
    #expect(accepted > 1_000)
  }
}
