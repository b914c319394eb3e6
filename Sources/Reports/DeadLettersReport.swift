import Buffer
import DeviceModel

/// `classgate dead-letters`: the newest letters kept, and the counts since the store was made
/// (the letters themselves are capped by `store.max_dead_letters`; the counters are not).
public struct DeadLettersReport: Sendable, Equatable {
  public var recent: [DeadLetterRecord]
  /// Reasons with a count, in `DeadLetterReason.Code.allCases` order.
  public var countsByReason: [Count]
  public var total: Int64

  public struct Count: Sendable, Equatable {
    public var reason: String
    public var count: Int64

    public init(reason: String, count: Int64) {
      self.reason = reason
      self.count = count
    }
  }

  public static func read(_ reader: StoreReader, limit: Int) throws -> DeadLettersReport {
    let counters = try reader.counters()
    return DeadLettersReport(
      recent: try reader.deadLetters(limit: limit),
      countsByReason: DeadLetterReason.Code.allCases.compactMap { code in
        counters[Counter.deadLetters(code.rawValue)].map { Count(reason: code.rawValue, count: $0) }
      },
      total: counters[Counter.deadLetters] ?? 0)
  }
}
