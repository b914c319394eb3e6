import PostgresClient

/// A message as it came off the broker, with the time it arrived.
public struct IncomingMessage: Sendable {
  public var topic: String
  public var payload: [UInt8]
  public var retained: Bool
  public var receivedMs: Int64

  public init(topic: String, payload: [UInt8], retained: Bool, receivedMs: Int64) {
    self.topic = topic
    self.payload = payload
    self.retained = retained
    self.receivedMs = receivedMs
  }
}

/// What one batch did, for logs and tests.
public struct BatchOutcome: Sendable, Equatable {
  public var stored = 0
  public var duplicates = 0
  /// Summaries older than a stored revision of their period: not stored.
  public var superseded = 0
  public var presence = 0
  public var rejected = 0
  public init() {}
}

/// Writes validated messages into PostgreSQL, a whole batch in one transaction: the caller lets
/// the batch's PUBACKs out only after `store` returns.
///
/// Not Sendable: it owns the connection's thread.
public final class IOCStore {
  public let connection: PostgresConnection
  private let partitions = PartitionMaker()
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
    let checked = batch.map { ($0, UplinkValidator.validate(topic: $0.topic, payload: $0.payload)) }
    try partitions.ensure(Self.monthsNeeded(checked), on: connection)
    return try connection.transaction {
      var outcome = BatchOutcome()
      for (incoming, result) in checked {
        switch result {
        case .failure(let invalid):
          try reject(incoming, reason: invalid.reason, outcome: &outcome)
        case .success(let message):
          try storeInSavepoint(message, incoming, outcome: &outcome)
        }
      }
      return outcome
    }
  }

  private func storeInSavepoint(
    _ message: UplinkMessage, _ incoming: IncomingMessage, outcome: inout BatchOutcome
  )
    throws
  {
    try connection.execute(sql: "SAVEPOINT message")
    do {
      try write(message, incoming, outcome: &outcome)
      try connection.execute(sql: "RELEASE SAVEPOINT message")
    } catch let error as PostgresError where !error.isConnectionFailure && !error.isRetryable {
      // The content itself was refused (a value out of range for a column, say): keep it as a
      // rejected row, so one message cannot stop the whole stream.
      try connection.execute(sql: "ROLLBACK TO SAVEPOINT message")
      try reject(incoming, reason: "database refused it: \(error.message)", outcome: &outcome)
    }
  }

  private func write(_ message: UplinkMessage, _ incoming: IncomingMessage, outcome: inout BatchOutcome)
    throws
  {
    switch message {
    case .presence(let presence):
      try PresenceWriter.write(presence, incoming, on: connection)
      outcome.presence += 1
    case .summary, .event:
      guard let envelope = message.envelope else { return }
      guard try claim(envelope, schema: Self.schemaName(message), receivedMs: incoming.receivedMs) else {
        outcome.duplicates += 1
        try noteArrival(envelope, incoming, duplicate: true)
        return
      }
      let body = String(decoding: incoming.payload, as: UTF8.self)
      if case .summary(let summary) = message {
        if try SummaryWriter.write(summary, body: body, receivedMs: incoming.receivedMs, on: connection) {
          outcome.stored += 1
        } else {
          outcome.superseded += 1
        }
      } else if case .event(let event) = message {
        try connection.query(
          """
          INSERT INTO event (school_id, stream, seq, time_ms, type, device, received_ms, body)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING
          """,
          [
            .text(envelope.schoolID), .text(envelope.stream), .int(envelope.seq), .int(event.timeMs),
            .text(event.type), .text(event.device), .int(incoming.receivedMs), .text(body),
          ])
        outcome.stored += 1
      }
      try noteArrival(envelope, incoming, duplicate: false)
    }
  }

  /// Enters the message in the ledger; false when `(school_id, stream, seq)` was already there.
  private func claim(_ envelope: Envelope, schema: String, receivedMs: Int64) throws -> Bool {
    let rows = try connection.query(
      """
      INSERT INTO sequenced (school_id, stream, seq, schema, created_ms, received_ms)
      VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING seq
      """,
      [
        .text(envelope.schoolID), .text(envelope.stream), .int(envelope.seq), .text(schema),
        .int(envelope.createdMs), .int(receivedMs),
      ])
    return !rows.isEmpty
  }

  private func noteArrival(_ envelope: Envelope, _ incoming: IncomingMessage, duplicate: Bool) throws {
    try connection.query(
      """
      INSERT INTO school (school_id, newest_created_ms, newest_received_ms, messages, duplicates)
      VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (school_id) DO UPDATE SET
        newest_created_ms = GREATEST(school.newest_created_ms, excluded.newest_created_ms),
        newest_received_ms = GREATEST(school.newest_received_ms, excluded.newest_received_ms),
        messages = school.messages + excluded.messages,
        duplicates = school.duplicates + excluded.duplicates
      """,
      [
        .text(envelope.schoolID), .int(duplicate ? nil : envelope.createdMs), .int(incoming.receivedMs),
        .int(duplicate ? 0 : 1), .int(duplicate ? 1 : 0),
      ])
  }

  private func reject(_ incoming: IncomingMessage, reason: String, outcome: inout BatchOutcome) throws {
    let school = UplinkValidator.school(inTopic: incoming.topic)
    let kept = incoming.payload.prefix(Self.rejectedPayloadLimit)
    try connection.query(
      """
      INSERT INTO rejected (received_ms, topic, school_id, reason, payload_size, payload)
      VALUES ($1, $2, $3, $4, $5, $6::bytea)
      """,
      [
        .int(incoming.receivedMs), .text(Self.printable(incoming.topic)), .text(school), .text(reason),
        .int(incoming.payload.count), .text(Self.hexBytea(kept)),
      ])
    if let school {
      try connection.query(
        """
        INSERT INTO school (school_id, rejected) VALUES ($1, 1)
        ON CONFLICT (school_id) DO UPDATE SET rejected = school.rejected + 1
        """, [.text(school)])
    }
    outcome.rejected += 1
  }

  static func schemaName(_ message: UplinkMessage) -> String {
    switch message {
    case .summary(let summary):
      summary.kind == .window ? "classgate.window_summary" : "classgate.daily_summary"
    case .event: "classgate.event"
    case .presence: "classgate.presence"
    }
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
