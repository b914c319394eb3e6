import PostgresClient

/// Writes validated messages into PostgreSQL, a whole batch in one transaction: the caller lets
/// the batch's PUBACKs out only after `store` returns.
///
/// Not Sendable: it owns the connection's thread.
public final class IOCStore {
  public let connection: PostgresConnection
  private let partitions = PartitionMaker()
  private let zones = ZoneLookup()
  /// Payload bytes kept in a rejected row (the size is kept too).
  static let rejectedPayloadLimit = 64 << 10

  public init(connection: PostgresConnection, nowMs: Int64) throws {
    self.connection = connection
    try IOCSchema.migrate(connection)
    try partitions.ensureAround(nowMs: nowMs, on: connection)
  }

  /// Validates and stores `batch` in one transaction. A message that fails validation, or that the
  /// database refuses for its content, becomes a rejected row; only a connection failure or a
  /// deadlock throws (then nothing of the batch is stored, and the broker redelivers it all).
  public func store(_ batch: [IncomingMessage]) throws -> BatchOutcome {
    let checked = batch.map { incoming in
      guard incoming.size <= UplinkValidator.maxPayloadBytes else {
        let limit = UplinkValidator.maxPayloadBytes >> 20
        return (
          incoming,
          Result<UplinkMessage, InvalidMessage>.failure(
            InvalidMessage("payload of \(incoming.size) bytes is larger than \(limit) MiB"))
        )
      }
      return (
        incoming, UplinkValidator.validate(topic: incoming.topic, payload: incoming.payload, zones: zones)
      )
    }
    try partitions.ensure(Self.monthsNeeded(checked), on: connection)
    do {
      return try connection.transaction { try write(checked, isolated: false) }
    } catch let error as PostgresError where !error.isConnectionFailure && !error.isRetryable {
      // Some message's content was refused (a value out of range for a column, say). Once more,
      // each message under its own savepoint, so that one becomes a rejected row and the rest is
      // stored: one message cannot stop the whole stream. Savepoints cost two round trips a
      // message, so only this rare path pays for them.
      return try connection.transaction { try write(checked, isolated: true) }
    }
  }

  private func write(_ checked: [(IncomingMessage, Result<UplinkMessage, InvalidMessage>)], isolated: Bool)
    throws
    -> BatchOutcome
  {
    var outcome = BatchOutcome()
    var tallies: [String: SchoolTally] = [:]
    for (incoming, result) in checked {
      switch result {
      case .failure(let invalid):
        try reject(incoming, reason: invalid.reason, outcome: &outcome, tallies: &tallies)
      case .success(let message) where isolated:
        try connection.execute(sql: "SAVEPOINT message")
        do {
          var attempt = outcome
          var attemptTallies = tallies
          try write(message, incoming, outcome: &attempt, tallies: &attemptTallies)
          try connection.execute(sql: "RELEASE SAVEPOINT message")
          outcome = attempt
          tallies = attemptTallies
        } catch let error as PostgresError where !error.isConnectionFailure && !error.isRetryable {
          try connection.execute(sql: "ROLLBACK TO SAVEPOINT message")
          try reject(
            incoming, reason: "database refused it: \(error.message)", outcome: &outcome, tallies: &tallies)
        }
      case .success(let message):
        try write(message, incoming, outcome: &outcome, tallies: &tallies)
      }
    }
    for (school, tally) in tallies.sorted(by: { $0.key < $1.key }) {
      try connection.query(
        """
        INSERT INTO school (school_id, newest_created_ms, newest_received_ms, messages, duplicates, rejected)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (school_id) DO UPDATE SET
          newest_created_ms = GREATEST(school.newest_created_ms, excluded.newest_created_ms),
          newest_received_ms = GREATEST(school.newest_received_ms, excluded.newest_received_ms),
          messages = school.messages + excluded.messages,
          duplicates = school.duplicates + excluded.duplicates,
          rejected = school.rejected + excluded.rejected
        """,
        [
          .text(school), .int(tally.newestCreatedMs), .int(tally.newestReceivedMs), .int(tally.messages),
          .int(tally.duplicates), .int(tally.rejected),
        ])
    }
    return outcome
  }

