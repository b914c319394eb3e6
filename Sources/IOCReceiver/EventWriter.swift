import PostgresClient

/// Events: entered in the ledger and stored in one statement.
enum EventWriter {
  static func write(_ event: EventMessage, body: String, receivedMs: Int64, on connection: PostgresConnection)
    throws -> SequencedResult
  {
    let envelope = event.envelope
    // The event row is inserted only from what the ledger insert returned: no row, no event. The
    // final SELECT sees the ledger as it was before this statement, so `differs` is null for a
    // first arrival and says, for a redelivery, whether the earlier one had other content.
    let rows = try connection.query(
      """
      WITH claimed AS (
        INSERT INTO sequenced (school_id, stream, seq, schema, created_ms, received_ms, digest)
        VALUES ($1, $2, $3, 'classgate.event', $4, $5, md5($9::text)) ON CONFLICT DO NOTHING RETURNING school_id),
      stored AS (
        INSERT INTO event (school_id, stream, seq, time_ms, type, device, received_ms, body)
        SELECT $1::text, $2::text, $3::bigint, $6::bigint, $7::text, $8::text, $5::bigint, $9::text::jsonb
        FROM claimed RETURNING 1)
      SELECT (SELECT count(*) FROM stored) AS stored,
        (SELECT digest <> md5($9::text) FROM sequenced WHERE school_id = $1 AND stream = $2 AND seq = $3) AS differs
      """,
      [
        .text(envelope.schoolID), .text(envelope.stream), .int(envelope.seq), .int(envelope.createdMs),
        .int(receivedMs), .int(event.timeMs), .text(event.type), .text(event.device), .text(body),
      ])
    if rows.first?.int("stored") == 1 { return .stored }
    return rows.first?.bool("differs") == true ? .conflict : .duplicate
  }
}

/// What entering a sequenced message in the ledger did.
enum SequencedResult: Equatable {
  case stored
  /// A higher revision of the period is already stored (summaries only).
  case superseded
  /// `(school_id, stream, seq)` was already in the ledger with the same content: a redelivery.
  case duplicate
  /// `(school_id, stream, seq)` was already in the ledger with other content: an agent reused a
  /// seq (a store restored from a backup without its stream changed, say). Kept as a rejected row.
  case conflict

  static let conflictReason =
    "seq already stored for this school and stream with different content (a reused seq; the first one is kept)"
}
