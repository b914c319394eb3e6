import DeviceModel
import SQLiteStore

/// `late_ranges`: spans of time that got data after they were summarised (a device flushing its
/// own buffer, readings refused for a wrong clock and stored later). The writer notes one per
/// commit; the summariser revises the periods they touch and clears them. The table's only SQL.
public struct LateRanges {
  public struct Range: Sendable, Equatable {
    public var id: Int64
    public var from: EpochMillis
    public var to: EpochMillis
    public var notedAt: EpochMillis
    /// Where the range began: `from` moves on as its windows are redone in steps, and every day
    /// from here is revised once they are all done.
    public var daysFrom: EpochMillis

    public init(id: Int64, from: EpochMillis, to: EpochMillis, notedAt: EpochMillis, daysFrom: EpochMillis) {
      self.id = id
      self.from = from
      self.to = to
      self.notedAt = notedAt
      self.daysFrom = daysFrom
    }
  }

  /// When late data was noted: the first and last time, and how many ranges wait.
  public struct Noted: Sendable, Equatable {
    public var first: EpochMillis
    public var last: EpochMillis
    public var count: Int
  }

  private let connection: Connection

  public init(connection: Connection) {
    self.connection = connection
  }

  func note(from: EpochMillis, to: EpochMillis, at now: EpochMillis) throws {
    try execute("INSERT INTO late_ranges (from_ms, to_ms, noted_ms) VALUES (?, ?, ?)", from, to, now)
  }

  /// A span the IOC asked to have re-sent (`resend`): revised like late data, windows then days.
  public func request(from: EpochMillis, to: EpochMillis, at now: EpochMillis) throws {
    try note(from: from, to: to, at: now)
  }

  public func noted() throws -> Noted? {
    let times = try connection.cachedStatement(
      sql: "SELECT min(noted_ms), max(noted_ms), count(*) FROM late_ranges")
    defer { times.reset() }
    guard try times.step(), times.int(2) > 0 else { return nil }
    return Noted(first: times.int64(0), last: times.int64(1), count: times.int(2))
  }

  /// The range starting first (the oldest data to revise).
  public func oldest() throws -> Range? {
    try ranges(sql: "\(Self.columns) FROM late_ranges ORDER BY from_ms, id LIMIT 1").first
  }

  public func all() throws -> [Range] {
    try ranges(sql: "\(Self.columns) FROM late_ranges ORDER BY from_ms, id")
  }

  /// Whether a range other than `id` touches `[from, to)`.
  public func overlap(from: EpochMillis, to: EpochMillis, except id: Int64) throws -> Bool {
    let statement = try connection.cachedStatement(
      sql: "SELECT 1 FROM late_ranges WHERE id != ? AND from_ms < ? AND to_ms >= ? LIMIT 1")
    statement.bind(id, at: 1)
    statement.bind(to, at: 2)
    statement.bind(from, at: 3)
    defer { statement.reset() }
    return try statement.step()
  }

  /// Part of a range is done: what is left starts at `from`; its days still start at `daysFrom`.
  public func narrow(_ id: Int64, from: EpochMillis, daysFrom: EpochMillis) throws {
    try execute("UPDATE late_ranges SET from_ms = ?, days_from_ms = ? WHERE id = ?", from, daysFrom, id)
  }

  public func delete(_ id: Int64) throws {
    try execute("DELETE FROM late_ranges WHERE id = ?", id)
  }

  /// Replaces every range (the summariser merges those that share a window). Call in a transaction.
  public func replaceAll(with ranges: [Range]) throws {
    try execute("DELETE FROM late_ranges")
    for range in ranges {
      try execute(
        "INSERT INTO late_ranges (from_ms, to_ms, noted_ms, days_from_ms) VALUES (?, ?, ?, ?)", range.from,
        range.to, range.notedAt, range.daysFrom)
    }
  }

  private static let columns =
    "SELECT id, from_ms, to_ms, noted_ms, min(coalesce(days_from_ms, from_ms), from_ms)"

  private func ranges(sql: String) throws -> [Range] {
    let statement = try connection.cachedStatement(sql: sql)
    defer { statement.reset() }
    var result: [Range] = []
    while try statement.step() {
      result.append(
        Range(
          id: statement.int64(0), from: statement.int64(1), to: statement.int64(2),
          notedAt: statement.int64(3), daysFrom: statement.int64(4)))
    }
    return result
  }

  private func execute(_ sql: String, _ values: Int64...) throws {
    let statement = try connection.cachedStatement(sql: sql)
    for (index, value) in values.enumerated() { statement.bind(value, at: Int32(index + 1)) }
    try statement.run()
  }
}
