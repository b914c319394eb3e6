import PostgresClient

/// Events: entered in the ledger and stored in one statement.
enum EventWriter {
  /// False when `(school_id, stream, seq)` was already in the ledger (a redelivery).
  static func write(_ event: EventMessage, body: String, receivedMs: Int64, on connection: PostgresConnection)
    throws -> Bool
  {
    let envelope = event.envelope
    // The event row is inserted only from what the ledger insert returned: no row, no event.
    let rows = try connection.query(
      """
      WITH claimed AS (
        INSERT INTO sequenced (school_id, stream, seq, schema, created_ms, received_ms)
        VALUES ($1, $2, $3, 'classgate.event', $4, $5) ON CONFLICT DO NOTHING RETURNING school_id)
      INSERT INTO event (school_id, stream, seq, time_ms, type, device, received_ms, body)
      SELECT $1::text, $2::text, $3::bigint, $6::bigint, $7::text, $8::text, $5::bigint, $9::jsonb FROM claimed
      """,
      [
        .text(envelope.schoolID), .text(envelope.stream), .int(envelope.seq), .int(envelope.createdMs),
        .int(receivedMs), .int(event.timeMs), .text(event.type), .text(event.device), .text(body),
      ])
    return rows.affected == 1
  }
}
