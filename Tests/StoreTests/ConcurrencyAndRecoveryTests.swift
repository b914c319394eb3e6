import Buffer
import DeviceModel
import SQLiteStore
import Testing

@Suite("Store: several connections, restarts and failed commits")
struct ConcurrencyAndRecoveryTests {
  @Test("a reader sees committed data while the writer connection stays open, never uncommitted data")
  func readerAlongsideWriter() throws {
    let store = try TestStore()
    let reader = try store.reader()
    #expect(try reader.devices().isEmpty)

    store.writer.add(readingsMessage(device("env-1"), [("co2", 600)], at: t0), receivedAt: t0)
    try store.writer.commit(now: t0)
    #expect(try reader.devices().map(\.id) == ["env-1"])

    // The writer holds an open write transaction: WAL readers neither block nor see it.
    try store.connection.execute(
      sql: "BEGIN IMMEDIATE; INSERT INTO meta (key, value) VALUES ('pending', 'yes')")
    #expect(try reader.meta("pending") == nil)
    #expect(try reader.readingCount() == 1)
    let second = try store.reader()
    #expect(try second.meta("pending") == nil)
    try store.connection.execute(sql: "COMMIT")
    #expect(try reader.meta("pending") == "yes")

    store.writer.add(readingsMessage(device("env-1"), [("co2", 610)], at: t0 + 1), receivedAt: t0 + 1)
    try store.writer.commit(now: t0 + 1)
    #expect(try reader.readingCount() == 2)
    #expect(try second.device(id: "env-1")?.values.first?.value == 610)
  }

