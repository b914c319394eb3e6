import DeviceModel
import JSON

/// Device timestamps: epoch seconds, epoch milliseconds, or ISO 8601 with a zone.
enum Timestamp {
  /// Numbers below this are seconds, above it milliseconds (1e11 s is the year 5138).
  static let secondsMillisBoundary: Double = 100_000_000_000

  /// nil value → receipt time. Throws the reason when the value is present but unusable.
  static func resolve(
    _ value: JSONValue?, receivedAt: EpochMillis, limits: DecodeLimits
  ) throws(DeadLetterReason) -> EpochMillis {
    guard let value else { return receivedAt }
    let time: EpochMillis
    switch value {
    case .number(let number):
      guard number.isFinite, number >= 0 else {
        throw DeadLetterReason(.invalidTimestamp, "'ts' must be a positive number")
      }
      // Also keeps the Int64 conversion below from trapping on hostile values like 1e300.
      guard number < 1e15 else {
        throw DeadLetterReason(
          .invalidTimestamp, "'ts' must be epoch seconds or milliseconds")
      }
      time = number < secondsMillisBoundary ? EpochMillis(number * 1000) : EpochMillis(number)
    case .string(let text):
      guard let parsed = EpochTime.parseISO8601(text) else {
        throw DeadLetterReason(

          .invalidTimestamp, "'ts' is not ISO 8601 with a zone (e.g. 2026-11-29T08:00:00+07:00)")
      }
      time = parsed
    default:
      throw DeadLetterReason(
        .invalidTimestamp, "'ts' must be a number or an ISO 8601 string")
    }
    if time > receivedAt + limits.maxFutureSkewMs {
      throw DeadLetterReason(
        .invalidTimestamp, "'ts' is \((time - receivedAt) / 1000) s in the future",
        clockSkewMs: time - receivedAt)
    }
    if time < receivedAt - limits.maxAgeMs {
      throw DeadLetterReason(
        .invalidTimestamp, "'ts' is \((receivedAt - time) / 86_400_000) days old",
        clockSkewMs: time - receivedAt)
    }
    return time
  }
}
