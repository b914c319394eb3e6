import PostgresClient

/// One window of a school, as its drill-down page charts it.
public struct WindowPoint: Sendable, Equatable {
  public var startMs: Int64
  public var devicesOnline: Int
  /// Offline or stale at the window's end.
  public var devicesDown: Int
  /// The highest CO2 reading of any sensor in the window, ppm; nil without CO2 sensors.
  public var co2Max: Double?
}

extension CityView {
  /// The school's newest `limit` windows, oldest first (every part of each: the fleet is the
  /// whole school's in each part, the devices are split).
  public static func windows(_ connection: PostgresConnection, school: String, limit: Int = 288) throws
    -> [WindowPoint]
  {
    let rows = try connection.query(
      """
      SELECT period_start_ms,
             max((body->'fleet'->>'online')::int) AS online,
             max((body->'fleet'->>'offline')::int + (body->'fleet'->>'stale')::int) AS down,
             max(co2.value) AS co2_max
        FROM summary s
        LEFT JOIN LATERAL (
          SELECT max((d->'metrics'->'co2'->>'max')::float8) AS value
            FROM jsonb_array_elements(s.body->'devices') d) co2 ON true
       WHERE school_id = $1 AND kind = 'window'
       GROUP BY period_start_ms ORDER BY period_start_ms DESC LIMIT $2
      """, [.text(school), .int(limit)])
    return rows.reversed().map { row in
      WindowPoint(
        startMs: row.int("period_start_ms") ?? 0, devicesOnline: Int(row.int("online") ?? 0),
        devicesDown: Int(row.int("down") ?? 0), co2Max: row.double("co2_max"))
    }
  }
}

/// One lesson of a school's day, from its lesson summary.
public struct LessonRow: Sendable, Equatable {
  public var room: String
  /// School-local, `2026-11-28T07:00:00+07:00`.
  public var start: String
  public var minutes: Int
  public var className: String?
  public var scheduled: Bool
  public var usedBoard: Bool
  public var usedProjector: Bool
  public var co2Max: Double?
  public var scans: Int?
}

/// One event of a school, as the drill-down lists it.
public struct EventRow: Sendable, Equatable {
  public var timeMs: Int64
  public var type: String
  public var device: String
  public var room: String?
  /// The event's other fields, `key=value` (e.g. `cause=reported status=offline`).
  public var detail: String
}

extension CityView {
  /// The newest local date with a daily summary, the city page's default day.
  public static func newestDay(_ connection: PostgresConnection) throws -> String? {
    // Per school through the primary key (school_id, kind, period_start_ms): never a scan of
    // every summary, windows included.
    try connection.query(
      """
      SELECT max(newest.date)::text AS day
        FROM (SELECT school_id FROM school LIMIT 10000) s
        CROSS JOIN LATERAL (
          SELECT date FROM summary
           WHERE school_id = s.school_id AND kind = 'day' ORDER BY period_start_ms DESC LIMIT 1) newest
      """
    ).first?["day"]
  }

  /// The lessons of `school` on local date `day`, in time order, at most `limit`.
  public static func lessons(_ connection: PostgresConnection, school: String, day: String, limit: Int = 500)
    throws -> [LessonRow]
  {
    let rows = try connection.query(
      """
      SELECT l->>'room' AS room, l->>'start' AS start, (l->>'minutes')::int AS minutes, l->>'class' AS class,
             (l->>'scheduled')::boolean AS scheduled, (l->>'used_board')::boolean AS board,
             (l->>'used_projector')::boolean AS projector, (l->'co2'->>'max')::float8 AS co2_max,
             (l->>'scans')::int AS scans
        FROM summary s CROSS JOIN LATERAL jsonb_array_elements(s.body->'lessons') l
       WHERE s.school_id = $1 AND s.kind = 'lessons' AND s.date = $2::date
       ORDER BY (l->>'start_ms')::bigint, l->>'room' LIMIT $3
      """, [.text(school), .text(day), .int(limit)])
    return rows.map { row in
      LessonRow(
        room: row["room"] ?? "", start: row["start"] ?? "", minutes: Int(row.int("minutes") ?? 0),
        className: row["class"], scheduled: row.bool("scheduled") ?? false,
        usedBoard: row.bool("board") ?? false,
        usedProjector: row.bool("projector") ?? false, co2Max: row.double("co2_max"),
        scans: row.int("scans").map(Int.init))
    }
  }

  /// The newest `limit` events of `school`, newest first.
  public static func events(_ connection: PostgresConnection, school: String, limit: Int = 50) throws
    -> [EventRow]
  {
    let rows = try connection.query(
      """
      SELECT time_ms, type, device, body->'event'->>'room' AS room,
             (SELECT string_agg(key || '=' || value, ' ' ORDER BY key)
                FROM jsonb_each_text((body->'event') - 'type' - 'device' - 'kind' - 'room' - 'time_ms')) AS detail
        FROM event WHERE school_id = $1 ORDER BY time_ms DESC, seq DESC LIMIT $2
      """, [.text(school), .int(limit)])
    return rows.map { row in
      EventRow(
        timeMs: row.int("time_ms") ?? 0, type: row["type"] ?? "", device: row["device"] ?? "",
        room: row["room"],
        detail: row["detail"] ?? "")
    }
  }
}
