/// A Prometheus histogram of durations in seconds: cumulative counts per upper bound, their sum
/// and count, so an admin can alert on a quantile rather than on one last value.
public struct LatencyHistogram: Sendable, Equatable {
  /// From 1 ms (a commit on an SSD) to 5 s (a dying SD card).
  public static let bounds: [Double] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

  /// `counts[i]`: observations ≤ `bounds[i]` (not cumulative; rendering adds them up).
  public private(set) var counts = [Int](repeating: 0, count: bounds.count)
  public private(set) var count = 0
  public private(set) var sum = 0.0

  public init() {}

  public mutating func observe(_ seconds: Double) {
    count += 1
    sum += seconds
    if let index = Self.bounds.firstIndex(where: { seconds <= $0 }) { counts[index] += 1 }
  }

  /// (upper bound as Prometheus writes it, cumulative count), ending with `+Inf`.
  public var cumulative: [(bound: String, count: Int)] {
    var running = 0
    var result: [(bound: String, count: Int)] = []
    for (bound, count) in zip(Self.bounds, counts) {
      running += count
      result.append((String(bound), running))
    }
    return result + [("+Inf", count)]
  }
}
