import PostgresClient

/// One school as the operators' city view shows it.
public struct SchoolStatus: Sendable, Equatable {
  public var schoolID: String
  /// nil: no presence received yet.
  public var online: Bool?
  /// Since when online, or since when offline (receive time, IOC clock).
  public var sinceMs: Int64?
  public var presenceReceivedMs: Int64?
  /// `created_ms` of the newest summary or event stored (agent clock).
  public var newestDataMs: Int64?
  public var backlog: Int?
  public var oldestPendingMs: Int64?
  public var devices: DeviceCounts?
  /// Receive time − presence `time_ms`, from the newest live (not retained) presence.
  public var clockSkewMs: Int64?
  public var version: String?
  public var diskFreeBytes: Int64?
  public var messages: Int64
  public var duplicates: Int64
  public var rejected: Int64

  /// Devices not online: offline or stale.
  public var devicesDown: Int? { devices.map { $0.offline + $0.stale } }
}

/// One school's usage on one local day, from its daily summary (highest revision, every part).
public struct SchoolUsage: Sendable, Equatable {
  public var schoolID: String
  /// Boards and projectors (plugs powering projectors count as projectors).
  public var displays: Int
  /// Those in active use at some time of the day.
  public var displaysUsed: Int
  public var displayOnMinutes: Double
  public var displayActiveMinutes: Double
  public var co2Sensors: Int
  /// CO2 sensors whose reading was above the threshold at some time of the day.
  public var co2SensorsOver: Int
  public var co2AboveMinutes: Double
  public var energyKWh: Double
  public var scans: Int
  /// From the school's lesson summary (nil when it sent none: no `[timetable]`).
  public var lessons: LessonTotals?

  public var displayShareUsed: Double? { displays == 0 ? nil : Double(displaysUsed) / Double(displays) }
}

/// A day's lesson totals, as the school's `classgate.lesson_summary` states them.
public struct LessonTotals: Sendable, Equatable {
  public var scheduled: Int
  /// Scheduled lessons that used the board or the projector.
  public var used: Int
  public var co2Over: Int
  public var roomsOutsideTimetable: Int

  public var shareUsed: Double? { scheduled == 0 ? nil : Double(used) / Double(scheduled) }
}

/// A refused message, as `classgate-ioc rejected` lists it.
public struct RejectedMessage: Sendable, Equatable {
  public var receivedMs: Int64
  public var schoolID: String?
  public var topic: String
  public var reason: String
  public var payloadSize: Int
}

/// The read-only queries behind `classgate-ioc schools`, `usage` and `rejected`.
public enum CityView {
  /// The newest `limit` rejected messages, newest first; only `school`'s when given.
  public static func rejected(_ connection: PostgresConnection, school: String?, limit: Int) throws
    -> [RejectedMessage]
  {
    let rows = try connection.query(
      """
      SELECT received_ms, school_id, topic, reason, payload_size FROM rejected
       WHERE $1::text IS NULL OR school_id = $1::text
       ORDER BY received_ms DESC, id DESC LIMIT $2
      """, [.text(school), .int(limit)])
    return rows.map { row in
      RejectedMessage(
        receivedMs: row.int("received_ms") ?? 0, schoolID: row["school_id"], topic: row["topic"] ?? "",
        reason: row["reason"] ?? "", payloadSize: Int(row.int("payload_size") ?? 0))
    }
  }

  public static func schools(_ connection: PostgresConnection) throws -> [SchoolStatus] {
    let rows = try connection.query(
      """
      SELECT school_id, online, online_since_ms, offline_since_ms, presence_received_ms, newest_created_ms,
             backlog, oldest_pending_ms, devices_online, devices_offline, devices_stale, devices_unknown,
             clock_skew_ms, version, disk_free_bytes, messages, duplicates, rejected
        FROM school ORDER BY school_id LIMIT 10000
      """)
    return rows.map { row in
      let online = row.bool("online")
      let devices: DeviceCounts? = row.int("devices_online").map { count in
        DeviceCounts(
          online: Int(count), offline: Int(row.int("devices_offline") ?? 0),
          stale: Int(row.int("devices_stale") ?? 0), unknown: Int(row.int("devices_unknown") ?? 0))
      }
      return SchoolStatus(
        schoolID: row["school_id"] ?? "", online: online,
        sinceMs: online == true
          ? row.int("online_since_ms") : online == false ? row.int("offline_since_ms") : nil,
        presenceReceivedMs: row.int("presence_received_ms"), newestDataMs: row.int("newest_created_ms"),
        backlog: row.int("backlog").map(Int.init), oldestPendingMs: row.int("oldest_pending_ms"),
        devices: devices,
        clockSkewMs: row.int("clock_skew_ms"), version: row["version"],
        diskFreeBytes: row.int("disk_free_bytes"),
        messages: row.int("messages") ?? 0, duplicates: row.int("duplicates") ?? 0,
        rejected: row.int("rejected") ?? 0)
    }
  }

