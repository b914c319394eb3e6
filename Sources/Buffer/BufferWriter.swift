import DeviceModel
import SQLiteStore

/// The single writer of the store. Collects decoded messages in memory and writes them in one
/// transaction per `commit()`. A commit appends one `reading_log` row per message and nothing
/// else on the hot path: latest values, `last_seen`, counters and the heartbeat live in memory
/// and are written every `stateFlushMs` (and by `flush`), and rebuilt from the log's tail at start
/// when the agent was killed before writing them (docs/storage.md).
///
/// Not Sendable: the ingest loop owns it.
public final class BufferWriter {
  public struct Limits: Sendable {
    /// Dead letters kept (oldest go first); the per-reason counters are never trimmed.
    public var maxDeadLetters: Int
    /// Payload bytes kept per dead letter.
    public var deadLetterPayloadBytes: Int
    /// How often latest values, `last_seen`, counters and the heartbeat are written (0: with
    /// every commit). The CLI adds the log rows written since, so it never shows older values.
    public var stateFlushMs: Int64
    /// How often the counters and the heartbeat are written (two small pages: more often).
    public var counterFlushMs: Int64
    public init(
      maxDeadLetters: Int = 10_000, deadLetterPayloadBytes: Int = 512, stateFlushMs: Int64 = 0,
      counterFlushMs: Int64? = nil
    ) {
      self.maxDeadLetters = maxDeadLetters
      self.deadLetterPayloadBytes = deadLetterPayloadBytes
      self.stateFlushMs = stateFlushMs
      self.counterFlushMs = min(counterFlushMs ?? 5000, stateFlushMs)
    }
  }

  /// What one commit wrote.
  public struct CommitSummary: Sendable, Equatable {
    public var messages = 0
    public var readingsStored = 0
    public var duplicateReadings = 0
    public var eventsStored = 0
    public var deadLetters = 0
    public var statusChanges: [StatusChange] = []
  }

  public struct StatusChange: Sendable, Equatable {
    public var device: String
    public var status: DeviceStatus
    public var cause: String
  }

  private enum Pending {
    case decoded(DecodedMessage, receivedAt: EpochMillis)
    case deadLetter(
      topic: String, payload: [UInt8], size: Int, reason: DeadLetterReason, receivedAt: EpochMillis)
    case stale(deviceID: Int64, key: String, silentMs: Int64, at: EpochMillis)
    /// A dead letter decoded again with success: deleted in the same commit as its data.
    case resolved(deadLetter: Int64)
  }

  private struct DeviceState {
    var id: Int64
    var kind: DeviceKind
    var room: String?
    var profile: String
    var name: String?
    var status: DeviceStatus
    var lastSeen: EpochMillis?
  }

  private let connection: Connection
  private let log: ReadingLog
  private let limits: Limits
  private var pending: [Pending] = []
  private var devices: [String: DeviceState] = [:]
  private var metricIDs: [String: Int64] = [:]
  /// Last receipt time given to each series, to keep receipt-timed readings distinct.
  private var lastReceiptTime: [SeriesKey: EpochMillis] = [:]
  /// What is written by `flushState`, not by every commit.
  private var state = UnflushedState()
  private var lastFlushMs: EpochMillis?

  /// The newest sample of every series (by device time), devices seen and counter increments not
  /// yet written, and the last log row id. A reading newer than its series' newest is new; only
  /// an older or equal one is looked up in the log (a redelivery, or a device's own backlog).
  private struct UnflushedState {
    /// Per device, indexed by metric id (ids are small and dense): one hash per message.
    var newest: [Int64: [Sample?]] = [:]
    var dirtyDevices: Set<Int64> = []
    var seen: [Int64: EpochMillis] = [:]
    var counters: [String: Int] = [:]
    var lastLogID: Int64 = 0
    var flushedThrough: Int64 = 0
    var countedThrough: Int64 = 0
  }

  private static func sample(_ list: [Sample?]?, _ metric: Int64) -> Sample? {
    guard let list, metric >= 0, metric < list.count else { return nil }
    return list[Int(metric)]
  }

