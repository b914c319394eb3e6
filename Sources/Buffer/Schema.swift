import SQLiteStore

/// The store's schema, one migration per version; never edit a shipped migration, add one.
///
/// Readings are the bulk of the file. Up to schema 3 they were one row per reading in a
/// `(device, metric, ts)` B-tree; from schema 4 they are appended to `reading_log` and compacted
/// into `reading_chunks` (`ReadingLog`, docs/storage.md).
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
    .init(
      version: 3, name: "rollups and outbox",
      sql: """
        CREATE TABLE usage_periods (
          kind TEXT NOT NULL,
          start_ms INTEGER NOT NULL,
          end_ms INTEGER NOT NULL,
          revision INTEGER NOT NULL,
          created_ms INTEGER NOT NULL,
          online INTEGER NOT NULL,
          offline INTEGER NOT NULL,
          stale INTEGER NOT NULL,
          unknown INTEGER NOT NULL,
          offline_incidents INTEGER NOT NULL,
          online_ms INTEGER NOT NULL,
          observed_ms INTEGER NOT NULL,
          PRIMARY KEY (kind, start_ms)
        ) WITHOUT ROWID;
        CREATE TABLE device_usage (
          kind TEXT NOT NULL,
          start_ms INTEGER NOT NULL,
          device INTEGER NOT NULL,
          online_ms INTEGER NOT NULL,
          on_ms INTEGER NOT NULL,
          active_ms INTEGER NOT NULL,
          sessions INTEGER NOT NULL,
          energy_kwh REAL,
          lamp_hours REAL,
          scans INTEGER NOT NULL,
          distinct_cards INTEGER NOT NULL,
          offline_incidents INTEGER NOT NULL,
          PRIMARY KEY (kind, start_ms, device)
        ) WITHOUT ROWID;
        CREATE TABLE metric_usage (
          kind TEXT NOT NULL,
          start_ms INTEGER NOT NULL,
          device INTEGER NOT NULL,
          metric INTEGER NOT NULL,
          count INTEGER NOT NULL,
          min REAL NOT NULL,
          max REAL NOT NULL,
          sum REAL NOT NULL,
          above_ms INTEGER,
          PRIMARY KEY (kind, start_ms, device, metric)
        ) WITHOUT ROWID;
        CREATE TABLE late_ranges (
          id INTEGER PRIMARY KEY,
          from_ms INTEGER NOT NULL,
          to_ms INTEGER NOT NULL,
          noted_ms INTEGER NOT NULL
        );
        CREATE TABLE alert_state (
          device INTEGER NOT NULL,
          metric INTEGER NOT NULL,
          above INTEGER NOT NULL,
          since_ms INTEGER NOT NULL,
          PRIMARY KEY (device, metric)
        ) WITHOUT ROWID;
        CREATE TABLE outbox (
          seq INTEGER PRIMARY KEY,
          lane TEXT NOT NULL,
          topic TEXT NOT NULL,
          payload BLOB NOT NULL,
          created_ms INTEGER NOT NULL,
          delivered_ms INTEGER
        );
        CREATE INDEX outbox_pending ON outbox (lane, seq) WHERE delivered_ms IS NULL;
        ALTER TABLE events ADD COLUMN card TEXT GENERATED ALWAYS AS (
          CASE WHEN type = 'card_scan' AND json_valid(data) THEN json_extract(data, '$.card') END
        ) VIRTUAL;
        CREATE INDEX events_by_type ON events (type, ts, device, card);
        """),
    .init(
      version: 4, name: "appended readings",
      // The tables are created by `prepare` (LegacyReadings), which moves the old rows into them.
      sql: "DROP TABLE IF EXISTS readings",
      prepare: { try LegacyReadings.move(in: $0) }),
    .init(
      version: 5, name: "lessons and time-weighted means",
      // Per-lesson usage of summarised days (LessonStore): one header per day, one row per room
      // and period, one per room used outside the timetable. Metric rows get the held time and
      // value × time of the time-weighted mean (NULL in rows stored before). A late range keeps
      // where it began (`days_from_ms`) while `from_ms` moves on as its windows are redone, so
      // every day it touched is redone too.
      sql: """
        ALTER TABLE metric_usage ADD COLUMN held_ms INTEGER;
        ALTER TABLE metric_usage ADD COLUMN held_sum REAL;
        ALTER TABLE late_ranges ADD COLUMN days_from_ms INTEGER;
        CREATE TABLE lesson_days (
          start_ms INTEGER PRIMARY KEY,
          end_ms INTEGER NOT NULL,
          revision INTEGER NOT NULL,
          created_ms INTEGER NOT NULL,
          teaching INTEGER NOT NULL,
          closure TEXT
        );
        CREATE TABLE lesson_usage (
          day_ms INTEGER NOT NULL,
          start_ms INTEGER NOT NULL,
          room TEXT NOT NULL,
          end_ms INTEGER NOT NULL,
          session TEXT NOT NULL,
          period INTEGER NOT NULL,
          class TEXT,
          scheduled INTEGER NOT NULL,
          board_on_ms INTEGER NOT NULL,
          board_active_ms INTEGER NOT NULL,
          projector_on_ms INTEGER NOT NULL,
          used_board INTEGER NOT NULL,
          used_projector INTEGER NOT NULL,
          co2_mean REAL,
          co2_max REAL,
          co2_above_ms INTEGER NOT NULL,
          temperature_mean REAL,
          scans INTEGER NOT NULL,
          distinct_cards INTEGER NOT NULL,
          PRIMARY KEY (day_ms, start_ms, room)
        ) WITHOUT ROWID;
        CREATE TABLE lesson_outside (
          day_ms INTEGER NOT NULL,
          room TEXT NOT NULL,
          board_on_ms INTEGER NOT NULL,
          projector_on_ms INTEGER NOT NULL,
          PRIMARY KEY (day_ms, room)
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
  /// Dead letters refused for their time and stored after all once the clock was right.
  public static let deadLettersRecovered = "dead_letters_recovered"
  /// Rows deleted to keep the store under its cap, per table (`StoreCap`).
  public static func evicted(_ table: String) -> String { "evicted.\(table)" }
  /// Outbox messages the IOC broker kept refusing, moved to `outbox_set_aside`.
  public static let outboxSetAside = "outbox.set_aside"
}

/// Keys of the `meta` table.
public enum MetaKey {
  /// Wall-clock ms of the agent's last commit or sweep: the CLI warns when it is old.
  public static let agentHeartbeat = "agent.heartbeat_ms"
  public static let agentVersion = "agent.version"
  /// "1" while an agent runs on the store, "0" after a clean stop: a "1" at start means a crash.
  public static let agentRunning = "agent.running"
  public static let staleAfterMs = "agent.stale_after_ms"
  /// "1" when the agent trusts its wall clock, "0" when not (see `ClockTrust`), with the reason.
  public static let clockTrusted = "clock.trusted"
  public static let clockReason = "clock.reason"
  /// The last seq given to an outbox message: only ever increases, so a seq is never reused.
  public static let outboxLastSeq = "outbox.last_seq"
  /// The outbox's stream id (random, per store): seqs are unique within it.
  public static let outboxStream = "outbox.stream"
  public static let outboxLastAckedSeq = "outbox.last_acked_seq"
  /// Periods before this (epoch ms) are summarised; data that arrives for them later is "late".
  public static let windowsSummarisedUntil = "rollup.windows_until_ms"
  public static let daysSummarisedUntil = "rollup.days_until_ms"
  /// The last stretch of windows skipped for holding no data ("from_ms,to_ms").
  public static let lastGap = "rollup.last_gap"
  /// The last status_changes.id turned into an uplink event.
  public static let statusEventCursor = "uplink.status_cursor"
  /// The last `reading_log` row reflected in latest values, `last_seen` and the counters.
  public static let logFlushedThrough = "log.flushed_through"
  /// The last `reading_log` row counted in `readings_stored` and `messages_received`.
  public static let logCountedThrough = "log.counted_through"
  /// The cap the agent runs with (`store.max_mb`), for the CLI.
  public static let storeMaxBytes = "store.max_bytes"
  /// The uplink's state for `classgate uplink`: JSON written by the agent when it changes.
  public static let uplinkState = "uplink.state"
}
