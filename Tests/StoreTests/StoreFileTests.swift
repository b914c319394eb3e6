import Buffer
import DeviceModel
import Foundation
import SQLiteStore
import Testing

@Suite("Opening the store file")
struct StoreFileTests {
  @Test("a new store for writing is WAL, fully synchronous and at the latest schema")
  func openForWritingFull() throws {
    let directory = try ScratchDirectory()
    let connection = try StoreFile.openForWriting(
      path: directory.file("classgate.db"), durability: .full)
    #expect(try connection.scalarText(sql: "PRAGMA journal_mode") == "wal")
    #expect(try connection.scalarInt(sql: "PRAGMA synchronous") == 2)
    #expect(try connection.scalarInt(sql: "PRAGMA user_version") == Int64(latestSchemaVersion))
    #expect(try Migrator.currentVersion(of: connection) == latestSchemaVersion)
    let tables = try connection.makeStatement(
      sql: "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    var names: [String] = []
    while try tables.step() { names.append(tables.text(0) ?? "") }
    #expect(
      names == [
        "alert_state", "counters", "dead_letters", "device_usage", "devices", "events",
        "late_ranges", "latest_values", "lesson_days", "lesson_outside", "lesson_usage", "meta",
        "metric_usage", "metrics", "outbox", "outbox_set_aside",
        "reading_chunks",
        "reading_log", "rooms", "series_carry", "status_changes", "usage_periods",
      ])
    #expect(try columns(of: "devices", on: connection).contains("name"))
    #expect(try columns(of: "rooms", on: connection) == ["id", "name", "building", "floor"])
  }

  func columns(of table: String, on connection: Connection) throws -> [String] {
    let info = try connection.makeStatement(sql: "SELECT name FROM pragma_table_info(?) ORDER BY cid")
    info.bind(table, at: 1)
    var names: [String] = []
    while try info.step() { names.append(info.text(0) ?? "") }
    return names
  }

  @Test("durability normal sets synchronous to NORMAL")
  func openForWritingNormal() throws {
    let directory = try ScratchDirectory()
    let connection = try StoreFile.openForWriting(
      path: directory.file("classgate.db"), durability: .normal)
    #expect(try connection.scalarText(sql: "PRAGMA journal_mode") == "wal")
    #expect(try connection.scalarInt(sql: "PRAGMA synchronous") == 1)
  }

  @Test("reopening an existing store applies no migration again and keeps its data")
  func reopen() throws {
    let directory = try ScratchDirectory()
    let path = directory.file("classgate.db")
    do {
      let connection = try StoreFile.openForWriting(path: path, durability: .full)
      try connection.execute(sql: "INSERT INTO meta (key, value) VALUES ('k', 'v')")
    }
    let connection = try StoreFile.openForWriting(path: path, durability: .normal)
    #expect(try connection.scalarText(sql: "SELECT value FROM meta WHERE key = 'k'") == "v")
    #expect(try Migrator.currentVersion(of: connection) == latestSchemaVersion)
    #expect(try StoreReader(path: path).meta("k") == "v")
  }