  /// Keeps `sample` as the series' newest if it is not older; returns whether it did.
  @discardableResult
  private static func keepNewest(_ sample: Sample, metric: Int64, in list: inout [Sample?]) -> Bool {
    let index = Int(metric)
    if index >= list.count { list.append(contentsOf: repeatElement(nil, count: index + 1 - list.count)) }
    guard (list[index]?.time ?? .min) <= sample.time else { return false }
    list[index] = sample
    return true
  }

  private struct SeriesKey: Hashable {
    var device: Int64
    var metric: Int64
  }

  public init(connection: Connection, limits: Limits = Limits()) throws {
    self.connection = connection
    self.limits = limits
    log = ReadingLog(connection: connection)
    try loadCaches()
  }

  public var pendingCount: Int { pending.count }

  /// Periods before this time are already summarised: the rollup stage's
  /// `meta['rollup.windows_until_ms']`, read at each commit. Data stored for them later is
  /// recorded in `late_ranges`, so those periods are summarised again.
  private var summarisedUntil: EpochMillis?
  /// Oldest and newest time of late data in the batch being written.
  private var lateRange: (from: EpochMillis, to: EpochMillis)?

  private func noteStored(at time: EpochMillis) {
    guard let until = summarisedUntil, time < until else { return }
    lateRange = (min(lateRange?.from ?? time, time), max(lateRange?.to ?? time, time))
  }

  /// Whether the device exists (in the store, or in the batch being written).
  public func knows(_ key: String) -> Bool { devices[key] != nil || pendingDevices.contains(key) }

  /// Devices known, plus new ones waiting in the batch.
  public var deviceCount: Int { devices.count + pendingNewDevices }

  private var pendingNewDevices = 0

  /// Devices by status, from the writer's cache (no query).
  public func deviceCounts() -> [DeviceStatus: Int] {
    var counts: [DeviceStatus: Int] = [:]
    for device in devices.values { counts[device.status, default: 0] += 1 }
    return counts
  }

  public func add(_ message: DecodedMessage, receivedAt: EpochMillis) {
    pending.append(.decoded(message, receivedAt: receivedAt))
    if pendingDevices.insert(message.device.id).inserted, devices[message.device.id] == nil {
      pendingNewDevices += 1
    }
  }

  /// Devices with a message in the batch: not silent, whatever the store says yet.
  private var pendingDevices: Set<String> = []

  /// `size`: the payload's size as received, when `payload` is only its first bytes.
  public func addDeadLetter(
    topic: String, payload: [UInt8], size: Int? = nil, reason: DeadLetterReason, receivedAt: EpochMillis
  ) {
    // Only the kept prefix is held in memory and looked at, however large the payload was.
    let prefix = Array(payload.prefix(limits.deadLetterPayloadBytes))
    pending.append(
      .deadLetter(
        topic: String(topic.prefix(256)), payload: prefix, size: max(size ?? payload.count, payload.count),
        reason: reason, receivedAt: receivedAt))
  }

  /// A dead letter refused only for its time, kept whole, to decode again once the clock is right.
  public struct TimeRefusal: Sendable {
    public var id: Int64
    public var topic: String
    public var payload: [UInt8]
  }

  /// Dead letters refused for their timestamp whose whole payload was kept, after `id`.
  public func timeRefusals(after id: Int64, limit: Int) throws -> [TimeRefusal] {
    let statement = try connection.cachedStatement(
      sql: """
        SELECT id, topic, payload FROM dead_letters
        WHERE reason = 'invalid_timestamp' AND id > ? AND length(payload) = payload_size
        ORDER BY id LIMIT ?
        """)
    statement.bind(id, at: 1)
    statement.bind(limit, at: 2)
    defer { statement.reset() }
    var refusals: [TimeRefusal] = []
    while try statement.step() {
      refusals.append(
        TimeRefusal(id: statement.int64(0), topic: statement.text(1) ?? "", payload: statement.blob(2)))
    }
    return refusals
  }

