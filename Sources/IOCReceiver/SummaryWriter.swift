import PostgresClient

/// Keeps, per (school, kind, period), only the parts of the highest revision (docs/uplink.md,
/// "Revisions" and "Summaries in parts"): a higher revision replaces every stored part, a lower
/// one is ignored, the same one adds its part.
enum SummaryWriter {
  static func write(
    _ summary: SummaryMessage, body: String, receivedMs: Int64, on connection: PostgresConnection
  )
    throws -> SequencedResult
  {
    let envelope = summary.envelope
    let period: [PostgresValue] = [
      .text(envelope.schoolID), .text(summary.kind.rawValue), .int(summary.periodStartMs),
    ]
    // Enter it in the ledger and, only if that inserted a row, take the period's lock: two
    // receivers with two revisions of one period must not interleave their read and write. As in
    // EventWriter, `differs` compares a redelivery with what the ledger held before.
    let claimed = try connection.query(
      """
      WITH claimed AS (
        INSERT INTO sequenced (school_id, stream, seq, schema, created_ms, received_ms, digest)
        VALUES ($1, $4, $5, $6, $7, $8, md5($9::text)) ON CONFLICT DO NOTHING RETURNING school_id),
      locked AS (
        SELECT pg_advisory_xact_lock(hashtextextended($1::text || '/' || $2::text || '/' || $3::text, 0))
        FROM claimed)
      SELECT (SELECT count(*) FROM locked) AS claimed,
        (SELECT digest <> md5($9::text) FROM sequenced WHERE school_id = $1 AND stream = $4 AND seq = $5) AS differs
      """,
      period + [
        .text(envelope.stream), .int(envelope.seq),
        .text(summary.kind.schema),
        .int(envelope.createdMs), .int(receivedMs), .text(body),
      ])
    guard claimed.first?.int("claimed") == 1 else {
      return claimed.first?.bool("differs") == true ? .conflict : .duplicate
    }
    let stored = try connection.query(
      "SELECT max(revision) AS revision FROM summary WHERE school_id = $1 AND kind = $2 AND period_start_ms = $3",
      period
    ).first?.int("revision")
    if let stored, stored > summary.revision { return .superseded }
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
    return .stored
  }
}
