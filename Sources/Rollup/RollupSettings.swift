/// The knobs of a rollup. The defaults are the operators' contract (docs/rollups.md).
public struct RollupSettings: Sendable, Equatable {
  /// Metric → "above" limit: `MetricStats.aboveMs` is the time strictly above it.
  public var thresholds: [String: Double]
  /// A sample's value holds until the next sample, but at most this long: a device that falls
  /// silent is not counted as "on" (or "above") forever.
  public var maxHoldMs: Int64

  public static let defaultThresholds: [String: Double] = ["co2": 1000, "temperature": 32]
  public static let defaultMaxHoldMs: Int64 = 600_000

  public init(
    thresholds: [String: Double] = RollupSettings.defaultThresholds,
    maxHoldMs: Int64 = RollupSettings.defaultMaxHoldMs
  ) {
    self.thresholds = thresholds
    self.maxHoldMs = maxHoldMs
  }
}