  /// Deletes the dead letter in the next commit (its message was decoded again and added).
  public func resolveDeadLetter(_ id: Int64) {
    pending.append(.resolved(deadLetter: id))
  }

  /// Queues `stale` for online devices silent for longer than `staleAfterMs`; returns how many.
  @discardableResult
  public func sweepStale(now: EpochMillis, staleAfterMs: Int64) -> Int {
    var count = 0
    for (key, device) in devices where device.status == .online && !pendingDevices.contains(key) {
      guard let lastSeen = device.lastSeen, now - lastSeen > staleAfterMs else { continue }
      pending.append(.stale(deviceID: device.id, key: key, silentMs: now - lastSeen, at: now))
      devices[key]?.status = .stale
      count += 1
    }
    return count
  }

  /// Writes everything pending in one transaction. On error nothing is written and the batch stays
  /// pending, so the caller can retry (e.g. after disk space returns) without losing it.
  @discardableResult
  public func commit(now: EpochMillis) throws -> CommitSummary {
    // A rolled-back transaction also rolls back new device and metric rows: forget their ids too.
    let snapshot = (devices, metricIDs, lastReceiptTime, state)
    var summary = CommitSummary()
    defer { lateRange = nil }
    do {
      try connection.transaction {
        summarisedUntil = try Meta.readInt(MetaKey.windowsSummarisedUntil, in: connection)
        for item in pending { try write(item, into: &summary) }
        try finishBatch(summary: summary, now: now)
        if flushDue(now: now) {
          try flushState(now: now)
        } else if countersDue(now: now) {
          try flushCounters(now: now)
        }
      }
    } catch {
      (devices, metricIDs, lastReceiptTime, state) = snapshot
      throw error
    }
    pending.removeAll(keepingCapacity: true)
    pendingDevices.removeAll(keepingCapacity: true)
    pendingNewDevices = 0
    return summary
  }

  /// Writes latest values, `last_seen`, counters and the heartbeat now (at shutdown, and when
  /// idle, so the CLI can tell a quiet school from a stopped agent).
  public func flush(now: EpochMillis) throws {
    let snapshot = state
    do {
      try connection.transaction { try flushState(now: now) }
    } catch {
      state = snapshot
      throw error
    }
  }

  /// Writes the in-memory state if it is due; returns whether it wrote.
  @discardableResult
  public func flushIfDue(now: EpochMillis) throws -> Bool {
    guard pending.isEmpty else { return false }
    if flushDue(now: now) {
      try flush(now: now)
      return true
    }
    guard countersDue(now: now) else { return false }
    let snapshot = state
    do {
      try connection.transaction { try flushCounters(now: now) }
    } catch {
      state = snapshot
      throw error
    }
    return true
  }

  private func countersDue(now: EpochMillis) -> Bool {
    guard let lastCounterFlushMs else { return true }
    return now - lastCounterFlushMs >= limits.counterFlushMs || now < lastCounterFlushMs
  }

  private var lastCounterFlushMs: EpochMillis?

  private func flushCounters(now: EpochMillis) throws {
    try writeCounters()
    try setMeta(MetaKey.agentHeartbeat, String(now))
    if state.lastLogID != state.countedThrough {
      try setMeta(MetaKey.logCountedThrough, String(state.lastLogID))
      state.countedThrough = state.lastLogID
    }
    lastCounterFlushMs = now
  }

  private func flushDue(now: EpochMillis) -> Bool {
    guard let lastFlushMs else { return true }
    return now - lastFlushMs >= limits.stateFlushMs || now < lastFlushMs
  }

  /// Compacts committed log rows into chunks (a few thousand rows per call).
  @discardableResult
  public func compact(limit: Int = 20_000) throws -> Int {
    try log.compact(throughID: state.flushedThrough, limit: limit)
  }

  /// Replaces the rooms table with the inventory's (at start and on reload), in one transaction.
  public func replaceRooms(_ rooms: [Inventory.Room]) throws {
    try connection.transaction {
      try connection.execute(sql: "DELETE FROM rooms")
      let insert = try connection.cachedStatement(
        sql: "INSERT INTO rooms (id, name, building, floor) VALUES (?, ?, ?, ?)")
      for room in rooms {
        insert.bind(room.id, at: 1)
        insert.bind(room.name, at: 2)
        insert.bind(room.building, at: 3)
        insert.bind(room.floor.map(Int64.init), at: 4)
        try insert.run()
      }
    }
  }

