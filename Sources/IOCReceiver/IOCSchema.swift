import PostgresClient

/// The receiver's tables. Summaries, events and rejected messages are partitioned by month
/// (declarative range partitioning on an epoch-ms column); a month's partitions are made when the
/// first row for it arrives (`PartitionMaker`), and an old month is dropped or detached whole.
public enum IOCSchema {
  public static let version = 2
  public static let partitionedTables: [(table: String, column: String)] = [
    ("summary", "period_start_ms"), ("event", "time_ms"), ("rejected", "received_ms"),
  ]

  static let ddl = """
    CREATE TABLE IF NOT EXISTS ioc_meta (key text PRIMARY KEY, value text NOT NULL);

    -- The de-duplication ledger: one row per sequenced message ever stored. Not partitioned, so
    -- its primary key is the one unique (school_id, stream, seq) across all months.
    CREATE TABLE IF NOT EXISTS sequenced (
      school_id   text   NOT NULL,
      stream      text   NOT NULL,
      seq         bigint NOT NULL,
      schema      text   NOT NULL,
      created_ms  bigint NOT NULL,
      received_ms bigint NOT NULL,
      PRIMARY KEY (school_id, stream, seq)
    );
    -- md5 of the payload, to tell a redelivery from a reused seq with other content (schema 2).
    ALTER TABLE sequenced ADD COLUMN IF NOT EXISTS digest text;

    -- Window, daily and lesson summaries: per (school, kind, period, part) the highest revision only.
    CREATE TABLE IF NOT EXISTS summary (
      school_id       text    NOT NULL,
      kind            text    NOT NULL CHECK (kind IN ('window', 'day', 'lessons')),
      period_start_ms bigint  NOT NULL,
      part            integer NOT NULL,
      period_end_ms   bigint  NOT NULL,
      date            date,
      revision        integer NOT NULL,
      parts           integer NOT NULL,
      stream          text    NOT NULL,
      seq             bigint  NOT NULL,
      received_ms     bigint  NOT NULL,
      body            jsonb   NOT NULL,
      PRIMARY KEY (school_id, kind, period_start_ms, part)
    ) PARTITION BY RANGE (period_start_ms);

    -- Events. time_ms is in the key because a partitioned table's unique keys must hold the
    -- partition column; (school_id, stream, seq) alone is unique through the ledger.
    CREATE TABLE IF NOT EXISTS event (
      school_id   text   NOT NULL,
      stream      text   NOT NULL,
      seq         bigint NOT NULL,
      time_ms     bigint NOT NULL,
      type        text   NOT NULL,
      device      text   NOT NULL,
      received_ms bigint NOT NULL,
      body        jsonb  NOT NULL,
      PRIMARY KEY (school_id, stream, seq, time_ms)
    ) PARTITION BY RANGE (time_ms);
    CREATE INDEX IF NOT EXISTS event_by_school_time ON event (school_id, time_ms);

    -- Messages that failed validation (or that the database refused), kept with the reason.
    CREATE TABLE IF NOT EXISTS rejected (
      id           bigserial,
      received_ms  bigint  NOT NULL,
      topic        text    NOT NULL,
      school_id    text,
      reason       text    NOT NULL,
      payload_size integer NOT NULL,
      payload      bytea   NOT NULL,
      PRIMARY KEY (received_ms, id)
    ) PARTITION BY RANGE (received_ms);

    -- One row per school: its presence and what has arrived from it.
    CREATE TABLE IF NOT EXISTS school (
      school_id            text PRIMARY KEY,
      online               boolean,
      online_since_ms      bigint,
      offline_since_ms     bigint,
      presence_received_ms bigint,
      presence_time_ms     bigint,
      clock_skew_ms        bigint,
      version              text,
      backlog              integer,
      oldest_pending_ms    bigint,
      last_acked_seq       bigint,
      disk_free_bytes      bigint,
      devices_online       integer,
      devices_offline      integer,
      devices_stale        integer,
      devices_unknown      integer,
      newest_created_ms    bigint,
      newest_received_ms   bigint,
      messages             bigint NOT NULL DEFAULT 0,
      duplicates           bigint NOT NULL DEFAULT 0,
      rejected             bigint NOT NULL DEFAULT 0
    );
    """

  /// Creates what is missing. Several receivers may start at once: one at a time, by a lock.
  public static func migrate(_ connection: PostgresConnection) throws {
    try connection.transaction {
      try connection.query("SELECT pg_advisory_xact_lock($1)", [.int(PartitionMaker.lockKey)])
      try connection.execute(sql: ddl)
      try connection.query(
        "INSERT INTO ioc_meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [.int(version)])
    }
  }
}
