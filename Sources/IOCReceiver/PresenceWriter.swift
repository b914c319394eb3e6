import PostgresClient

/// A school's presence row. Presence has no seq, so order comes from the agent's `time_ms`: an
/// `online: true` replaces the row only when it is newer than the stored one (a redelivered old
/// one changes nothing), and `online: false` (the Last Will, which has no time) always applies.
enum PresenceWriter {
  static func write(
    _ presence: PresenceMessage, _ incoming: IncomingMessage, on connection: PostgresConnection
  )
    throws
  {
    guard let health = presence.health else {
      try connection.query(
        """
        INSERT INTO school (school_id, online, offline_since_ms, presence_received_ms) VALUES ($1, false, $2, $2)
        ON CONFLICT (school_id) DO UPDATE SET
          online = false,
          offline_since_ms = CASE WHEN school.online IS DISTINCT FROM false THEN excluded.offline_since_ms
                                  ELSE school.offline_since_ms END,
          presence_received_ms = excluded.presence_received_ms
        """, [.text(presence.schoolID), .int(incoming.receivedMs)])
      return
    }
    // A retained message may have waited at the broker for hours: its age is not the clock's skew.
    let skew: Int64? = incoming.retained ? nil : incoming.receivedMs - health.timeMs
    try connection.query(
      """
      INSERT INTO school (school_id, online, online_since_ms, presence_received_ms, presence_time_ms,
                          clock_skew_ms, version, backlog, oldest_pending_ms, last_acked_seq, disk_free_bytes,
                          devices_online, devices_offline, devices_stale, devices_unknown)
      VALUES ($1, true, $2, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
      ON CONFLICT (school_id) DO UPDATE SET
        online = true,
        online_since_ms = CASE WHEN school.online IS DISTINCT FROM true THEN excluded.online_since_ms
                               ELSE school.online_since_ms END,
        presence_received_ms = excluded.presence_received_ms,
        presence_time_ms = excluded.presence_time_ms,
        clock_skew_ms = COALESCE(excluded.clock_skew_ms, school.clock_skew_ms),
        version = excluded.version, backlog = excluded.backlog,
        oldest_pending_ms = excluded.oldest_pending_ms, last_acked_seq = excluded.last_acked_seq,
        disk_free_bytes = excluded.disk_free_bytes,
        devices_online = excluded.devices_online, devices_offline = excluded.devices_offline,
        devices_stale = excluded.devices_stale, devices_unknown = excluded.devices_unknown
      WHERE school.presence_time_ms IS NULL OR excluded.presence_time_ms > school.presence_time_ms
        OR school.online IS DISTINCT FROM true
      """,
      [
        .text(presence.schoolID), .int(incoming.receivedMs), .int(health.timeMs), .int(skew),
        .text(health.version),
        .int(health.backlog), .int(health.oldestPendingMs), .int(health.lastAckedSeq),
        .int(health.diskFreeBytes),
        .int(health.devices.online), .int(health.devices.offline), .int(health.devices.stale),
        .int(health.devices.unknown),
      ])
  }
}