  /// Deletes events of `type` (e.g. `card_scan`) older than `olderThan`; returns how many. In
  /// transactions of at most `chunk` rows, so the write lock is never held long and ingest commits
  /// interleave. Pending (uncommitted) messages are not touched.
  @discardableResult
  public func purgeEvents(type: String, olderThan cutoff: EpochMillis, chunk: Int = 5000) throws -> Int {
    let delete = try connection.cachedStatement(
      sql: "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE type = ? AND ts < ? LIMIT ?)")
    let limit = max(1, chunk)
    var total = 0
    while true {
      let deleted = try connection.transaction {
        delete.bind(type, at: 1)
        delete.bind(cutoff, at: 2)
        delete.bind(limit, at: 3)
        try delete.run()
        return connection.changes
      }
      total += deleted
      if deleted < limit { return total }
    }
  }

  /// Updates the heartbeat (with the rest of the in-memory state), so the CLI knows the agent
  /// lives while nothing arrives.
  public func heartbeat(now: EpochMillis) throws { try flush(now: now) }

  public func setMeta(_ key: String, _ value: String) throws {
    try Meta.write(key, value, in: connection)
  }

  // MARK: - Writing one pending item

  private func write(_ item: Pending, into summary: inout CommitSummary) throws {
    switch item {
    case .decoded(let message, let receivedAt):
      summary.messages += 1
      let device = try upsertDevice(message.device, seenAt: receivedAt)
      switch message.content {
      case .readings(let readings):
        try markOnlineIfNeeded(device, key: message.device.id, at: receivedAt, into: &summary)
        try writeReadings(readings, device: device, receivedAt: receivedAt, into: &summary)
      case .status(let status, let time):
        try changeStatus(
          device, key: message.device.id, to: status, at: time, cause: "reported", into: &summary)
      case .event(var event):
        try markOnlineIfNeeded(device, key: message.device.id, at: receivedAt, into: &summary)
        if event.receiptTimed {
          let key = SeriesKey(device: device, metric: 0)  // metric ids start at 1: 0 is "events"
          if let last = lastReceiptTime[key], event.time <= last { event.time = last + 1 }
          lastReceiptTime[key] = event.time
        }
        if try insertEvent(device: device, event: event) {
          summary.eventsStored += 1
          noteStored(at: event.time)
        }
      }
    case .deadLetter(let topic, let payload, let size, let reason, let receivedAt):
      summary.messages += 1
      summary.deadLetters += 1
      try insertDeadLetter(topic: topic, payload: payload, size: size, reason: reason, at: receivedAt)
    case .resolved(let deadLetter):
      let delete = try connection.cachedStatement(sql: "DELETE FROM dead_letters WHERE id = ?")
      delete.bind(deadLetter, at: 1)
      try delete.run()
      increment(Counter.deadLettersRecovered, by: connection.changes)
    case .stale(let id, let key, let silentMs, let at):
      try recordStatusChange(
        deviceID: id, to: .stale, at: at, cause: "silent for \(silentMs / 1000) s")
      summary.statusChanges.append(.init(device: key, status: .stale, cause: "silence"))
    }
  }

