import PostgresClient

/// Makes the monthly partitions rows are about to need, once per month and table per process.
///
/// It runs in its own short transaction before a batch: DDL inside the batch would hold the
/// parent table's lock until the batch commits, and a failed CREATE would abort the batch.
public final class PartitionMaker {
  /// One advisory lock serialises DDL across receivers (CREATE TABLE IF NOT EXISTS races otherwise).
  static let lockKey: Int64 = 0x436C_6173_7347_6174  // "ClassGat"
  private var made: Set<String> = []

  public init() {}

  /// Ensures a partition of every table for each month in `months` (and remembers it).
  public func ensure(_ months: [(table: String, month: Month)], on connection: PostgresConnection) throws {
    let missing = months.filter { !made.contains(Self.name($0.table, $0.month)) }
    guard !missing.isEmpty else { return }
    try connection.transaction {
      try connection.query("SELECT pg_advisory_xact_lock($1)", [.int(Self.lockKey)])
      for (table, month) in missing {
        try connection.execute(
          sql: """
            CREATE TABLE IF NOT EXISTS \(Self.name(table, month)) PARTITION OF \(table)
              FOR VALUES FROM (\(month.startMs)) TO (\(month.next.startMs))
            """)
      }
    }
    for (table, month) in missing { made.insert(Self.name(table, month)) }
  }

  /// The current month and the next of every partitioned table, made at start.
  public func ensureAround(nowMs: Int64, on connection: PostgresConnection) throws {
    let now = Month(containing: nowMs)
    try ensure(
      IOCSchema.partitionedTables.flatMap { table in [(table.table, now), (table.table, now.next)] },
      on: connection)
  }

  /// Forgets what was made (after reconnecting: another receiver, or an operator, may have dropped one).
  public func forget() { made.removeAll() }

  static func name(_ table: String, _ month: Month) -> String { "\(table)_\(month.suffix)" }
}