  @Test("a store from a newer ClassGate is refused, for writing and for reading")
  func newerSchemaRefused() throws {
    let directory = try ScratchDirectory()
    let path = directory.file("classgate.db")
    do {
      let connection = try StoreFile.openForWriting(path: path, durability: .full)
      try connection.execute(sql: "PRAGMA user_version = \(latestSchemaVersion + 1)")
    }
    let writing = #expect(throws: SQLiteError.self) {
      _ = try StoreFile.openForWriting(path: path, durability: .full)
    }
    #expect(
      writing?.message
        == "store schema version \(latestSchemaVersion + 1) is newer than this ClassGate understands (\(latestSchemaVersion)); upgrade ClassGate"
    )
    let reading = #expect(throws: SQLiteError.self) { _ = try StoreFile.openForReading(path: path) }
    #expect(
      reading?.message == "\(path) was written by a newer ClassGate (schema \(latestSchemaVersion + 1))")
    // Refused, not touched: the newer ClassGate's version stays.
    let check = try Connection(path: path, mode: .readOnly)
    #expect(try Migrator.currentVersion(of: check) == latestSchemaVersion + 1)
  }

  @Test("a store at the latest schema itself opens for writing and for reading")
  func latestSchemaAccepted() throws {
    let directory = try ScratchDirectory()
    let path = directory.file("classgate.db")
    do {
      let connection = try StoreFile.openForWriting(path: path, durability: .full)
      try connection.execute(sql: "PRAGMA user_version = \(latestSchemaVersion)")
    }
    _ = try StoreFile.openForWriting(path: path, durability: .full)
    let reading = try StoreFile.openForReading(path: path)
    #expect(try Migrator.currentVersion(of: reading) == latestSchemaVersion)
  }

  @Test("a store written at schema 1 is upgraded on opening for writing, its data kept and usable")
  func upgradeFromSchema1() throws {
    let directory = try ScratchDirectory()
    let path = directory.file("classgate.db")
    do {
      let connection = try Connection(path: path, mode: .readWrite)
      #expect(try Migrator([shippedMigrations[0]]).migrate(connection) == ["initial"])
      try connection.execute(
        sql: """
          INSERT INTO devices (key, kind, room, profile, status, last_seen, first_seen)
          VALUES ('env-1', 'env_sensor', 'r101', 'native', 'online', \(t0), \(t0));
          INSERT INTO metrics (name) VALUES ('co2');
          INSERT INTO readings (device, metric, ts, value) VALUES (1, 1, \(t0), 600);
          INSERT INTO latest_values (device, metric, ts, value) VALUES (1, 1, \(t0), 600);
          """)
    }
    let connection = try StoreFile.openForWriting(path: path, durability: .full)
    #expect(try Migrator.currentVersion(of: connection) == latestSchemaVersion)
    #expect(try columns(of: "devices", on: connection).contains("name"))
    #expect(try connection.scalarInt(sql: "SELECT count(*) FROM rooms") == 0)

    let writer = try BufferWriter(connection: connection)
    writer.add(
      readingsMessage(
        DeviceIdentity(id: "env-1", kind: .envSensor, room: "r101", profile: "native", name: "CO2, room 101"),
        [("co2", 610)], at: t0 + 1_000),
      receivedAt: t0 + 1_000)
    let summary = try writer.commit(now: t0 + 1_000)
    #expect(summary.readingsStored == 1)
    // Loaded from the old rows: the same device, already online.
    #expect(summary.statusChanges.isEmpty)
    let found = try #require(try StoreReader(path: path).device(id: "env-1"))
    #expect(found.name == "CO2, room 101")
    #expect(found.firstSeen == t0)
    #expect(try StoreReader(path: path).readings(device: "env-1", metric: "co2").map(\.value) == [600, 610])
  }

  // The CLI opens the store read-only and cannot migrate it; openForReading accepts any schema up to
  // the latest, so a schema-1 store (the agent not yet restarted after an upgrade, or stopped by a
  // config error before it opened the store) must still list its devices, without names or rooms.
  @Test("a store still at schema 1 can be read by the CLI: devices listed, without names")
  func readSchema1Store() throws {
    let directory = try ScratchDirectory()
    let path = directory.file("classgate.db")
    do {
      let connection = try Connection(path: path, mode: .readWrite)
      try Migrator([shippedMigrations[0]]).migrate(connection)
      try connection.execute(
        sql: """
          INSERT INTO devices (key, kind, room, profile, status, last_seen, first_seen)
          VALUES ('env-1', 'env_sensor', 'r101', 'native', 'online', \(t0), \(t0))
          """)
    }
    let reader = try StoreReader(path: path)
    let devices = try reader.devices()
    #expect(devices.map(\.id) == ["env-1"])
    #expect(devices.first?.name == nil)
    #expect(try reader.device(id: "env-1")?.room == "r101")
    #expect(try reader.device(id: "env-1")?.name == nil)
    #expect(try reader.rooms().isEmpty)
    // Reading changed nothing: the agent migrates it when it next opens the store.
    #expect(try Migrator.currentVersion(of: Connection(path: path, mode: .readOnly)) == 1)
  }

  @Test("an SQLite file that is not a ClassGate store is refused for reading with a clear message")
  func foreignSQLiteFile() throws {
    let directory = try ScratchDirectory()
    let path = directory.file("other.db")
    do {
      let connection = try Connection(path: path)
      try connection.execute(sql: "CREATE TABLE songs (title TEXT)")
    }
    let error = #expect(throws: SQLiteError.self) { _ = try StoreFile.openForReading(path: path) }
    #expect(error?.message == "\(path) is not a ClassGate store (no schema)")
    #expect(error?.description == "SQLite error 1: \(path) is not a ClassGate store (no schema)")
    #expect(throws: SQLiteError.self) { _ = try StoreReader(path: path) }
  }

  @Test("a text file is refused for reading as not a database")
  func textFile() throws {
    let directory = try ScratchDirectory()
    let path = directory.file("classgate.toml")
    try "school_id = \"x\"\n".write(toFile: path, atomically: true, encoding: .utf8)
    let error = #expect(throws: SQLiteError.self) { _ = try StoreFile.openForReading(path: path) }
    #expect(error?.primaryCode == 26)  // SQLITE_NOTADB
  }

  @Test("reading a store that does not exist fails and does not create it")
  func missingFile() throws {
    let directory = try ScratchDirectory()
    let path = directory.file("missing.db")
    let error = #expect(throws: SQLiteError.self) { _ = try StoreFile.openForReading(path: path) }
    #expect(error?.message.contains(path) == true)
    #expect(!FileManager.default.fileExists(atPath: path))
  }
}

@Suite("Migrator")
struct MigratorTests {
  let migrator = Migrator([
    .init(version: 1, name: "one", sql: "CREATE TABLE a (x INTEGER)"),
    .init(version: 2, name: "two", sql: "CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (42)"),
  ])

