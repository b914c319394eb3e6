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
