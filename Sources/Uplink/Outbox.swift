import Buffer
import DeviceModel
import SQLiteStore

/// Messages for the IOC, durable until the IOC broker acknowledges them (QoS 1 PUBACK).
///
/// Every message gets the next per-school `seq` when it is created, in the same transaction that
/// creates it; the counter lives in `meta` and only increases, so a seq is never reused, even
/// after delivered rows are purged.
public final class Outbox {
  /// Summaries and events drain in separate lanes, each oldest first, so a week of backlog
  /// never holds back a device going offline now.
  public enum Lane: String, Sendable, CaseIterable {
    case events
    case summaries
  }

  public struct Message: Sendable, Equatable {
    public var seq: Int64
    public var lane: Lane
    /// Below the school's prefix, e.g. `summaries/window`.
    public var topic: String
    public var payload: [UInt8]
    public var createdAt: EpochMillis
  }

  public struct Status: Sendable, Equatable {
    public var pending = 0
    public var pendingByLane: [Lane: Int] = [:]
    public var oldestPendingAt: EpochMillis?
    public var lastSeq: Int64?
    public var lastAckedSeq: Int64?
    /// Messages set aside because the IOC broker would not take them, and the newest reason.
    public var setAside = 0
    public var setAsideReason: String?
    public init() {}
  }

  private let connection: Connection

  public init(connection: Connection) {
    self.connection = connection
  }

  /// This store's stream id: 16 random hex digits made with the store's first outbox use and
  /// kept in `meta`. A new store (a reinstalled box) is a new stream whose seqs start at 1 again.
  public static func stream(in connection: Connection) throws -> String {
    if let stream = try Meta.read(MetaKey.outboxStream, in: connection) { return stream }
    return try connection.transaction {
      let stream = try connection.scalarText(sql: "SELECT lower(hex(randomblob(8)))") ?? "0000000000000000"
      try Meta.write(MetaKey.outboxStream, stream, in: connection)
      return stream
    }
  }

  /// Adds a message; `payload` gets its seq. Call inside the transaction that makes the message,
  /// so a crash leaves either both the data change and the message or neither.
  @discardableResult
  public func enqueue(
    lane: Lane, topic: String, createdAt: EpochMillis, payload: (Int64) -> [UInt8]
  ) throws -> Int64 {
    let seq = (try Meta.readInt(MetaKey.outboxLastSeq, in: connection) ?? 0) + 1
    let insert = try connection.cachedStatement(
      sql: "INSERT INTO outbox (seq, lane, topic, payload, created_ms) VALUES (?, ?, ?, ?, ?)")
    insert.bind(seq, at: 1)
    insert.bind(lane.rawValue, at: 2)
    insert.bind(topic, at: 3)
    insert.bind(blob: payload(seq), at: 4)
    insert.bind(createdAt, at: 5)
    try insert.run()
    try Meta.write(MetaKey.outboxLastSeq, String(seq), in: connection)
    return seq
  }

  /// Undelivered messages of a lane with seq > `after`, oldest first.
  public func pending(_ lane: Lane, after: Int64, limit: Int) throws -> [Message] {
    let statement = try connection.cachedStatement(
      sql: """
        SELECT seq, topic, payload, created_ms FROM outbox
        WHERE lane = ? AND delivered_ms IS NULL AND seq > ? ORDER BY seq LIMIT ?
        """)
    statement.bind(lane.rawValue, at: 1)
    statement.bind(after, at: 2)
    statement.bind(limit, at: 3)
    var messages: [Message] = []
    while try statement.step() {
      messages.append(
        Message(
          seq: statement.int64(0), lane: lane, topic: statement.text(1) ?? "",
          payload: statement.blob(2), createdAt: statement.int64(3)))
    }
    return messages
  }

  /// Moves a message the IOC broker will not take out of the queue, so the rest flows; it is
  /// kept (`outbox_set_aside`) with the reason, for the operator.
  public func setAside(_ seq: Int64, reason: String, at time: EpochMillis) throws {
    try connection.transaction {
      let copy = try connection.cachedStatement(
        sql: """
          INSERT OR REPLACE INTO outbox_set_aside (seq, lane, topic, payload, created_ms, set_aside_ms, reason)
          SELECT seq, lane, topic, payload, created_ms, ?, ? FROM outbox WHERE seq = ?
          """)
      copy.bind(time, at: 1)
      copy.bind(reason, at: 2)
      copy.bind(seq, at: 3)
      try copy.run()
      let delete = try connection.cachedStatement(
        sql: "DELETE FROM outbox WHERE seq = ? AND delivered_ms IS NULL")
      delete.bind(seq, at: 1)
      try delete.run()
      try Counters.add(1, to: Counter.outboxSetAside, in: connection)
    }
  }

