import DeviceModel
import SQLiteStore

/// What a device looks like to a technician.
public struct DeviceSummary: Sendable, Equatable {
  public struct Value: Sendable, Equatable {
    public var metric: String
    public var value: Double
    public var time: EpochMillis
  }

  public var id: String
  public var kind: DeviceKind
  public var room: String?
  public var profile: String
  public var name: String?
  public var status: DeviceStatus
  public var statusSince: EpochMillis?
  public var lastSeen: EpochMillis?
  public var firstSeen: EpochMillis
  /// Latest value per metric, by metric name.
  public var values: [Value]
}

public struct StatusChangeRecord: Sendable, Equatable {
  public var time: EpochMillis
  public var status: DeviceStatus
  public var cause: String
}

public struct EventRecord: Sendable, Equatable {
  public var time: EpochMillis
  public var type: String
  public var data: String
}

public struct DeadLetterRecord: Sendable, Equatable {
  public var time: EpochMillis
  public var topic: String
  public var payloadPrefix: [UInt8]
  public var payloadSize: Int
  public var reason: String
  public var detail: String
}

public struct DeviceFilter: Sendable, Equatable {
  public var room: String?
  public var kind: DeviceKind?
  public var status: DeviceStatus?
  public init(room: String? = nil, kind: DeviceKind? = nil, status: DeviceStatus? = nil) {
    self.room = room
    self.kind = kind
    self.status = status
  }
}

/// Read-only queries for the CLI. Every filter is a bound parameter.
public final class StoreReader {
  private let connection: Connection
  /// The store's schema version: the CLI cannot migrate (read-only), so it reads older stores as
  /// they are (an agent not yet restarted after an upgrade).
  private let schemaVersion: Int

  public init(path: String) throws {
    connection = try StoreFile.openForReading(path: path)
    schemaVersion = try Migrator.currentVersion(of: connection)
  }

  /// Wraps an open connection (tests, or a command that already holds one).
  public init(connection: Connection) throws {
    self.connection = connection
    schemaVersion = try Migrator.currentVersion(of: connection)
  }

  /// Device columns in the order `summary(from:)` reads them; schema 1 had no names.
  private var deviceColumns: String {
    schemaVersion >= 2
      ? "id, key, kind, room, profile, status, status_since, last_seen, first_seen, name"
      : "id, key, kind, room, profile, status, status_since, last_seen, first_seen, NULL"
  }

  public func devices(matching filter: DeviceFilter = DeviceFilter()) throws -> [DeviceSummary] {
    let statement = try connection.makeStatement(
      sql: """
        SELECT \(deviceColumns) FROM devices
        WHERE (?1 IS NULL OR room = ?1) AND (?2 IS NULL OR kind = ?2) AND (?3 IS NULL OR status = ?3)
        ORDER BY coalesce(room, '~'), key
        """)
    statement.bind(filter.room, at: 1)
    statement.bind(filter.kind?.rawValue, at: 2)
    statement.bind(filter.status?.rawValue, at: 3)
    var rows: [(Int64, DeviceSummary)] = []
    while try statement.step() {
      rows.append((statement.int64(0), summary(from: statement)))
    }
    // The log rows not yet reflected in latest_values and last_seen, read once for both.
    let tail = try unflushedTail()
    let values = try latestValues(onlyDevice: rows.count == 1 ? rows[0].0 : nil, tail: tail)
    let seen = Self.lastSeen(in: tail)
    return rows.map { id, device in
      var device = device
      device.values = values[id] ?? []
      if let time = seen[id] { device.lastSeen = max(device.lastSeen ?? 0, time) }
      return device
    }
  }

  /// How many devices the store knows (without reading their values).
  public func deviceCount() throws -> Int {
    try connection.scalarInt(sql: "SELECT count(*) FROM devices").map(Int.init) ?? 0
  }

  public func device(id key: String) throws -> DeviceSummary? {
    let statement = try connection.makeStatement(
      sql:
        "SELECT \(deviceColumns) FROM devices WHERE key = ?"
    )
    statement.bind(key, at: 1)
    guard try statement.step() else { return nil }
    let id = statement.int64(0)
    var device = summary(from: statement)
    let tail = try unflushedTail()
    device.values = try latestValues(onlyDevice: id, tail: tail)[id] ?? []
    if let time = Self.lastSeen(in: tail)[id] { device.lastSeen = max(device.lastSeen ?? 0, time) }
    return device
  }