  /// One log row per distinct time in the message (nearly always one).
  private func writeReadings(
    _ readings: [Reading], device: Int64, receivedAt: EpochMillis, into summary: inout CommitSummary
  ) throws {
    var rows: [LogEntry] = []
    var newest = state.newest.removeValue(forKey: device) ?? []
    defer { state.newest[device] = newest }
    var changed = false
    for var reading in readings {
      let metric = try metricID(reading.metric)
      if reading.receiptTimed {
        let key = SeriesKey(device: device, metric: metric)
        if let last = lastReceiptTime[key], reading.time <= last { reading.time = last + 1 }
        lastReceiptTime[key] = reading.time
      }
      let row = rows.firstIndex { $0.time == reading.time }
      if let row, rows[row].values.contains(where: { $0.metric == metric }) {
        summary.duplicateReadings += 1
        continue
      }
      if let known = Self.sample(newest, metric), reading.time <= known.time,
        try log.contains(device: device, metric: metric, time: reading.time)
      {
        summary.duplicateReadings += 1
        continue
      }
      if let row {
        rows[row].values.append((metric, reading.value))
      } else {
        rows.append(
          LogEntry(
            device: device, time: reading.time, receivedAt: receivedAt, values: [(metric, reading.value)]))
      }
      summary.readingsStored += 1
      noteStored(at: reading.time)
      if Self.keepNewest(Sample(time: reading.time, value: reading.value), metric: metric, in: &newest) {
        changed = true
      }
    }
    if changed { state.dirtyDevices.insert(device) }
    for row in rows {
      state.lastLogID += 1
      try log.append(row, id: state.lastLogID)
    }
  }

  private func upsertDevice(_ identity: DeviceIdentity, seenAt: EpochMillis) throws -> Int64 {
    if var state = devices[identity.id] {
      let moved =
        state.kind != identity.kind || (identity.room != nil && state.room != identity.room)
        || state.profile != identity.profile || (identity.name != nil && state.name != identity.name)
      if moved {
        let statement = try connection.cachedStatement(
          sql:
            "UPDATE devices SET kind = ?, room = coalesce(?, room), profile = ?, name = coalesce(?, name) WHERE id = ?"
        )
        statement.bind(identity.kind.rawValue, at: 1)
        statement.bind(identity.room, at: 2)
        statement.bind(identity.profile, at: 3)
        statement.bind(identity.name, at: 4)
        statement.bind(state.id, at: 5)
        try statement.run()
        state.kind = identity.kind
        state.room = identity.room ?? state.room
        state.profile = identity.profile
        state.name = identity.name ?? state.name
      }
      // `last_seen` is written with the rest of the in-memory state (flushState).
      self.state.seen[state.id] = max(self.state.seen[state.id] ?? 0, seenAt)
      state.lastSeen = max(state.lastSeen ?? 0, seenAt)
      devices[identity.id] = state
      return state.id
    }
    let statement = try connection.cachedStatement(
      sql:
        "INSERT INTO devices (key, kind, room, profile, name, last_seen, first_seen) VALUES (?, ?, ?, ?, ?, ?, ?)"
    )
    statement.bind(identity.id, at: 1)
    statement.bind(identity.kind.rawValue, at: 2)
    statement.bind(identity.room, at: 3)
    statement.bind(identity.profile, at: 4)
    statement.bind(identity.name, at: 5)
    statement.bind(seenAt, at: 6)
    statement.bind(seenAt, at: 7)
    try statement.run()
    let id = connection.lastInsertRowID
    devices[identity.id] = DeviceState(
      id: id, kind: identity.kind, room: identity.room, profile: identity.profile,
      name: identity.name, status: .unknown, lastSeen: seenAt)
    return id
  }

  private func markOnlineIfNeeded(
    _ device: Int64, key: String, at: EpochMillis, into summary: inout CommitSummary
  ) throws {
    guard devices[key]?.status != .online else { return }
    try changeStatus(device, key: key, to: .online, at: at, cause: "data received", into: &summary)
  }

  private func changeStatus(
    _ device: Int64, key: String, to status: DeviceStatus, at: EpochMillis, cause: String,
    into summary: inout CommitSummary
  ) throws {
    guard devices[key]?.status != status else { return }
    devices[key]?.status = status
    try recordStatusChange(deviceID: device, to: status, at: at, cause: cause)
    summary.statusChanges.append(.init(device: key, status: status, cause: cause))
  }

