/// What a rollup says about one device over a period: the numbers the IOC and `classgate stats` get.
/// Durations are milliseconds (exact, summable); the uplink turns them into minutes.
public struct DeviceUsage: Sendable, Equatable {
  public var id: String
  public var kind: DeviceKind
  public var room: String?
  /// Time the device was known to be online in the period.
  public var onlineMs: Int64 = 0
  /// Boards, projectors, plugs: time powered on, time in active use, sessions started in the period.
  public var onMs: Int64 = 0
  public var activeMs: Int64 = 0
  public var sessions: Int = 0
  /// Energy used in the period (from the `energy` counter, else integrated `power`), if measured.
  public var energyKWh: Double?
  /// Projectors: the lamp-hours counter at the end of the period, if reported.
  public var lampHours: Double?
  /// Environment sensors (and any other numeric metric): per metric statistics.
  public var metrics: [String: MetricStats] = [:]
  /// Attendance readers: card scans and distinct (pseudonymised) cards in the period.
  public var scans: Int = 0
  public var distinctCards: Int = 0
  /// Changes to offline or stale in the period.
  public var offlineIncidents: Int = 0

  public init(id: String, kind: DeviceKind, room: String?) {
    self.id = id
    self.kind = kind
    self.room = room
  }
}

public struct MetricStats: Sendable, Equatable {
  public var count: Int
  public var min: Double
  public var max: Double
  public var sum: Double
  /// Time the value was above the configured threshold (nil when the metric has none).
  public var aboveMs: Int64?
  /// Time a value held in the period (each sample until the next, at most `max_hold`, not while
  /// the device is offline) and the sum of value × milliseconds over it: the time-weighted mean.
  /// 0 for rows stored before schema 5.
  public var heldMs: Int64
  public var heldSum: Double
  /// The plain mean of the samples.
  public var mean: Double { count == 0 ? 0 : sum / Double(count) }
  /// Each value weighted by the time it held (docs/rollups.md); nil when nothing held.
  public var timeWeightedMean: Double? { heldMs == 0 ? nil : heldSum / Double(heldMs) }

  public init(
    count: Int, min: Double, max: Double, sum: Double, aboveMs: Int64? = nil, heldMs: Int64 = 0,
    heldSum: Double = 0
  ) {
    self.count = count
    self.min = min
    self.max = max
    self.sum = sum
    self.aboveMs = aboveMs
    self.heldMs = heldMs
    self.heldSum = heldSum
  }
}

/// The school's fleet over a period.
public struct FleetUsage: Sendable, Equatable {
  /// Status counts at the period's end.
  public var online = 0
  public var offline = 0
  public var stale = 0
  public var unknown = 0
  public var offlineIncidents = 0
  /// Sum over devices of time online, and of time observed (since first seen, within the period).
  public var onlineMs: Int64 = 0
  public var observedMs: Int64 = 0
  public var uptimePercent: Double {
    observedMs == 0 ? 0 : (Double(onlineMs) * 100 / Double(observedMs))
  }
  public init() {}
}
