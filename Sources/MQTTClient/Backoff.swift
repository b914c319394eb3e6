/// Capped exponential backoff with full jitter, so a city's worth of gateways do not reconnect in step.
public struct Backoff: Sendable, Equatable {
  public var initialMs: Int64
  public var maximumMs: Int64

  public init(initialMs: Int64 = 500, maximumMs: Int64 = 30_000) {
    self.initialMs = initialMs
    self.maximumMs = maximumMs
  }

  /// The delay before attempt number `attempt` (0-based), between half and all of the capped value.
  public func delayMs(attempt: Int, random: Double) -> Int64 {
    let exponent = min(attempt, 30)
    let capped = min(maximumMs, initialMs << Int64(exponent))
    let half = capped / 2
    return half + Int64(Double(capped - half) * min(max(random, 0), 1))
  }
}
