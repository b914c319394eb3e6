import PostgresClient

/// Keeps, per (school, kind, period), only the parts of the highest revision (docs/uplink.md,
/// "Revisions" and "Summaries in parts"): a higher revision replaces every stored part, a lower
/// one is ignored, the same one adds its part.
enum SummaryWriter {
  /// Returns false when a higher revision of the period is already stored.
  static func write(
    _ summary: SummaryMessage, body: String, receivedMs: Int64, on connection: PostgresConnection
  )
    throws -> Bool
  {
    let envelope = summary.envelope
    let period: [PostgresValue] = [
      .text(envelope.schoolID), .text(summary.kind.rawValue), .int(summary.periodStartMs),
    ]
    // Two receivers with two revisions of one period must not interleave their read and write.
    try connection.query(
      "SELECT pg_advisory_xact_lock(hashtextextended($1 || '/' || $2 || '/' || $3, 0))", period)
    let stored = try connection.query(
      "SELECT max(revision) AS revision FROM summary WHERE school_id = $1 AND kind = $2 AND period_start_ms = $3",
      period
    ).first?.int("revision")
    if let stored, stored > summary.revision { return false }
    if let stored, stored < summary.revision {
      try connection.query(
        "DELETE FROM summary WHERE school_id = $1 AND kind = $2 AND period_start_ms = $3", period)
    }
    try connection.query(
      """
      INSERT INTO summary (school_id, kind, period_start_ms, part, period_end_ms, date, revision, parts,
                           stream, seq, received_ms, body)
      VALUES ($1, $2, $3, $4, $5, $6::date, $7, $8, $9, $10, $11, $12)
      ON CONFLICT DO NOTHING
      """,
      period + [
        .int(summary.part), .int(summary.periodEndMs), .text(summary.date), .int(summary.revision),
        .int(summary.parts), .text(envelope.stream), .int(envelope.seq), .int(receivedMs), .text(body),
      ])
    return true
  }
}
