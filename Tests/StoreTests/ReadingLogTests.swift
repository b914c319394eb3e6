import DeviceModel
import SQLiteStore
import Testing

@testable import Buffer

@Suite("reading encoding")
struct ReadingCodecTests {
  @Test(
    "every value decodes to exactly the Double stored",
    arguments: [
      0, 1, -1, 612, 23.45, -3.2, 0.1, 1e-7, 1234.5678, 3005, 1e15, -1e15, 9_007_199_254_740_994,
      .pi, -0.0, 1e308, -1e308, .leastNonzeroMagnitude, .infinity, 71.8, 0.3333333,
    ] as [Double])
  func valuesRoundTrip(value: Double) throws {
    let entry = LogEntry(device: 7, time: t0, receivedAt: t0 + 250, values: [(3, value), (200, value)])
    let decoded = try #require(LogEntry(time: t0, bytes: entry.encoded()))
    #expect(decoded.device == 7 && decoded.receivedAt == t0 + 250)
    #expect(decoded.values.map(\.metric) == [3, 200])
    #expect(decoded.values.allSatisfy { $0.value.bitPattern == value.bitPattern })
  }

  @Test("typical sensor values take one to three bytes each")
  func compact() {
    // device 12, received with the reading, co2 612, temperature 23.45, humidity 55, battery 100
    let entry = LogEntry(
      device: 12, time: t0, receivedAt: t0, values: [(1, 612), (2, 23.45), (3, 55), (4, 100)])
    #expect(entry.encoded().count <= 2 + 4 * 3)
  }

  @Test("a chunk keeps each entry's time and values")
  func chunks() throws {
    let entries = (0..<50).map {
      LogEntry(
        device: 3, time: t0 + Int64($0) * 10_000, receivedAt: t0 + Int64($0) * 10_000,
        values: [(1, Double($0))])
    }
    let decoded = try #require(ChunkCodec.decode(device: 3, start: t0, ChunkCodec.encode(start: t0, entries)))
    #expect(decoded == entries)
  }

  @Test("damaged bytes are refused, not misread")
  func damaged() {
    let bytes = LogEntry(device: 1, time: t0, receivedAt: t0, values: [(1, 1.5)]).encoded()
    #expect(LogEntry(time: t0, bytes: Array(bytes.dropLast())) == nil)
    #expect(LogEntry(time: t0, bytes: [0xFF]) == nil)
  }
}

@Suite("appended readings")
struct ReadingLogTests {
  let env = device("env-1")

  @Test("a commit appends one log row per message, whatever the number of metrics")
  func oneRowPerMessage() throws {
    let store = try TestStore()
    for index in 0..<5 {
      store.writer.add(
        readingsMessage(
          env, [("co2", 600), ("temperature", 25), ("humidity", 50)], at: t0 + Int64(index) * 1000),
        receivedAt: t0 + Int64(index) * 1000)
    }
    try store.writer.commit(now: t0 + 5000)
    #expect(try store.count("SELECT count(*) FROM reading_log") == 5)
    #expect(try store.reader().readingCount() == 15)
  }