  public func statusChanges(device key: String, limit: Int = 20) throws -> [StatusChangeRecord] {
    let statement = try connection.makeStatement(
      sql: """
        SELECT s.ts, s.status, s.cause FROM status_changes s JOIN devices d ON d.id = s.device
        WHERE d.key = ? ORDER BY s.ts DESC, s.id DESC LIMIT ?
        """)
    statement.bind(key, at: 1)
    statement.bind(limit, at: 2)
    var records: [StatusChangeRecord] = []
    while try statement.step() {
      records.append(
        StatusChangeRecord(
          time: statement.int64(0),
          status: DeviceStatus(rawValue: statement.text(1) ?? "") ?? .unknown,
          cause: statement.text(2) ?? ""))
    }
    return records
  }

  public func events(device key: String, limit: Int = 20) throws -> [EventRecord] {
    let statement = try connection.makeStatement(
      sql: """
        SELECT e.ts, e.type, e.data FROM events e JOIN devices d ON d.id = e.device
        WHERE d.key = ? ORDER BY e.ts DESC, e.id DESC LIMIT ?
        """)
    statement.bind(key, at: 1)
    statement.bind(limit, at: 2)
    var records: [EventRecord] = []
    while try statement.step() {
      records.append(
        EventRecord(
          time: statement.int64(0), type: statement.text(1) ?? "", data: statement.text(2) ?? ""))
    }
    return records
  }

  public func deadLetters(limit: Int = 50) throws -> [DeadLetterRecord] {
    let statement = try connection.makeStatement(
      sql:
        "SELECT ts, topic, payload, payload_size, reason, detail FROM dead_letters ORDER BY id DESC LIMIT ?"
    )
    statement.bind(limit, at: 1)
    var records: [DeadLetterRecord] = []
    while try statement.step() {
      records.append(
        DeadLetterRecord(
          time: statement.int64(0), topic: statement.text(1) ?? "", payloadPrefix: statement.blob(2),
          payloadSize: statement.int(3), reason: statement.text(4) ?? "",
          detail: statement.text(5) ?? ""))
    }
    return records
  }

  public func rooms() throws -> [Inventory.Room] {
    guard schemaVersion >= 2 else { return [] }
    let statement = try connection.makeStatement(
      sql: "SELECT id, name, building, floor FROM rooms ORDER BY id")
    var rooms: [Inventory.Room] = []
    while try statement.step() {
      rooms.append(
        Inventory.Room(
          id: statement.text(0) ?? "", name: statement.text(1) ?? "", building: statement.text(2),
          floor: statement.optionalInt64(3).map(Int.init)))
    }
    return rooms
  }

  public func counters() throws -> [String: Int64] {
    let statement = try connection.makeStatement(sql: "SELECT name, value FROM counters")
    var counters: [String: Int64] = [:]
    while try statement.step() {
      if let name = statement.text(0) { counters[name] = statement.int64(1) }
    }
    return counters
  }

  /// SQLite's `PRAGMA quick_check`: "ok", or the first problems it found.
  public func quickCheck() throws -> String {
    let statement = try connection.makeStatement(sql: "PRAGMA quick_check")
    var lines: [String] = []
    while try statement.step(), lines.count < 5 { lines.append(statement.text(0) ?? "") }
    return lines.joined(separator: "; ")
  }

  public func meta(_ key: String) throws -> String? {
    try Meta.read(key, in: connection)
  }

  /// Number of stored readings, optionally for one device (tests and diagnostics).
  public func readingCount(device key: String? = nil) throws -> Int {
    guard hasLog else {
      let statement = try connection.makeStatement(
        sql: """
          SELECT count(*) FROM readings WHERE ?1 IS NULL OR device = (SELECT id FROM devices WHERE key = ?1)
          """)
      statement.bind(key, at: 1)
      _ = try statement.step()
      return statement.int(0)
    }
    if let key {
      guard let id = try deviceID(key) else { return 0 }
      return try ReadingLog(connection: connection).readingCount(device: id)
    }
    return try ReadingLog(connection: connection).readingCount()
  }

  /// Stored values of one metric of one device, oldest first (tests and diagnostics).
  public func readings(device key: String, metric: String) throws -> [Reading] {
    try readings(device: key, metric: metric, from: .min, to: .max)
  }

  /// The same within `[from, to)`.
  public func readings(device key: String, metric: String, from: EpochMillis, to: EpochMillis) throws
    -> [Reading]
  {
    guard hasLog else {
      let statement = try connection.makeStatement(
        sql: """
          SELECT r.ts, r.value FROM readings r
          WHERE r.device = (SELECT id FROM devices WHERE key = ?) AND r.metric = (SELECT id FROM metrics WHERE name = ?)
            AND r.ts >= ? AND r.ts < ?
          ORDER BY r.ts
          """)
      statement.bind(key, at: 1)
      statement.bind(metric, at: 2)
      statement.bind(from, at: 3)
      statement.bind(to, at: 4)
      var readings: [Reading] = []
      while try statement.step() {
        readings.append(Reading(metric: metric, value: statement.double(1), time: statement.int64(0)))
      }
      return readings
    }
    guard let id = try deviceID(key),
      let metricID = try metricNames().first(where: { $0.value == metric })?.key
    else { return [] }
    var readings: [Reading] = []
    for entry in try ReadingLog(connection: connection).entries(from: from, to: to, device: id) {
      for (index, candidate) in entry.metrics.enumerated() where candidate == metricID {
        readings.append(Reading(metric: metric, value: entry.values[index], time: entry.time))
      }
    }
    return readings
  }

