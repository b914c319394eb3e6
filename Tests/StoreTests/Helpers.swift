import DeviceModel
import Foundation
import SQLiteStore
import Testing

@testable import Buffer

/// The schema version this ClassGate writes: its migrator's latest, whatever migrations it has.
let latestSchemaVersion = Schema.migrator.latestVersion

/// The migrations this ClassGate ships, to build a store as an older ClassGate left it.
let shippedMigrations = Schema.migrator.migrations

/// A fresh directory under the system temp directory, removed when the value goes away.
final class ScratchDirectory {
  let path: String

  init() throws {
    let base = FileManager.default.temporaryDirectory.path
    var template = Array("\(base)/classgate-store-XXXXXX".utf8CString)
    let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    path = try #require(created.map { String(cString: $0) })
  }

  func file(_ name: String) -> String { "\(path)/\(name)" }

  deinit {
    try? FileManager.default.removeItem(atPath: path)
  }
}

/// A store file in its own directory, with the agent's writer connection and a BufferWriter on it.
final class TestStore {
  let directory: ScratchDirectory
  let path: String
  let connection: Connection
  let writer: BufferWriter

  init(
    durability: StoreFile.Durability = .full, limits: BufferWriter.Limits = BufferWriter.Limits()
  ) throws {
    directory = try ScratchDirectory()
    path = directory.file("classgate.db")
    connection = try StoreFile.openForWriting(path: path, durability: durability)
    writer = try BufferWriter(connection: connection, limits: limits)
  }

  /// A read-only reader on its own connection, as the CLI opens it.
  func reader() throws -> StoreReader { try StoreReader(path: path) }

  /// A single integer from the store, read on the writer's connection.
  func count(_ sql: String) throws -> Int64 { try connection.scalarInt(sql: sql) ?? -1 }
}

/// 2025-11-29T08:00:00Z, the base of every time in these tests.
let t0: EpochMillis = 1_764_403_200_000

func device(
  _ id: String, kind: DeviceKind = .envSensor, room: String? = "r101", profile: String = "native"
) -> DeviceIdentity {
  DeviceIdentity(id: id, kind: kind, room: room, profile: profile)
}

func readingsMessage(
  _ identity: DeviceIdentity, _ values: [(String, Double)], at time: EpochMillis
) -> DecodedMessage {
  DecodedMessage(
    device: identity,
    content: .readings(values.map { Reading(metric: $0.0, value: $0.1, time: time) }))
}

/// Readings without a device timestamp: `time` is the receipt time (decoders set `receiptTimed`).
func receiptTimedMessage(
  _ identity: DeviceIdentity, _ values: [(String, Double)], receivedAt time: EpochMillis
) -> DecodedMessage {
  DecodedMessage(
    device: identity,
    content: .readings(
      values.map { Reading(metric: $0.0, value: $0.1, time: time, receiptTimed: true) }))
}

func statusMessage(_ identity: DeviceIdentity, _ status: DeviceStatus, at time: EpochMillis)
  -> DecodedMessage
{
  DecodedMessage(device: identity, content: .status(status, time: time))
}

func eventMessage(
  _ identity: DeviceIdentity, _ type: String, at time: EpochMillis, data: String = "{}"
) -> DecodedMessage {
  DecodedMessage(device: identity, content: .event(DeviceEvent(type: type, time: time, data: data)))
}

/// `metric=value@time` for compact assertions on DeviceSummary values.
func describe(_ values: [DeviceSummary.Value]) -> [String] {
  values.map { "\($0.metric)=\($0.value)@\($0.time)" }
}

func describe(_ changes: [BufferWriter.StatusChange]) -> [String] {
  changes.map { "\($0.device):\($0.status.rawValue):\($0.cause)" }
}

func describe(_ records: [StatusChangeRecord]) -> [String] {
  records.map { "\($0.status.rawValue)@\($0.time):\($0.cause)" }
}

/// Readings whose metric id has no row in `metrics` (a rolled-back metric insert kept in a cache).
func orphanReadings(in connection: Connection) throws -> Int {
  var known: Set<Int64> = []
  let metrics = try connection.makeStatement(sql: "SELECT id FROM metrics")
  while try metrics.step() { known.insert(metrics.int64(0)) }
  return try ReadingLog(connection: connection).entries(from: .min, to: .max)
    .reduce(0) { $0 + $1.metrics.filter { !known.contains($0) }.count }
}