  @Test("a redelivery after a restart is stored once, though nothing but the log was written")
  func redeliveryAfterRestartIsADuplicate() throws {
    let store = try TestStore(limits: .init(stateFlushMs: 3_600_000))
    let first = (0..<20).map { readingsMessage(env, [("co2", Double(500 + $0))], at: t0 + Int64($0) * 1000) }
    for message in first { store.writer.add(message, receivedAt: t0) }
    try store.writer.commit(now: t0)
    store.writer.add(readingsMessage(env, [("co2", 999)], at: t0 + 100_000), receivedAt: t0 + 100_000)
    try store.writer.commit(now: t0 + 100_000)  // not flushed: latest values only in the log
    // A new writer on the same store, as after kill -9: the broker redelivers the last batch.
    let restarted = try BufferWriter(connection: store.connection, limits: .init(stateFlushMs: 3_600_000))
    for message in first.suffix(5) { restarted.add(message, receivedAt: t0 + 200_000) }
    restarted.add(readingsMessage(env, [("co2", 999)], at: t0 + 100_000), receivedAt: t0 + 200_000)
    let summary = try restarted.commit(now: t0 + 200_000)
    #expect(summary.readingsStored == 0 && summary.duplicateReadings == 6)
    #expect(try store.reader().readingCount() == 21)
    // The CLI sees the newest value although it was never flushed.
    #expect(
      describe(try #require(try store.reader().device(id: "env-1")).values) == ["co2=999.0@\(t0 + 100_000)"])
    // An older reading that was never stored (a device's own backlog) is stored.
    restarted.add(readingsMessage(env, [("co2", 444)], at: t0 - 60_000), receivedAt: t0 + 200_000)
    #expect(try restarted.commit(now: t0 + 200_000).readingsStored == 1)
    try restarted.flush(now: t0 + 200_001)
    #expect(try store.reader().counters()[Counter.readingsStored] == 22)
  }

  @Test("compaction moves rows into chunks without changing any reading, and duplicates stay duplicates")
  func compaction() throws {
    let store = try TestStore()
    let plug = device("plug-1", kind: .plug)
    for minute in 0..<150 {
      let time = t0 + Int64(minute) * 60_000
      store.writer.add(readingsMessage(env, [("co2", Double(400 + minute))], at: time), receivedAt: time)
      store.writer.add(readingsMessage(plug, [("power", Double(minute) / 10)], at: time), receivedAt: time)
    }
    try store.writer.commit(now: t0 + 150 * 60_000)
    let before = try store.reader().readings(device: "env-1", metric: "co2")
    let moved = try store.writer.compact()
    #expect(moved == 300)
    #expect(try store.count("SELECT count(*) FROM reading_log") == 0)
    // 2.5 hours of two devices, aligned to the hour: three chunks each at most.
    #expect(try store.count("SELECT count(*) FROM reading_chunks") <= 6)
    #expect(try store.reader().readings(device: "env-1", metric: "co2") == before)
    #expect(try store.reader().readings(device: "plug-1", metric: "power").map(\.value).last == 14.9)
    store.writer.add(readingsMessage(env, [("co2", 400)], at: t0), receivedAt: t0 + 9_000_000)
    #expect(try store.writer.commit(now: t0 + 9_000_000).duplicateReadings == 1)
    // A window read across the chunk boundary (08:55–09:05) has every minute of it.
    let window = try ReadingLog(connection: store.connection).entries(
      from: t0 + 55 * 60_000, to: t0 + 65 * 60_000)
    #expect(window.count == 20 && window.map(\.time) == window.map(\.time).sorted())
  }

  @Test("a kill before the state flush loses nothing of the readings: the next start rebuilds from the log")
  func stateRebuiltFromTheTail() throws {
    let store = try TestStore(limits: .init(stateFlushMs: 3_600_000))
    store.writer.add(readingsMessage(env, [("co2", 600)], at: t0), receivedAt: t0)
    try store.writer.commit(now: t0)  // the first commit flushes
    store.writer.add(readingsMessage(env, [("co2", 700)], at: t0 + 5000), receivedAt: t0 + 6000)
    try store.writer.commit(now: t0 + 6000)
    #expect(try store.count("SELECT value FROM latest_values") == 600)  // not flushed yet
    let restarted = try BufferWriter(connection: store.connection, limits: .init(stateFlushMs: 3_600_000))
    try restarted.flush(now: t0 + 7000)
    #expect(try store.count("SELECT value FROM latest_values") == 700)
    #expect(try store.count("SELECT last_seen FROM devices") == t0 + 6000)
    #expect(try store.reader().counters()[Counter.readingsStored] == 2)
  }

  @Test("row ids keep growing after compaction empties the log, so a tail after it is replayed")
  func idsSurviveAnEmptiedLog() throws {
    let limits = BufferWriter.Limits(stateFlushMs: 3_600_000)
    let store = try TestStore(limits: limits)
    for index in 0..<3 {
      let time = t0 + Int64(index) * 1000
      store.writer.add(readingsMessage(env, [("co2", Double(600 + index))], at: time), receivedAt: time)
      try store.writer.commit(now: time)
      try store.writer.flush(now: time)
    }
    #expect(try store.writer.compact() == 3)
    #expect(try store.count("SELECT count(*) FROM reading_log") == 0)
    // A quiet night, then one message, and a kill before the next state flush.
    store.writer.add(readingsMessage(env, [("co2", 900)], at: t0 + 60_000), receivedAt: t0 + 60_000)
    try store.writer.commit(now: t0 + 60_000)
    #expect(try store.count("SELECT max(id) FROM reading_log") == 4)
    #expect(try store.reader().logRowsAppended() == 4)
    let restarted = try BufferWriter(connection: store.connection, limits: limits)
    try restarted.flush(now: t0 + 61_000)
    #expect(try store.count("SELECT value FROM latest_values") == 900)
    #expect(try store.reader().counters()[Counter.messagesReceived] == 4)
  }
}

@Suite("upgrading a schema-3 store")
struct LegacyMigrationTests {
  /// A store as ClassGate 0.1 (schema 3) left it: one row per reading, usage, an outbox.
  func schema3Store(devices: Int, readingsEach: Int) throws -> ScratchDirectory {
    let directory = try ScratchDirectory()
    let connection = try Connection(path: directory.file("classgate.db"), mode: .readWrite)
    try Migrator(Array(shippedMigrations.prefix(3))).migrate(connection)
    try connection.transaction {
      try connection.execute(
        sql: """
          INSERT INTO metrics (name) VALUES ('co2'), ('temperature');
          INSERT INTO meta (key, value) VALUES ('outbox.stream', 'stream-abc'), ('outbox.last_seq', '41');
          INSERT INTO outbox (seq, lane, topic, payload, created_ms) VALUES (40, 'summaries', 't', x'7b7d', \(t0)),
            (41, 'events', 't', x'7b7d', \(t0));
          INSERT INTO usage_periods VALUES ('window', \(t0), \(t0 + 300_000), 0, \(t0), 1, 0, 0, 0, 0, 1, 1);
          """)
      let insertDevice = try connection.makeStatement(
        sql:
          "INSERT INTO devices (key, kind, profile, status, last_seen, first_seen) VALUES (?, 'env_sensor', 'native', 'online', ?, ?)"
      )
      let insertReading = try connection.makeStatement(
        sql: "INSERT INTO readings (device, metric, ts, value) VALUES (?, ?, ?, ?)")
      for device in 1...devices {
        insertDevice.bind("env-\(device)", at: 1)
        insertDevice.bind(t0, at: 2)
        insertDevice.bind(t0, at: 3)
        try insertDevice.run()
        for index in 0..<readingsEach {
          for metric in [1, 2] as [Int64] {
            insertReading.bind(Int64(device), at: 1)
            insertReading.bind(metric, at: 2)
            insertReading.bind(t0 + Int64(index) * 60_000, at: 3)
            insertReading.bind(Double(device * 1000 + index) + (metric == 2 ? 0.25 : 0), at: 4)
            try insertReading.run()
          }
        }
      }
    }
    connection.close()
    return directory
  }

