/// Notices the wall clock jumping against the monotonic clock (NTP's first sync on a box with no
/// RTC, a technician setting the date): the offset between the two changes at once.
public struct ClockJumpDetector: Sendable, Equatable {
  public var thresholdMs: Int64
  private var offset: Int64?

  public init(thresholdMs: Int64 = 5000) {
    self.thresholdMs = thresholdMs
  }

  /// The jump in milliseconds (positive: the wall clock moved forward), or nil.
  public mutating func jump(wallMs: Int64, monotonicMs: Int64) -> Int64? {
    let current = wallMs - monotonicMs
    defer { offset = current }
    guard let offset, abs(current - offset) > thresholdMs else { return nil }
    return current - offset
  }
}