  private func write(
    _ message: UplinkMessage, _ incoming: IncomingMessage, outcome: inout BatchOutcome,
    tallies: inout [String: SchoolTally]
  ) throws {
    let body = String(decoding: incoming.payload, as: UTF8.self)
    let received = incoming.receivedMs
    switch message {
    case .presence(let presence):
      try PresenceWriter.write(presence, incoming, on: connection)
      outcome.presence += 1
    case .event(let event):
      let result = try EventWriter.write(event, body: body, receivedMs: received, on: connection)
      try count(result, event.envelope, incoming, outcome: &outcome, tallies: &tallies)
    case .summary(let summary):
      let result = try SummaryWriter.write(summary, body: body, receivedMs: received, on: connection)
      try count(result, summary.envelope, incoming, outcome: &outcome, tallies: &tallies)
    }
  }

  private func count(
    _ result: SequencedResult, _ envelope: Envelope, _ incoming: IncomingMessage, outcome: inout BatchOutcome,
    tallies: inout [String: SchoolTally]
  ) throws {
    switch result {
    case .stored: outcome.stored += 1
    case .superseded: outcome.superseded += 1
    case .duplicate: outcome.duplicates += 1
    case .conflict:
      try reject(incoming, reason: SequencedResult.conflictReason, outcome: &outcome, tallies: &tallies)
      return
    }
    tallies[envelope.schoolID, default: .init()].arrived(
      envelope, receivedMs: incoming.receivedMs, duplicate: result == .duplicate)
  }

  private func reject(
    _ incoming: IncomingMessage, reason: String, outcome: inout BatchOutcome,
    tallies: inout [String: SchoolTally]
  ) throws {
    let school = UplinkValidator.school(inTopic: incoming.topic)
    let kept = incoming.payload.prefix(Self.rejectedPayloadLimit)
    try connection.query(
      """
      INSERT INTO rejected (received_ms, topic, school_id, reason, payload_size, payload)
      VALUES ($1, $2, $3, $4, $5, $6::bytea)
      """,
      [
        .int(incoming.receivedMs), .text(Self.printable(incoming.topic)), .text(school), .text(reason),
        .int(incoming.size), .text(Self.hexBytea(kept)),
      ])
    if let school { tallies[school, default: .init()].rejected += 1 }
    outcome.rejected += 1
  }

  /// Partitions the batch's rows fall into (the rejected rows' by their arrival).
  static func monthsNeeded(_ checked: [(IncomingMessage, Result<UplinkMessage, InvalidMessage>)])
    -> [(table: String, month: Month)]
  {
    var needed = Set<String>()
    var result: [(String, Month)] = []
    func add(_ table: String, _ ms: Int64) {
      let month = Month(containing: ms)
      if needed.insert("\(table) \(month)").inserted { result.append((table, month)) }
    }
    for (incoming, outcome) in checked {
      switch outcome {
      case .success(.summary(let summary)): add("summary", summary.periodStartMs)
      case .success(.event(let event)): add("event", event.timeMs)
      case .success(.presence): break
      case .failure: add("rejected", incoming.receivedMs)
      }
      // A content refusal turns any message into a rejected row.
      add("rejected", incoming.receivedMs)
    }
    return result
  }

  /// A topic is UTF-8 by MQTT's rules, but text columns refuse NUL: replace control characters.
  static func printable(_ text: String) -> String {
    String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 ? "?" : $0 }))
  }

  /// bytea's hex input format: `\x` then two hex digits per byte.
  static func hexBytea(_ bytes: ArraySlice<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = [0x5C, 0x78]
    text.reserveCapacity(2 + bytes.count * 2)
    for byte in bytes {
      text.append(digits[Int(byte >> 4)])
      text.append(digits[Int(byte & 0xF)])
    }
    return String(decoding: text, as: UTF8.self)
  }
}

@available(*, unavailable)
extension IOCStore: Sendable {}
