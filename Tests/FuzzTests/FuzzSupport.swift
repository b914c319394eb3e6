import Foundation
import Testing

/// Seeded property tests: every case comes from `(seed, case number)` alone, so a failure printed
/// as "case N" is replayed by running that one case again (see `indices`).
///
/// Sizes: the defaults keep the whole target under a minute in a debug build on two cores.
/// `CLASSGATE_FUZZ_CASES=5000000` is a long run (e.g. nightly): the decode fuzzer runs that many
/// cases and every other fuzzer scales its default by the same factor (×50 here, about half an
/// hour). `CLASSGATE_FUZZ_SEED=…` explores other cases than CI's.
enum FuzzBudget {
  static let environment = ProcessInfo.processInfo.environment
  /// The decode fuzzer's default, the unit of CLASSGATE_FUZZ_CASES.
  static let reference = 100_000

  static func cases(default fallback: Int) -> Int {
    guard let wanted = environment["CLASSGATE_FUZZ_CASES"].flatMap({ Int($0) }) else { return fallback }
    return max(1, Int(Double(fallback) * Double(wanted) / Double(reference)))
  }

  /// The case numbers to run: from CLASSGATE_FUZZ_FIRST (default 0). To replay case N of a
  /// failure: CLASSGATE_FUZZ_FIRST=N CLASSGATE_FUZZ_CASES=1 swift test --filter <the test>.
  static func indices(_ count: Int) -> Range<Int> {
    let first = environment["CLASSGATE_FUZZ_FIRST"].flatMap { Int($0) } ?? 0
    return first..<first + count
  }

  static var seed: UInt64 {
    environment["CLASSGATE_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0xC1A5_56A7E
  }
}

/// SplitMix64, one stream per case.
struct FuzzRandom: RandomNumberGenerator {
  private var state: UInt64

  init(seed: UInt64) { state = seed }

  init(seed: UInt64, case index: Int) {
    state = seed ^ (UInt64(truncatingIfNeeded: index) &* 0xD1B5_4A32_D192_ED03)
    _ = next()
  }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(1, bound))) }
  mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
  mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

  /// Small numbers far more often than large ones (lengths, repetition counts).
  mutating func skewed(upTo limit: Int) -> Int {
    let bits = below(Int(log2(Double(max(2, limit)))) + 1)
    return min(limit, below(1 << bits))
  }

  mutating func bytes(_ count: Int) -> [UInt8] {
    (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
  }
}

/// Byte-level mutations of valid documents, in the spirit of libFuzzer's: they reach much deeper
/// into a grammar than random bytes do.
struct Mutator {
  /// Tokens of the format being fuzzed, inserted or overwritten whole.
  let dictionary: [[UInt8]]
  /// Other valid documents, for splices.
  let corpus: [[UInt8]]

  static let interestingBytes: [UInt8] = [
    0x00, 0x01, 0x07, 0x08, 0x09, 0x0A, 0x0D, 0x1B, 0x1F, 0x20, 0x22, 0x27, 0x2C, 0x2E, 0x2F, 0x30,
    0x39, 0x3A, 0x3D, 0x5B, 0x5C, 0x5D, 0x7B, 0x7D, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xE2, 0xED, 0xEF,
    0xF0, 0xF4, 0xF5, 0xFF,
  ]

