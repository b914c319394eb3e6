import DeviceModel
import SQLiteStore

/// What the uplink's event source reads from the buffer's tables: device status changes after a
/// cursor, and the newest value of each watched metric (the unflushed log tail included). The
/// uplink keeps its own tables (outbox, alert state); the buffer's SQL stays here.
public struct EventFeed {
  /// A device as events name it.
  public struct DeviceLabel: Sendable, Equatable {
    public var key: String
    public var kind: DeviceKind
    public var room: String?
  }

  public struct StatusChange: Sendable, Equatable {
    public var id: Int64
    public var time: EpochMillis
    public var status: DeviceStatus
    public var cause: String
    public var device: DeviceLabel
  }

  public struct Newest: Sendable, Equatable {
    public var series: ReadingLog.SeriesID
    public var sample: Sample
    public var metric: String
    public var device: DeviceLabel
  }

  private let connection: Connection

  public init(connection: Connection) {
    self.connection = connection
  }

  public func newestStatusChangeID() throws -> Int64 {
    try connection.scalarInt(sql: "SELECT coalesce(max(id), 0) FROM status_changes") ?? 0
  }

  public func statusChanges(after cursor: Int64, limit: Int = 1000) throws -> [StatusChange] {
    let changes = try connection.cachedStatement(
      sql: """
        SELECT s.id, s.ts, s.status, s.cause, d.key, d.kind, d.room
        FROM status_changes s JOIN devices d ON d.id = s.device
        WHERE s.id > ? ORDER BY s.id LIMIT ?
        """)
    changes.bind(cursor, at: 1)
    changes.bind(limit, at: 2)
    defer { changes.reset() }
    var rows: [StatusChange] = []
    while try changes.step() {
      rows.append(
        StatusChange(
          id: changes.int64(0), time: changes.int64(1),
          status: DeviceStatus(rawValue: changes.text(2) ?? "") ?? .unknown, cause: changes.text(3) ?? "",
          device: label(changes, from: 4)))
    }
    return rows
  }

  /// The newest sample of every series of these metrics: `latest_values`, or the log rows the
  /// writer has not flushed into it yet when they are newer.
  public func newest(metrics names: [String]) throws -> [Newest] {
    let latest = try connection.cachedStatement(
      sql: """
        SELECT v.device, v.metric, v.ts, v.value, m.name, d.key, d.kind, d.room
        FROM latest_values v JOIN metrics m ON m.id = v.metric JOIN devices d ON d.id = v.device
        WHERE m.name IN (SELECT value FROM json_each(?))
        """)
    latest.bind("[" + names.sorted().map { "\"\($0)\"" }.joined(separator: ",") + "]", at: 1)
    var unflushed = try ReadingLog(connection: connection).unflushedNewest()
    var result: [Newest] = []
    while try latest.step() {
      let series = ReadingLog.SeriesID(device: latest.int64(0), metric: latest.int64(1))
      var sample = Sample(time: latest.int64(2), value: latest.double(3))
      if let newer = unflushed.removeValue(forKey: series), newer.time >= sample.time { sample = newer }
      result.append(
        Newest(series: series, sample: sample, metric: latest.text(4) ?? "", device: label(latest, from: 5)))
    }
    latest.reset()
    // Series not in latest_values at all yet (new since the writer's last flush).
    let describe = try connection.cachedStatement(
      sql: "SELECT m.name, d.key, d.kind, d.room FROM metrics m JOIN devices d ON d.id = ?1 WHERE m.id = ?2")
    for (series, sample) in unflushed {
      describe.bind(series.device, at: 1)
      describe.bind(series.metric, at: 2)
      if try describe.step(), let name = describe.text(0), names.contains(name) {
        result.append(Newest(series: series, sample: sample, metric: name, device: label(describe, from: 1)))
      }
      describe.reset()
    }
    return result
  }

  private func label(_ row: Statement, from column: Int32) -> DeviceLabel {
    DeviceLabel(
      key: row.text(column) ?? "", kind: DeviceKind(rawValue: row.text(column + 1) ?? "") ?? .other,
      room: row.text(column + 2))
  }
}