  @Test("a read-only connection cannot write")
  func readOnlyCannotWrite() throws {
    let store = try TestStore()
    store.writer.add(readingsMessage(device("env-1"), [("co2", 600)], at: t0), receivedAt: t0)
    try store.writer.commit(now: t0)
    let readOnly = try StoreFile.openForReading(path: store.path)
    let error = #expect(throws: SQLiteError.self) {
      try readOnly.execute(sql: "DELETE FROM devices")
    }
    #expect(error?.primaryCode == 8)  // SQLITE_READONLY
    #expect(error?.sql == "DELETE FROM devices")
    #expect(throws: SQLiteError.self) {
      try readOnly.execute(sql: "INSERT INTO meta (key, value) VALUES ('x', 'y')")
    }
    #expect(try store.reader().devices().count == 1)
  }

  @Test("a new writer on an existing store reloads devices, statuses and metrics")
  func restartReloadsCaches() throws {
    let directory = try ScratchDirectory()
    let path = directory.file("classgate.db")
    let env = device("env-1")
    do {
      let connection = try StoreFile.openForWriting(path: path, durability: .full)
      let writer = try BufferWriter(connection: connection)
      writer.add(readingsMessage(env, [("co2", 600), ("humidity", 40)], at: t0), receivedAt: t0)
      writer.add(statusMessage(device("proj-1", kind: .projector), .offline, at: t0), receivedAt: t0)
      try writer.commit(now: t0)
    }
    let connection = try StoreFile.openForWriting(path: path, durability: .full)
    let writer = try BufferWriter(connection: connection)
    writer.add(
      readingsMessage(env, [("co2", 650), ("humidity", 41)], at: t0 + 60_000), receivedAt: t0 + 60_000)
    writer.add(statusMessage(env, .online, at: t0 + 60_000), receivedAt: t0 + 60_000)
    writer.add(
      statusMessage(device("proj-1", kind: .projector), .offline, at: t0 + 60_000), receivedAt: t0 + 60_000)
    let summary = try writer.commit(now: t0 + 60_000)
    #expect(summary.readingsStored == 2)
    #expect(summary.statusChanges.isEmpty)

    let reader = try StoreReader(path: path)
    #expect(try reader.devices().map(\.id) == ["env-1", "proj-1"])
    #expect(try reader.statusChanges(device: "env-1").count == 1)
    #expect(try reader.statusChanges(device: "proj-1").count == 1)
    #expect(try connection.scalarInt(sql: "SELECT count(*) FROM metrics") == 2)
    #expect(try connection.scalarInt(sql: "SELECT count(*) FROM devices") == 2)
    #expect(
      describe(try #require(try reader.device(id: "env-1")).values)
        == ["co2=650.0@\(t0 + 60_000)", "humidity=41.0@\(t0 + 60_000)"])
  }

  @Test("a device that was online before a restart can still go stale after it")
  func staleAfterRestart() throws {
    let directory = try ScratchDirectory()
    let path = directory.file("classgate.db")
    do {
      let writer = try BufferWriter(connection: try StoreFile.openForWriting(path: path, durability: .full))
      writer.add(readingsMessage(device("env-1"), [("co2", 600)], at: t0), receivedAt: t0)
      try writer.commit(now: t0)
    }
    let writer = try BufferWriter(connection: try StoreFile.openForWriting(path: path, durability: .full))
    #expect(writer.sweepStale(now: t0 + 120_000, staleAfterMs: 60_000) == 1)
    try writer.commit(now: t0 + 120_000)
    #expect(try StoreReader(path: path).device(id: "env-1")?.status == .stale)
  }

  @Test("a commit that fails on a full disk keeps the batch; after space returns every row is there once")
  func failedCommitKeepsBatch() throws {
    let store = try TestStore()
    let env = device("env-1")
    store.writer.add(readingsMessage(env, [("co2", 600)], at: t0), receivedAt: t0)
    try store.writer.commit(now: t0)

    // No room for one more page: the batch below needs several.
    let pages = try #require(try store.connection.scalarInt(sql: "PRAGMA page_count"))
    try store.connection.execute(sql: "PRAGMA max_page_count = \(pages)")
    let plug = device("plug-9", kind: .plug, room: "r202")
    for second in 1...400 {
      let time = t0 + Int64(second) * 1_000
      store.writer.add(readingsMessage(env, [("co2", Double(600 + second))], at: time), receivedAt: time)
      store.writer.add(
        readingsMessage(plug, [("power", Double(second)), ("energy", 1.5)], at: time), receivedAt: time)
    }
    store.writer.addDeadLetter(
      topic: "x/y", payload: [1, 2, 3], reason: DeadLetterReason(.unknownTopic, "no"),
      receivedAt: t0 + 400_000)
    #expect(store.writer.pendingCount == 801)

    let error = #expect(throws: SQLiteError.self) { try store.writer.commit(now: t0 + 400_000) }
    #expect(error?.isDiskFull == true)
    #expect(store.writer.pendingCount == 801)
    let reader = try store.reader()
    #expect(try reader.readingCount() == 1)
    #expect(try reader.device(id: "plug-9") == nil)

    try store.connection.execute(sql: "PRAGMA max_page_count = 1073741823")
    let summary = try store.writer.commit(now: t0 + 401_000)
    #expect(store.writer.pendingCount == 0)
    #expect(summary.messages == 801)
    #expect(summary.readingsStored == 1_200)
    #expect(summary.duplicateReadings == 0)
    #expect(summary.deadLetters == 1)
    #expect(describe(summary.statusChanges) == ["plug-9:online:data received"])

    #expect(try reader.readingCount() == 1_201)
    #expect(try reader.readingCount(device: "env-1") == 401)
    #expect(try reader.readingCount(device: "plug-9") == 800)
    #expect(try reader.devices().map(\.id) == ["env-1", "plug-9"])
    #expect(try reader.statusChanges(device: "plug-9").count == 1)
    #expect(try reader.deadLetters().count == 1)
    let metricNames = try store.count("SELECT count(*) FROM metrics")
    #expect(metricNames == 3)
    // Every reading must resolve to its metric by name.
    let power = try reader.readings(device: "plug-9", metric: "power")
    let energy = try reader.readings(device: "plug-9", metric: "energy")
    #expect(power.count == 400)
    #expect(energy.count == 400)
    let orphans = try orphanReadings(in: store.connection)
    #expect(orphans == 0)
    let plugValues = try #require(try reader.device(id: "plug-9")).values
    #expect(describe(plugValues) == ["energy=1.5@\(t0 + 400_000)", "power=400.0@\(t0 + 400_000)"])
    let counters = try reader.counters()
    #expect(counters[Counter.messagesReceived] == 802)
    #expect(counters[Counter.readingsStored] == 1_201)
  }

  @Test("a metric first seen after a failed commit gets its own id, not a rolled-back one")
  func metricAfterFailedCommit() throws {
    let store = try TestStore()
    store.writer.add(readingsMessage(device("env-1"), [("co2", 600)], at: t0), receivedAt: t0)
    try store.writer.commit(now: t0)
    let pages = try #require(try store.connection.scalarInt(sql: "PRAGMA page_count"))
    try store.connection.execute(sql: "PRAGMA max_page_count = \(pages)")
    for second in 1...600 {
      store.writer.add(
        readingsMessage(device("env-1"), [("humidity", 40)], at: t0 + Int64(second)),
        receivedAt: t0 + Int64(second))
    }
    #expect(throws: SQLiteError.self) { try store.writer.commit(now: t0 + 600) }
    try store.connection.execute(sql: "PRAGMA max_page_count = 1073741823")

    // The retry carries one more message, with a metric never seen before.
    store.writer.add(
      readingsMessage(device("env-1"), [("noise", 55)], at: t0 + 1_000), receivedAt: t0 + 1_000)
    let summary = try store.writer.commit(now: t0 + 1_000)
    #expect(summary.readingsStored == 601)

    let reader = try store.reader()
    let noise = try reader.readings(device: "env-1", metric: "noise")
    let humidity = try reader.readings(device: "env-1", metric: "humidity")
    #expect(noise.count == 1)
    #expect(noise.first?.value == 55)
    #expect(humidity.count == 600)
    #expect(
      describe(try #require(try reader.device(id: "env-1")).values)
        == ["co2=600.0@\(t0)", "humidity=40.0@\(t0 + 600)", "noise=55.0@\(t0 + 1_000)"])
  }
}