  private func recordStatusChange(
    deviceID: Int64, to status: DeviceStatus, at: EpochMillis, cause: String
  ) throws {
    let update = try connection.cachedStatement(
      sql: "UPDATE devices SET status = ?, status_since = ? WHERE id = ?")
    update.bind(status.rawValue, at: 1)
    update.bind(at, at: 2)
    update.bind(deviceID, at: 3)
    try update.run()
    let insert = try connection.cachedStatement(
      sql: "INSERT INTO status_changes (device, ts, status, cause) VALUES (?, ?, ?, ?)")
    insert.bind(deviceID, at: 1)
    insert.bind(at, at: 2)
    insert.bind(status.rawValue, at: 3)
    insert.bind(cause, at: 4)
    try insert.run()
  }

  private func metricID(_ name: String) throws -> Int64 {
    if let id = metricIDs[name] { return id }
    let statement = try connection.cachedStatement(sql: "INSERT INTO metrics (name) VALUES (?)")
    statement.bind(name, at: 1)
    try statement.run()
    let id = connection.lastInsertRowID
    metricIDs[name] = id
    return id
  }

  private func updateLatest(device: Int64, _ samples: [Sample?]) throws {
    let statement = try connection.cachedStatement(
      sql: """
        INSERT INTO latest_values (device, metric, ts, value) VALUES (?, ?, ?, ?)
        ON CONFLICT (device, metric) DO UPDATE SET ts = excluded.ts, value = excluded.value
        WHERE excluded.ts > latest_values.ts OR (excluded.ts = latest_values.ts AND excluded.value != latest_values.value)
        """)
    for (metric, sample) in samples.enumerated() {
      guard let sample else { continue }
      statement.bind(device, at: 1)
      statement.bind(Int64(metric), at: 2)
      statement.bind(sample.time, at: 3)
      statement.bind(sample.value, at: 4)
      try statement.run()
    }
  }

  private func insertEvent(device: Int64, event: DeviceEvent) throws -> Bool {
    let statement = try connection.cachedStatement(
      sql: "INSERT OR IGNORE INTO events (device, ts, type, data) VALUES (?, ?, ?, ?)")
    statement.bind(device, at: 1)
    statement.bind(event.time, at: 2)
    statement.bind(event.type, at: 3)
    statement.bind(event.data, at: 4)
    try statement.run()
    return connection.changes > 0
  }

  private func insertDeadLetter(
    topic: String, payload: [UInt8], size: Int, reason: DeadLetterReason, at: EpochMillis
  ) throws {
    let statement = try connection.cachedStatement(
      sql:
        "INSERT INTO dead_letters (ts, topic, payload, payload_size, reason, detail) VALUES (?, ?, ?, ?, ?, ?)"
    )
    statement.bind(at, at: 1)
    statement.bind(String(topic.prefix(256)), at: 2)
    let kept = PersonalData.mayContain(payload) ? PersonalData.withheld : payload
    statement.bind(blob: kept, at: 3)
    statement.bind(size, at: 4)
    statement.bind(reason.code.rawValue, at: 5)
    statement.bind(reason.detail, at: 6)
    try statement.run()
    increment(Counter.deadLetters(reason.code.rawValue), by: 1)
  }

  /// What a commit writes besides its rows: only when something rare happened.
  private func finishBatch(summary: CommitSummary, now: EpochMillis) throws {
    if let lateRange {
      try LateRanges(connection: connection).note(from: lateRange.from, to: lateRange.to, at: now)
    }
    increment(Counter.messagesReceived, by: summary.messages)
    increment(Counter.readingsStored, by: summary.readingsStored)
    increment(Counter.duplicateReadings, by: summary.duplicateReadings)
    increment(Counter.eventsStored, by: summary.eventsStored)
    increment(Counter.deadLetters, by: summary.deadLetters)
    if summary.deadLetters > 0 {
      let trim = try connection.cachedStatement(
        sql: "DELETE FROM dead_letters WHERE id <= (SELECT max(id) FROM dead_letters) - ?")
      trim.bind(limits.maxDeadLetters, at: 1)
      try trim.run()
      // Rare, and the commit writes other pages already: the technician sees the counts at once.
      try flushCounters(now: now)
    }
  }

