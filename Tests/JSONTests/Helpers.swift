import JSON

/// Deterministic generator so fuzz failures are reproducible from the seed alone.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The error a parse throws, or nil when it succeeds.
func parseError(_ input: [UInt8], limits: JSONParser.Limits = .init()) -> JSONError? {
  do {
    _ = try JSONParser.parse(input, limits: limits)
    return nil
  } catch {
    return error
  }
}

func parseError(_ text: String, limits: JSONParser.Limits = .init()) -> JSONError? {
  parseError(bytes(text), limits: limits)
}

/// Either outcome is fine for hostile input; what matters is that it is one of the two and sane.
enum Outcome {
  case value(JSONValue)
  case error(JSONError)
}

func outcome(_ input: [UInt8], limits: JSONParser.Limits = .init()) -> Outcome {
  do {
    return .value(try JSONParser.parse(input, limits: limits))
  } catch {
    return .error(error)
  }
}

/// Random values covering every case, awkward strings (controls, quotes, non-BMP) and awkward
/// numbers (random bit patterns), for round-trip tests.
struct ValueGenerator {
  var rng: SplitMix64

  mutating func value(depth: Int = 0) -> JSONValue {
    let pick = Int.random(in: 0..<(depth >= 4 ? 5 : 7), using: &rng)
    switch pick {
    case 0: return .null
    case 1: return .bool(Bool.random(using: &rng))
    case 2: return .number(number())
    case 3: return .number(Double(Int.random(in: -1_000_000...1_000_000, using: &rng)))
    case 4: return .string(string())
    case 5:
      return .array((0..<Int.random(in: 0...5, using: &rng)).map { _ in value(depth: depth + 1) })
    default:
      var object = JSONObject()
      for _ in 0..<Int.random(in: 0...5, using: &rng) { object[string()] = value(depth: depth + 1) }
      return .object(object)
    }
  }

  mutating func number() -> Double {
    switch Int.random(in: 0..<4, using: &rng) {
    case 0:
      while true {
        let candidate = Double(bitPattern: rng.next())
        if candidate.isFinite { return candidate }
      }
    case 1: return Double(Int.random(in: -99999...99999, using: &rng)) / 100
    case 2: return Double.random(in: -1e6...1e6, using: &rng)
    default: return Double(Int64.random(in: Int64.min...Int64.max, using: &rng))
    }
  }

  mutating func string() -> String {
    let pool: [Unicode.Scalar] = [
      "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1b}", "\u{7f}", "é", "€",
      "😀", "\u{2028}", "\u{FEFF}", "\u{10FFFF}",
    ]
    var text = ""
    for _ in 0..<Int.random(in: 0...8, using: &rng) {
      if Bool.random(using: &rng) {
        text.unicodeScalars.append(pool.randomElement(using: &rng)!)
      } else {
        let raw = UInt32.random(in: 0...0x10FFFF, using: &rng)
        text.unicodeScalars.append(Unicode.Scalar(raw) ?? "?")
      }
    }
    return text
  }
}