  /// `day` is a local date, `YYYY-MM-DD`, as in the daily summaries' `period.date`.
  public static func usage(_ connection: PostgresConnection, day: String) throws -> [SchoolUsage] {
    let rows = try connection.query(
      """
      WITH device AS (
        SELECT s.school_id, d.value AS d
          FROM summary s CROSS JOIN LATERAL jsonb_array_elements(s.body->'devices') d
         WHERE s.kind = 'day' AND s.date = $1::date)
      SELECT school_id,
             count(*) FILTER (WHERE d->>'kind' IN ('board', 'projector')) AS displays,
             count(*) FILTER (WHERE d->>'kind' IN ('board', 'projector')
                                AND (d->>'active_min')::float8 > 0) AS displays_used,
             coalesce(sum((d->>'on_min')::float8) FILTER (WHERE d->>'kind' IN ('board', 'projector')), 0) AS on_min,
             coalesce(sum((d->>'active_min')::float8) FILTER (WHERE d->>'kind' IN ('board', 'projector')), 0)
               AS active_min,
             count(*) FILTER (WHERE d->'metrics'->'co2'->>'above_min' IS NOT NULL) AS co2_sensors,
             count(*) FILTER (WHERE (d->'metrics'->'co2'->>'above_min')::float8 > 0) AS co2_over,
             coalesce(sum((d->'metrics'->'co2'->>'above_min')::float8), 0) AS co2_above_min,
             coalesce(sum((d->>'energy_kwh')::float8), 0) AS energy_kwh,
             coalesce(sum((d->>'scans')::bigint), 0) AS scans
        FROM device GROUP BY school_id ORDER BY school_id LIMIT 10000
      """, [.text(day)])
    let lessons = try lessonTotals(connection, day: day)
    return rows.map { row in
      SchoolUsage(
        schoolID: row["school_id"] ?? "", displays: Int(row.int("displays") ?? 0),
        displaysUsed: Int(row.int("displays_used") ?? 0), displayOnMinutes: row.double("on_min") ?? 0,
        displayActiveMinutes: row.double("active_min") ?? 0, co2Sensors: Int(row.int("co2_sensors") ?? 0),
        co2SensorsOver: Int(row.int("co2_over") ?? 0), co2AboveMinutes: row.double("co2_above_min") ?? 0,
        energyKWh: row.double("energy_kwh") ?? 0, scans: Int(row.int("scans") ?? 0),
        lessons: lessons[row["school_id"] ?? ""])
    }
  }

  /// Every part of a lesson summary carries the whole day's totals: part 1's are read.
  static func lessonTotals(_ connection: PostgresConnection, day: String) throws -> [String: LessonTotals] {
    let rows = try connection.query(
      """
      SELECT school_id, (body->'totals'->>'scheduled_lessons')::bigint AS scheduled,
             (body->'totals'->>'used_lessons')::bigint AS used,
             (body->'totals'->>'co2_over_lessons')::bigint AS co2_over,
             (body->'totals'->>'rooms_outside_timetable')::bigint AS outside
        FROM summary WHERE kind = 'lessons' AND date = $1::date AND part = 1 LIMIT 10000
      """, [.text(day)])
    var totals: [String: LessonTotals] = [:]
    for row in rows {
      totals[row["school_id"] ?? ""] = LessonTotals(
        scheduled: Int(row.int("scheduled") ?? 0), used: Int(row.int("used") ?? 0),
        co2Over: Int(row.int("co2_over") ?? 0), roomsOutsideTimetable: Int(row.int("outside") ?? 0))
    }
    return totals
  }
}