  /// Latest values, `last_seen`, counters, the heartbeat and how far the log is reflected in them.
  private func flushState(now: EpochMillis) throws {
    for device in state.dirtyDevices {
      if let samples = state.newest[device] { try updateLatest(device: device, samples) }
    }
    let seen = try connection.cachedStatement(
      sql: "UPDATE devices SET last_seen = max(coalesce(last_seen, 0), ?) WHERE id = ?")
    for (device, time) in state.seen {
      seen.bind(time, at: 1)
      seen.bind(device, at: 2)
      try seen.run()
    }
    try flushCounters(now: now)
    if state.lastLogID != state.flushedThrough {
      try setMeta(MetaKey.logFlushedThrough, String(state.lastLogID))
    }
    state.dirtyDevices.removeAll(keepingCapacity: true)
    state.seen.removeAll(keepingCapacity: true)
    state.flushedThrough = state.lastLogID
    lastFlushMs = now
  }

  private func writeCounters() throws {
    for (name, amount) in state.counters { try Counters.add(amount, to: name, in: connection) }
    state.counters.removeAll(keepingCapacity: true)
  }

  private func increment(_ counter: String, by amount: Int) {
    guard amount != 0 else { return }
    state.counters[counter, default: 0] += amount
  }

  private func loadCaches() throws {
    let deviceRows = try connection.makeStatement(
      sql: "SELECT id, key, kind, room, profile, status, last_seen, name FROM devices")
    while try deviceRows.step() {
      guard let key = deviceRows.text(1) else { continue }
      devices[key] = DeviceState(
        id: deviceRows.int64(0), kind: DeviceKind(rawValue: deviceRows.text(2) ?? "") ?? .other,
        room: deviceRows.text(3), profile: deviceRows.text(4) ?? "", name: deviceRows.text(7),
        status: DeviceStatus(rawValue: deviceRows.text(5) ?? "") ?? .unknown,
        lastSeen: deviceRows.optionalInt64(6))
    }
    let metricRows = try connection.makeStatement(sql: "SELECT id, name FROM metrics")
    while try metricRows.step() {
      if let name = metricRows.text(1) { metricIDs[name] = metricRows.int64(0) }
    }
    let latest = try connection.makeStatement(sql: "SELECT device, metric, ts, value FROM latest_values")
    while try latest.step() {
      Self.keepNewest(
        Sample(time: latest.int64(2), value: latest.double(3)), metric: latest.int64(1),
        in: &state.newest[latest.int64(0), default: []])
    }
    try replayUnflushedTail()
  }

  /// After a kill, the log rows written since the last flush are in no latest value, `last_seen`
  /// or counter yet: take them from the rows themselves (the next flush writes them).
  private func replayUnflushedTail() throws {
    state.flushedThrough = try Meta.readInt(MetaKey.logFlushedThrough, in: connection) ?? 0
    state.countedThrough = try Meta.readInt(MetaKey.logCountedThrough, in: connection) ?? 0
    state.lastLogID = max(state.flushedThrough, state.countedThrough, try log.lastID())
    let from = min(state.flushedThrough, state.countedThrough)
    guard state.lastLogID > from else { return }
    let keys = Dictionary(devices.map { ($0.value.id, $0.key) }, uniquingKeysWith: { a, _ in a })
    for entry in try log.entries(afterID: from) {
      if entry.id > state.countedThrough {
        increment(Counter.readingsStored, by: entry.values.count)
        increment(Counter.messagesReceived, by: 1)
      }
      guard entry.id > state.flushedThrough else { continue }
      for (metric, value) in zip(entry.metrics, entry.values) {
        if Self.keepNewest(
          Sample(time: entry.time, value: value), metric: metric, in: &state.newest[entry.device, default: []]
        ) {
          state.dirtyDevices.insert(entry.device)
        }
      }
      state.seen[entry.device] = max(state.seen[entry.device] ?? 0, entry.receivedAt)
      if let key = keys[entry.device], let known = devices[key]?.lastSeen ?? Optional(0) {
        devices[key]?.lastSeen = max(known, entry.receivedAt)
      }
    }
  }

}

@available(*, unavailable)
extension BufferWriter: Sendable {}
