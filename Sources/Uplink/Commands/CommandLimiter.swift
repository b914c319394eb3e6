import DeviceModel

/// A token bucket: `perMinute` commands a minute, up to `perMinute` at once. Pure: the caller
/// passes the (monotonic) time. A refused command does not take a token.
public struct CommandLimiter: Sendable {
  public let perMinute: Int
  private var tokens: Double
  private var lastMs: Int64?

  public init(perMinute: Int = 6) {
    self.perMinute = perMinute
    tokens = Double(perMinute)
  }

  public mutating func admit(nowMs: Int64) -> Bool {
    if let lastMs {
      tokens = min(Double(perMinute), tokens + Double(max(0, nowMs - lastMs)) * Double(perMinute) / 60_000)
    }
    lastMs = nowMs
    guard tokens >= 1 else { return false }
    tokens -= 1
    return true
  }
}

/// The answers to the last `capacity` request ids: a QoS 1 redelivery of a command gets the same
/// answer again without being run twice.
public struct RecentResponses: Sendable {
  public let capacity: Int
  private var order: [String] = []
  private var answers: [String: [UInt8]] = [:]

  public init(capacity: Int = 64) { self.capacity = capacity }

  public func answer(to requestID: String) -> [UInt8]? { answers[requestID] }

  public mutating func remember(_ requestID: String, answer: [UInt8]) {
    if answers.updateValue(answer, forKey: requestID) == nil { order.append(requestID) }
    while order.count > capacity { answers[order.removeFirst()] = nil }
  }
}
