/// When to read, when to commit and when PUBACKs may leave: the rule that makes QoS 1 crash-safe,
/// as plain values (no broker, no store), so it is tested on its own.
///
/// - A PUBACK leaves only when nothing read is uncommitted (`mayReleaseAcks`).
/// - A batch is committed when it is full (messages or bytes), when enough QoS 1 messages wait
///   for their PUBACK, when its oldest message has waited `commitWindowMs` (the QoS 0 loss bound),
///   or at once when stopping.
/// - After a failed commit nothing more is read (the broker keeps what is unacknowledged) and the
///   commit is retried with capped exponential backoff.
public struct IngestPolicy: Sendable, Equatable {
  public var commitWindowMs: Int64
  public var maxBatch: Int
  public var maxBatchBytes: Int
  public var ackBatch: Int

  public private(set) var pendingItems = 0
  public private(set) var pendingBytes = 0
  public private(set) var pendingAcks = 0
  public private(set) var pendingSinceMs: Int64?
  public private(set) var failures = 0
  public private(set) var retryAtMs: Int64 = 0
  public private(set) var stopping = false

  public init(commitWindowMs: Int64, maxBatch: Int, maxBatchBytes: Int, ackBatch: Int) {
    self.commitWindowMs = commitWindowMs
    self.maxBatch = maxBatch
    self.maxBatchBytes = maxBatchBytes
    self.ackBatch = ackBatch
  }

  /// Whether to read more from the broker now.
  public var canRead: Bool {
    failures == 0 && pendingItems < maxBatch && pendingBytes < maxBatchBytes && !stopping
  }

  /// How many messages one read may take.
  public var readLimit: Int { max(0, maxBatch - pendingItems) }

  /// The one rule of crash safety: PUBACKs leave only when nothing read is uncommitted.
  public var mayReleaseAcks: Bool { pendingItems == 0 && pendingAcks == 0 }

  /// A message was handed to the writer (`qos` as received; `bytes` as held in memory).
  public mutating func held(qos: Int32, bytes: Int, nowMs: Int64) {
    pendingItems += 1
    pendingBytes += bytes
    if qos > 0 { pendingAcks += 1 }
    if pendingSinceMs == nil { pendingSinceMs = nowMs }
  }

  /// Something else waits in the batch (a status change found by the stale sweep).
  public mutating func heldOther(nowMs: Int64) {
    pendingItems += 1
    if pendingSinceMs == nil { pendingSinceMs = nowMs }
  }

  public func shouldCommit(nowMs: Int64) -> Bool {
    guard pendingItems > 0 || pendingAcks > 0 else { return false }
    if failures > 0 && nowMs < retryAtMs && !stopping { return false }
    if stopping || pendingItems >= maxBatch || pendingBytes >= maxBatchBytes || pendingAcks >= ackBatch {
      return true
    }
    guard let since = pendingSinceMs else { return true }
    return nowMs - since >= commitWindowMs
  }

  /// When the next commit falls due, for the poll timeout (nil: nothing waits).
  public func commitDueMs() -> Int64? {
    guard let since = pendingSinceMs else { return nil }
    return failures > 0 ? retryAtMs : since + commitWindowMs
  }

  public mutating func committed() {
    pendingItems = 0
    pendingBytes = 0
    pendingAcks = 0
    pendingSinceMs = nil
    failures = 0
  }

  /// Returns the attempt number; the batch stays held and the acknowledgements with it.
  @discardableResult
  public mutating func commitFailed(nowMs: Int64) -> Int {
    failures += 1
    retryAtMs = nowMs + min(30_000, 250 << Int64(min(failures, 7)))
    return failures
  }

  public mutating func stop() { stopping = true }
}
