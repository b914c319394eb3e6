/// Tuning of the ingest loop. Defaults suit a school; the config file can change each.
public struct IngestSettings: Sendable, Equatable {
  /// Longest a received message waits in memory before its batch is committed (the QoS 0 loss bound).
  public var commitWindowMs: Int64
  /// Largest batch: at most this many messages are held uncommitted (and unacknowledged).
  public var maxBatch: Int
  /// Largest batch in bytes of payload held: memory stays bounded whatever `maxBatch` is.
  public var maxBatchBytes: Int
  /// How often committed log rows are compacted into chunks, and how many rows at most per go.
  public var compactEveryMs: Int64
  public var compactRows: Int
  /// Commit as soon as this many QoS 1 messages wait for their PUBACK, so the broker's in-flight
  /// window (MQTT 5 Receive Maximum, or mosquitto's max_inflight_messages) never stalls.
  public var ackBatch: Int
  /// A device that said it is online but stays silent this long becomes `stale`.
  public var staleAfterMs: Int64
  /// Most devices the store keeps, and most new devices a minute from one topic family.
  public var maxDevices: Int = 5000
  public var maxNewDevicesPerMinute: Int = 2000
  /// Topic filters and QoS to subscribe to.
  public var subscriptions: [Subscription]

  public struct Subscription: Sendable, Equatable {
    public var filter: String
    public var qos: Int32
    public init(filter: String, qos: Int32) {
      self.filter = filter
      self.qos = qos
    }
  }

  public init(
    commitWindowMs: Int64 = 1000, maxBatch: Int = 5000, maxBatchBytes: Int = 4 << 20,
    ackBatch: Int = 500, staleAfterMs: Int64 = 10 * 60_000, compactEveryMs: Int64 = 5 * 60_000,
    compactRows: Int = 20_000, subscriptions: [Subscription] = []
  ) {
    self.commitWindowMs = commitWindowMs
    self.maxBatch = maxBatch
    self.maxBatchBytes = maxBatchBytes
    self.compactEveryMs = compactEveryMs
    self.compactRows = compactRows
    self.ackBatch = ackBatch
    self.staleAfterMs = staleAfterMs
    self.subscriptions = subscriptions
  }
}
