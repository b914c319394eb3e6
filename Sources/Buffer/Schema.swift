import SQLiteStore

/// The store's schema, one migration per version; never edit a shipped migration, add one.
///
/// Readings are the bulk of the file, so they are a WITHOUT ROWID table of integers: device and metric
/// ids, milliseconds since the epoch, and the value (SQLite stores integral REALs as small integers).
/// The primary key doubles as the idempotency key: a redelivered message inserts nothing new.
enum Schema {
  static let migrator = Migrator([
    .init(
      version: 1, name: "initial",
      sql: """
        CREATE TABLE devices (
          id INTEGER PRIMARY KEY,
          key TEXT NOT NULL UNIQUE,
          kind TEXT NOT NULL,
          room TEXT,
          profile TEXT NOT NULL,
          status TEXT NOT NULL DEFAULT 'unknown',
          status_since INTEGER,
          last_seen INTEGER,
          first_seen INTEGER NOT NULL
        );
        CREATE TABLE metrics (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
        CREATE TABLE readings (
          device INTEGER NOT NULL,
          metric INTEGER NOT NULL,
          ts INTEGER NOT NULL,
          value REAL NOT NULL,
          PRIMARY KEY (device, metric, ts)
        ) WITHOUT ROWID;
        CREATE TABLE latest_values (
          device INTEGER NOT NULL,
          metric INTEGER NOT NULL,
          ts INTEGER NOT NULL,
          value REAL NOT NULL,
          PRIMARY KEY (device, metric)
        ) WITHOUT ROWID;
        CREATE TABLE status_changes (
          id INTEGER PRIMARY KEY,
          device INTEGER NOT NULL,
          ts INTEGER NOT NULL,
          status TEXT NOT NULL,
          cause TEXT NOT NULL
        );
        CREATE INDEX status_changes_by_device ON status_changes (device, ts);
        CREATE TABLE events (
          id INTEGER PRIMARY KEY,
          device INTEGER NOT NULL,
          ts INTEGER NOT NULL,
          type TEXT NOT NULL,
          data TEXT NOT NULL,
          UNIQUE (device, ts, type)
        );
        CREATE TABLE dead_letters (
          id INTEGER PRIMARY KEY,
          ts INTEGER NOT NULL,
          topic TEXT NOT NULL,
          payload BLOB NOT NULL,
          payload_size INTEGER NOT NULL,
          reason TEXT NOT NULL,
          detail TEXT NOT NULL
        );
        CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        """),
    .init(
      version: 2, name: "inventory",
      sql: """
        ALTER TABLE devices ADD COLUMN name TEXT;
        CREATE TABLE rooms (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          building TEXT,
          floor INTEGER
        ) WITHOUT ROWID;
        """),
  ])
}

/// Names of the counters kept in the `counters` table.
public enum Counter {
  public static let messagesReceived = "messages_received"
  public static let readingsStored = "readings_stored"
  public static let duplicateReadings = "duplicate_readings"
  public static let eventsStored = "events_stored"
  public static let deadLetters = "dead_letters"
  public static func deadLetters(_ code: String) -> String { "dead_letters.\(code)" }
}

/// Keys of the `meta` table.
public enum MetaKey {
  /// Wall-clock ms of the agent's last commit or sweep: the CLI warns when it is old.
  public static let agentHeartbeat = "agent.heartbeat_ms"
  public static let agentVersion = "agent.version"
  public static let staleAfterMs = "agent.stale_after_ms"
}
