/// A message as it came off the broker, with the time it arrived.
public struct IncomingMessage: Sendable {
  public var topic: String
  public var payload: [UInt8]
  public var retained: Bool
  public var receivedMs: Int64
  /// The size as received; larger than `payload.count` when only a prefix was copied.
  public var size: Int

  public init(topic: String, payload: [UInt8], retained: Bool, receivedMs: Int64, size: Int? = nil) {
    self.topic = topic
    self.payload = payload
    self.retained = retained
    self.receivedMs = receivedMs
    self.size = size ?? payload.count
  }
}

/// What one batch did, for logs and tests.
public struct BatchOutcome: Sendable, Equatable {
  public var stored = 0
  public var duplicates = 0
  /// Summaries older than a stored revision of their period: not stored.
  public var superseded = 0
  public var presence = 0
  public var rejected = 0
  public init() {}
}

/// A batch's counts for one school, written to its `school` row once, at the end of the batch:
/// one row update per school instead of one per message, taken in school order, so two
/// receivers' batches do not lock the same rows in opposite orders.
struct SchoolTally {
  var newestCreatedMs: Int64?
  var newestReceivedMs: Int64?
  var messages = 0
  var duplicates = 0
  var rejected = 0

  mutating func arrived(_ envelope: Envelope, receivedMs: Int64, duplicate: Bool) {
    newestReceivedMs = max(newestReceivedMs ?? receivedMs, receivedMs)
    if duplicate {
      duplicates += 1
    } else {
      messages += 1
      newestCreatedMs = max(newestCreatedMs ?? envelope.createdMs, envelope.createdMs)
    }
  }
}