  /// Marks acknowledged messages delivered, in one transaction.
  public func markDelivered(_ seqs: [Int64], at time: EpochMillis) throws {
    guard !seqs.isEmpty else { return }
    try connection.transaction {
      let update = try connection.cachedStatement(
        sql: "UPDATE outbox SET delivered_ms = ? WHERE seq = ? AND delivered_ms IS NULL")
      for seq in seqs {
        update.bind(time, at: 1)
        update.bind(seq, at: 2)
        try update.run()
      }
      let lastAcked = try Meta.readInt(MetaKey.outboxLastAckedSeq, in: connection) ?? 0
      if let newest = seqs.max(), newest > lastAcked {
        try Meta.write(MetaKey.outboxLastAckedSeq, String(newest), in: connection)
      }
    }
  }

  /// The queue as of one commit (counts and seqs from the same snapshot).
  public func status() throws -> Status {
    try connection.snapshot { try readStatus() }
  }

  private func readStatus() throws -> Status {
    var status = Status()
    let statement = try connection.cachedStatement(
      sql: "SELECT lane, count(*), min(created_ms) FROM outbox WHERE delivered_ms IS NULL GROUP BY lane")
    while try statement.step() {
      let count = statement.int(1)
      if let lane = Lane(rawValue: statement.text(0) ?? "") { status.pendingByLane[lane] = count }
      status.pending += count
      if let oldest = statement.optionalInt64(2) {
        status.oldestPendingAt = min(status.oldestPendingAt ?? oldest, oldest)
      }
    }
    let aside = try connection.cachedStatement(
      sql:
        "SELECT count(*), (SELECT reason FROM outbox_set_aside ORDER BY set_aside_ms DESC LIMIT 1) FROM outbox_set_aside"
    )
    if (try? aside.step()) == true {
      status.setAside = aside.int(0)
      status.setAsideReason = aside.text(1)
    }
    aside.reset()
    status.lastSeq = try Meta.readInt(MetaKey.outboxLastSeq, in: connection)
    status.lastAckedSeq = try Meta.readInt(MetaKey.outboxLastAckedSeq, in: connection)
    return status
  }

  /// What `requeue` found in a seq range.
  public struct Requeued: Sendable, Equatable {
    /// Delivered rows put back to pending, and rows that were still pending anyway.
    public var requeued = 0
    public var pending = 0
    /// The lowest and highest seq held in the range, nil when none is.
    public var heldFrom: Int64?
    public var heldTo: Int64?
  }

  /// Puts the delivered rows with seq in `from...to` back to pending, so they are published again
  /// with their own seq and payload (a resend from the IOC). Rows already purged are not held.
  public func requeue(from: Int64, to: Int64) throws -> Requeued {
    try connection.transaction {
      var result = Requeued()
      let held = try connection.cachedStatement(
        sql: """
          SELECT min(seq), max(seq), coalesce(sum(delivered_ms IS NULL), 0)
          FROM outbox WHERE seq BETWEEN ? AND ?
          """)
      held.bind(from, at: 1)
      held.bind(to, at: 2)
      if try held.step() {
        result.heldFrom = held.optionalInt64(0)
        result.heldTo = held.optionalInt64(1)
        result.pending = held.int(2)
      }
      held.reset()
      let update = try connection.cachedStatement(
        sql: "UPDATE outbox SET delivered_ms = NULL WHERE seq BETWEEN ? AND ? AND delivered_ms IS NOT NULL")
      update.bind(from, at: 1)
      update.bind(to, at: 2)
      try update.run()
      result.requeued = connection.changes
      return result
    }
  }

  /// Rows with seq in `from...to` not yet acknowledged.
  public func pendingCount(from: Int64, to: Int64) throws -> Int {
    let statement = try connection.cachedStatement(
      sql: "SELECT count(*) FROM outbox WHERE seq BETWEEN ? AND ? AND delivered_ms IS NULL")
    statement.bind(from, at: 1)
    statement.bind(to, at: 2)
    defer { statement.reset() }
    return try statement.step() ? statement.int(0) : 0
  }

  /// The lowest seq still held (delivered or not), nil for an empty outbox.
  public func oldestHeldSeq() throws -> Int64? {
    let statement = try connection.cachedStatement(sql: "SELECT min(seq) FROM outbox")
    defer { statement.reset() }
    return try statement.step() ? statement.optionalInt64(0) : nil
  }

  /// Forgets delivered messages older than `cutoff` (their seqs stay used).
  @discardableResult
  public func purgeDelivered(before cutoff: EpochMillis) throws -> Int {
    let statement = try connection.cachedStatement(
      sql: "DELETE FROM outbox WHERE delivered_ms IS NOT NULL AND delivered_ms < ?")
    statement.bind(cutoff, at: 1)
    try statement.run()
    return connection.changes
  }
}

@available(*, unavailable)
extension Outbox: Sendable {}