  @Test("every reading, usage row, outbox message, stream and seq survive the upgrade")
  func upgradeKeepsEverything() throws {
    let directory = try schema3Store(devices: 5, readingsEach: 200)
    let path = directory.file("classgate.db")
    let connection = try StoreFile.openForWriting(path: path, durability: .full)
    #expect(try Migrator.currentVersion(of: connection) == latestSchemaVersion)
    #expect(try connection.scalarInt(sql: "SELECT count(*) FROM sqlite_master WHERE name = 'readings'") == 0)
    let reader = try StoreReader(path: path)
    #expect(try reader.readingCount() == 5 * 200 * 2)
    let temperatures = try reader.readings(device: "env-3", metric: "temperature")
    #expect(temperatures.count == 200)
    #expect(temperatures.first == Reading(metric: "temperature", value: 3000.25, time: t0))
    #expect(temperatures.last == Reading(metric: "temperature", value: 3199.25, time: t0 + 199 * 60_000))
    #expect(try reader.meta(MetaKey.outboxStream) == "stream-abc")
    #expect(try reader.meta(MetaKey.outboxLastSeq) == "41")
    #expect(try connection.scalarInt(sql: "SELECT count(*) FROM outbox WHERE delivered_ms IS NULL") == 2)
    #expect(try connection.scalarInt(sql: "SELECT count(*) FROM usage_periods") == 1)
    // An old reading redelivered after the upgrade is still a duplicate.
    let writer = try BufferWriter(connection: connection)
    writer.add(readingsMessage(device("env-3"), [("co2", 3000)], at: t0), receivedAt: t0 + 1)
    #expect(try writer.commit(now: t0 + 1).duplicateReadings == 1)
  }

  @Test("an upgrade stopped part-way goes on at the next start: nothing lost, nothing twice")
  func interruptedUpgradeResumes() throws {
    let directory = try schema3Store(devices: 6, readingsEach: 50)
    let path = directory.file("classgate.db")
    do {
      let connection = try Connection(path: path, mode: .readWrite)
      try LegacyReadings.move(in: connection, maxDevices: 2)  // then the power went
      #expect(try Migrator.currentVersion(of: connection) == 3)
      #expect(try connection.scalarInt(sql: "SELECT count(DISTINCT device) FROM readings") == 4)
      connection.close()
    }
    #expect(try StoreReader(path: path).readingCount() == 4 * 50 * 2)  // the CLI reads schema 3 as it is
    let connection = try StoreFile.openForWriting(path: path, durability: .full)
    #expect(try Migrator.currentVersion(of: connection) == latestSchemaVersion)
    let reader = try StoreReader(path: path)
    #expect(try reader.readingCount() == 6 * 50 * 2)
    for index in 1...6 {
      #expect(try reader.readings(device: "env-\(index)", metric: "co2").count == 50)
    }
  }
}
