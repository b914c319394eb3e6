/// SplitMix64: small, fast and the same on every machine, so `--seed` reproduces a run.
public struct SeededRandom: Sendable {
  private var state: UInt64

  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in [0, 1).
  public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

  public mutating func int(below bound: Int) -> Int { Int(next() % UInt64(max(bound, 1))) }

  public mutating func chance(_ probability: Double) -> Bool { unit() < probability }

  /// Roughly normal (sum of uniforms), mean 0, standard deviation `sigma`.
  public mutating func noise(_ sigma: Double) -> Double {
    (unit() + unit() + unit() + unit() - 2) * sigma * 1.73
  }
}