  func mutate(_ input: [UInt8], _ rng: inout FuzzRandom, rounds: Int? = nil) -> [UInt8] {
    var data = input
    for _ in 0..<(rounds ?? 1 + rng.skewed(upTo: 8)) {
      let position = rng.below(data.count + 1)
      switch rng.below(11) {
      case 0 where !data.isEmpty:  // flip a bit
        let index = min(position, data.count - 1)
        data[index] ^= 1 << UInt8(rng.below(8))
      case 1 where !data.isEmpty:  // replace a byte
        data[min(position, data.count - 1)] = rng.pick(Self.interestingBytes)
      case 2:  // insert a byte
        data.insert(rng.chance(50) ? rng.pick(Self.interestingBytes) : UInt8(rng.below(256)), at: position)
      case 3 where !data.isEmpty:  // delete a range
        let end = min(data.count, position + 1 + rng.skewed(upTo: 16))
        data.removeSubrange(min(position, data.count - 1)..<end)
      case 4:  // insert a token
        data.insert(contentsOf: rng.pick(dictionary), at: position)
      case 5 where !data.isEmpty:  // overwrite with a token
        let token = rng.pick(dictionary)
        let start = min(position, data.count - 1)
        data.replaceSubrange(start..<min(data.count, start + token.count), with: token)
      case 6:  // truncate
        data = Array(data.prefix(position))
      case 7 where !data.isEmpty:  // duplicate a range
        let start = min(position, data.count - 1)
        let chunk = data[start..<min(data.count, start + 1 + rng.skewed(upTo: 64))]
        data.insert(contentsOf: Array(chunk), at: rng.below(data.count + 1))
      case 8 where !corpus.isEmpty:  // splice: our head, another document's tail
        let other = rng.pick(corpus)
        data = Array(data.prefix(position)) + other.suffix(from: rng.below(other.count + 1))
      case 9 where !corpus.isEmpty:  // insert a piece of another document
        let other = rng.pick(corpus)
        let start = rng.below(other.count + 1)
        let piece = other[start..<min(other.count, start + rng.skewed(upTo: 80))]
        data.insert(contentsOf: Array(piece), at: position)
      case 10:  // a run of one byte (long numbers, deep brackets, long strings)
        let byte = rng.pick(Self.interestingBytes + Array("9[{\"a,".utf8))
        data.insert(contentsOf: repeatElement(byte, count: 1 + rng.skewed(upTo: 4096)), at: position)
      default:
        break
      }
    }
    return data
  }
}

/// Progress and outcome of one fuzzer, printed for the closing note (`fuzz decode: N cases`).
final class FuzzRun {
  let name: String
  let started = Date()
  private(set) var cases = 0
  /// Time spent in the code under test, without generating inputs and checking results.
  private(set) var bodySeconds = 0.0
  private(set) var failures = 0
  private(set) var slowest: (seconds: Double, index: Int) = (0, -1)
  var outcomes: [String: Int] = [:]

  init(_ name: String) { self.name = name }

  /// Runs one case, timing it; a case slower than `hangSeconds` is a failure (a near-hang).
  func run(_ index: Int, hangSeconds: Double = 2, _ body: () -> Void) {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    cases += 1
    bodySeconds += seconds
    if seconds > slowest.seconds { slowest = (seconds, index) }
    if seconds > hangSeconds {
      fail("case \(index) took \(seconds) s")
    }
  }

  /// Records an issue, at most 20 per fuzzer so one bug does not drown the log.
  func fail(_ message: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation) {
    failures += 1
    if failures <= 20 {
      Issue.record("\(name) (seed \(FuzzBudget.seed)): \(message())", sourceLocation: sourceLocation)
    }
  }

  func finish() {
    let elapsed = Date().timeIntervalSince(started)
    let shown = outcomes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    print(
      "fuzz \(name): \(cases) cases in \(String(format: "%.1f", elapsed)) s "
        + "(\(String(format: "%.1f", bodySeconds)) s in the code under test), slowest case \(slowest.index) "
        + "\(String(format: "%.1f", slowest.seconds * 1000)) ms, \(failures) failures; \(shown)")
  }
}

/// Bytes as a Swift literal, to paste a failing input into a regression test.
func literal(_ bytes: [UInt8], limit: Int = 600) -> String {
  if let text = String(validating: bytes.prefix(limit), as: UTF8.self),
    !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
  {
    return "\(text.debugDescription)\(bytes.count > limit ? " …(\(bytes.count) bytes)" : "")"
  }
  return "\(Array(bytes.prefix(limit)))\(bytes.count > limit ? " …(\(bytes.count) bytes)" : "")"
}

/// No C0/C1 control characters, DEL, or bidi overrides: safe for a terminal and a log line.
func isDisplaySafe(_ text: String) -> Bool {
  !text.unicodeScalars.contains { scalar in
    switch scalar.value {
    case 0..<0x20, 0x7F...0x9F, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
    default: false
    }
  }
}

func utf8(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The package root, from this file's path: Tests/FuzzTests/FuzzSupport.swift → ../../..
let packageRoot = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
let devicesDirectory = packageRoot + "/Devices"

func fileText(_ path: String) -> String {
  (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
}