  /// Rows appended to the reading log so far (one per message of one time), compacted or not:
  /// what benchmarks time commits by, since the counters are written only every few seconds.
  public func logRowsAppended() throws -> Int {
    guard hasLog else { return 0 }
    let statement = try connection.makeStatement(
      sql: "SELECT coalesce((SELECT max(id) FROM reading_log), (SELECT value FROM meta WHERE key = ?), 0)")
    statement.bind(MetaKey.logFlushedThrough, at: 1)
    _ = try statement.step()
    return statement.int(0)
  }

  /// Dead letters ever written: the newest row's id (older rows are trimmed, never renumbered).
  public func deadLetterRowsAppended() throws -> Int {
    let statement = try connection.makeStatement(sql: "SELECT coalesce(max(id), 0) FROM dead_letters")
    _ = try statement.step()
    return statement.int(0)
  }

  /// Schema 4 keeps readings in `reading_log`/`reading_chunks`; older stores in `readings`.
  private var hasLog: Bool { schemaVersion >= 4 }

  private func deviceID(_ key: String) throws -> Int64? {
    let statement = try connection.makeStatement(sql: "SELECT id FROM devices WHERE key = ?")
    statement.bind(key, at: 1)
    return try statement.step() ? statement.int64(0) : nil
  }

  private func metricNames() throws -> [Int64: String] {
    let statement = try connection.makeStatement(sql: "SELECT id, name FROM metrics")
    var names: [Int64: String] = [:]
    while try statement.step() { names[statement.int64(0)] = statement.text(1) ?? "" }
    return names
  }

  /// Log rows the agent has committed but not yet reflected in `latest_values` and `last_seen`
  /// (it writes those every few seconds): read so the CLI is never behind the log.
  private func unflushedTail() throws -> [ReadingLog.Entry] {
    guard hasLog else { return [] }
    let flushed = try Meta.readInt(MetaKey.logFlushedThrough, in: connection) ?? 0
    return try ReadingLog(connection: connection).entries(afterID: flushed)
  }

  private static func lastSeen(in tail: [ReadingLog.Entry]) -> [Int64: EpochMillis] {
    var seen: [Int64: EpochMillis] = [:]
    for entry in tail { seen[entry.device] = max(seen[entry.device] ?? 0, entry.receivedAt) }
    return seen
  }

  private func summary(from row: Statement) -> DeviceSummary {
    DeviceSummary(
      id: row.text(1) ?? "", kind: DeviceKind(rawValue: row.text(2) ?? "") ?? .other,
      room: row.text(3), profile: row.text(4) ?? "", name: row.text(9),
      status: DeviceStatus(rawValue: row.text(5) ?? "") ?? .unknown,
      statusSince: row.optionalInt64(6), lastSeen: row.optionalInt64(7), firstSeen: row.int64(8),
      values: [])
  }

  private func latestValues(onlyDevice: Int64?, tail: [ReadingLog.Entry]) throws
    -> [Int64: [DeviceSummary.Value]]
  {
    let statement = try connection.makeStatement(
      sql: """
        SELECT l.device, m.name, l.value, l.ts FROM latest_values l JOIN metrics m ON m.id = l.metric
        WHERE ?1 IS NULL OR l.device = ?1 ORDER BY l.device, m.name
        """)
    statement.bind(onlyDevice, at: 1)
    var values: [Int64: [DeviceSummary.Value]] = [:]
    while try statement.step() {
      values[statement.int64(0), default: []].append(
        .init(metric: statement.text(1) ?? "", value: statement.double(2), time: statement.int64(3)))
    }
    let tail = tail.filter { onlyDevice == nil || $0.device == onlyDevice }
    guard !tail.isEmpty else { return values }
    let names = try metricNames()
    for entry in tail {
      for (metric, value) in zip(entry.metrics, entry.values) {
        guard let name = names[metric] else { continue }
        var list = values[entry.device] ?? []
        if let index = list.firstIndex(where: { $0.metric == name }) {
          if list[index].time <= entry.time {
            list[index] = .init(metric: name, value: value, time: entry.time)
          }
        } else {
          list.append(.init(metric: name, value: value, time: entry.time))
          list.sort { $0.metric < $1.metric }
        }
        values[entry.device] = list
      }
    }
    return values
  }
}

@available(*, unavailable)
extension StoreReader: Sendable {}