  @Test("migrations run once each, in order, and set user_version")
  func appliesOnce() throws {
    let directory = try ScratchDirectory()
    let connection = try Connection(path: directory.file("m.db"))
    #expect(migrator.latestVersion == 2)
    #expect(try migrator.migrate(connection) == ["one", "two"])
    #expect(try Migrator.currentVersion(of: connection) == 2)
    #expect(try migrator.migrate(connection) == [])
    #expect(try connection.scalarInt(sql: "SELECT count(*) FROM a") == 1)
  }

  @Test("only the missing migrations run on an older store")
  func upgradesFromOlder() throws {
    let directory = try ScratchDirectory()
    let connection = try Connection(path: directory.file("m.db"))
    try Migrator([migrator.migrations[0]]).migrate(connection)
    #expect(try Migrator.currentVersion(of: connection) == 1)
    #expect(try migrator.migrate(connection) == ["two"])
    #expect(try Migrator.currentVersion(of: connection) == 2)
  }

  @Test("a failing migration rolls back with its version unchanged")
  func failingMigration() throws {
    let directory = try ScratchDirectory()
    let connection = try Connection(path: directory.file("m.db"))
    let broken = Migrator([
      migrator.migrations[0],
      .init(version: 2, name: "broken", sql: "CREATE TABLE c (z INTEGER); INSERT INTO nowhere VALUES (1)"),
    ])
    let error = #expect(throws: SQLiteError.self) { try broken.migrate(connection) }
    #expect(error?.message == "no such table: nowhere")
    #expect(try Migrator.currentVersion(of: connection) == 1)
    #expect(try connection.scalarInt(sql: "SELECT count(*) FROM sqlite_schema WHERE name = 'c'") == 0)
  }

  @Test("a store whose user_version is above the latest is refused and left untouched")
  func refusesNewer() throws {
    let directory = try ScratchDirectory()
    let connection = try Connection(path: directory.file("m.db"))
    try connection.execute(sql: "PRAGMA user_version = 7")
    let error = #expect(throws: SQLiteError.self) { try migrator.migrate(connection) }
    #expect(
      error?.message
        == "store schema version 7 is newer than this ClassGate understands (2); upgrade ClassGate")
    #expect(try Migrator.currentVersion(of: connection) == 7)
    #expect(try connection.scalarInt(sql: "SELECT count(*) FROM sqlite_schema") == 0)
  }
}

@Suite("SQLite errors")
struct SQLiteErrorTests {
  @Test("the description names the code, SQLite's message and the SQL")
  func descriptionContainsSQL() throws {
    let directory = try ScratchDirectory()
    let connection = try Connection(path: directory.file("e.db"))
    let error = #expect(throws: SQLiteError.self) {
      try connection.execute(sql: "SELEC * FROM devices")
    }
    #expect(error?.sql == "SELEC * FROM devices")
    #expect(error?.primaryCode == 1)
    #expect(
      error?.description
        == "SQLite error 1: near \"SELEC\": syntax error - while executing `SELEC * FROM devices`")
  }

  @Test("a constraint error names the SQL but never the bound values")
  func boundValuesStayOut() throws {
    let directory = try ScratchDirectory()
    let connection = try Connection(path: directory.file("e.db"))
    try connection.execute(sql: "CREATE TABLE cards (uid TEXT NOT NULL UNIQUE)")
    let insert = try connection.cachedStatement(sql: "INSERT INTO cards (uid) VALUES (?)")
    insert.bind("04A1B2C3-secret", at: 1)
    try insert.run()
    let again = try connection.cachedStatement(sql: "INSERT INTO cards (uid) VALUES (?)")
    again.bind("04A1B2C3-secret", at: 1)
    let error = #expect(throws: SQLiteError.self) { try again.run() }
    #expect(error?.code == 2067)  // SQLITE_CONSTRAINT_UNIQUE
    #expect(error?.primaryCode == 19)  // SQLITE_CONSTRAINT
    #expect(
      error?.description
        == "SQLite error 2067: UNIQUE constraint failed: cards.uid - while executing `INSERT INTO cards (uid) VALUES (?)`"
    )
    #expect(error?.description.contains("secret") == false)
  }

  @Test("a prepared statement holding two statements is refused")
  func twoStatements() throws {
    let directory = try ScratchDirectory()
    let connection = try Connection(path: directory.file("e.db"))
    let error = #expect(throws: SQLiteError.self) {
      _ = try connection.makeStatement(sql: "SELECT 1; SELECT 2")
    }
    #expect(error?.message == "a prepared statement holds exactly one SQL statement")
    #expect(error?.primaryCode == 21)  // SQLITE_MISUSE
    // Trailing whitespace alone is fine.
    #expect(try connection.scalarInt(sql: "SELECT 3;\n  ") == 3)
  }

  @Test("error classification: full and busy")
  func classification() {
    #expect(SQLiteError(code: 13, message: "database or disk is full").isDiskFull)
    #expect(!SQLiteError(code: 13, message: "").isBusy)
    #expect(SQLiteError(code: 5, message: "database is locked").isBusy)
    #expect(SQLiteError(code: 6, message: "database table is locked").isBusy)
    #expect(SQLiteError(code: 261, message: "").isBusy)  // SQLITE_BUSY_RECOVERY
    #expect(SQLiteError(code: 1, message: "boom").description == "SQLite error 1: boom")
  }
}
