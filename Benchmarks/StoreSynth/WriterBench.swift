import Buffer
import DeviceModel
import EventLoop
import SQLiteStore

#if canImport(Glibc)
  import Glibc
#endif

/// The storage side of ingest alone: the same messages the load generator sends (1,000 devices,
/// 8 metrics, distinct ts), already decoded, committed in the agent's batch sizes — through the
/// agent's `BufferWriter` (`writer`), or as bare `INSERT`s of same-sized rows into the log (`raw`), with
/// the agent's pragmas (WAL, synchronous=FULL). No MQTT, no JSON: what SQLite allows.
struct WriterBench {
  let path: String
  let messages: Int
  let devices: Int
  let batch: Int
  let raw: Bool
  /// 0: SQLite's default page cache (2 MB), as the agent runs; otherwise this many MiB.
  var cacheMB = 0
  static let metrics = ["co2", "temperature", "humidity", "noise", "illuminance", "pm25", "voc", "battery"]

  func run() throws {
    let connection = try StoreFile.openForWriting(path: path, durability: .full)
    if cacheMB > 0 { try connection.execute(sql: "PRAGMA cache_size = -\(cacheMB * 1024)") }
    // The agent's own state flush (store.state_flush_s), as it runs.
    let writer = try BufferWriter(connection: connection, limits: .init(stateFlushMs: 30_000))
    let base = Clock.wallMs() - 3_600_000
    var identities: [DeviceIdentity] = []
    for device in 0..<devices {
      identities.append(
        DeviceIdentity(
          id: "bench-\(device)", kind: .envSensor, room: "r\(device / 4 % 100)", profile: "native"))
    }
    // Devices and metrics exist before timing starts (the agent has them after its first minute).
    for identity in identities {
      writer.add(
        DecodedMessage(
          device: identity,
          content: .readings(Self.metrics.map { Reading(metric: $0, value: 0, time: base - 1) })),
        receivedAt: base)
    }
    try writer.commit(now: base)
    let insert = try connection.cachedStatement(sql: "INSERT INTO reading_log (ts, data) VALUES (?, ?)")
    // What one message's row holds: device, receipt delta, eight 2-byte values.
    let row = [UInt8](repeating: 7, count: 2 + Self.metrics.count * 3)

    var elapsedNs: Int64 = 0
    var index = 0
    while index < messages {
      let end = min(messages, index + batch)
      // Decoded messages are built outside the timing: decoding is the agent's other half.
      var decoded: [DecodedMessage] = []
      decoded.reserveCapacity(end - index)
      for i in index..<end {
        let value = Double(400 + i % 900)
        decoded.append(
          DecodedMessage(
            device: identities[i % devices],
            content: .readings(Self.metrics.map { Reading(metric: $0, value: value, time: base + Int64(i)) }))
        )
      }
      let started = monotonicNs()
      if raw {
        try connection.transaction {
          for i in index..<end {
            insert.bind(base + Int64(i), at: 1)
            insert.bind(blob: row, at: 2)
            try insert.run()
          }
        }
      } else {
        for message in decoded { writer.add(message, receivedAt: base + Int64(end)) }
        try writer.commit(now: base + Int64(end))
      }
      elapsedNs += monotonicNs() - started
      index = end
    }
    let seconds = Double(elapsedNs) / 1e9
    print(
      "mode=\(raw ? "raw" : "writer") batch=\(batch) cache_mb=\(cacheMB) messages=\(messages) devices=\(devices) seconds=\(seconds) "
        + "msgs_per_s=\(Int(Double(messages) / seconds)) readings_per_s=\(Int(Double(messages * Self.metrics.count) / seconds))"
    )
  }

  private func monotonicNs() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
  }
}
