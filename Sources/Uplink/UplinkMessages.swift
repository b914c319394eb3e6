import Buffer
import DeviceModel
import EventLoop
import JSON

/// The uplink contract's message bodies (schemas/ and docs/uplink.md). Pure: values in, bytes out.
public struct UplinkMessages: Sendable {
  public static let schemaVersion = 1
  public let schoolID: String
  /// This store's outbox stream (`Outbox.stream`): seqs count within it. A reinstalled box starts
  /// a new stream at seq 1, so the IOC de-duplicates by (school_id, stream, seq).
  public let stream: String
  public let timeZone: String
  /// Local ISO-8601 time with offset ("2026-11-28T08:05:00+07:00").
  public let localTime: @Sendable (EpochMillis) -> String
  /// Local date ("2026-11-28").
  public let localDate: @Sendable (EpochMillis) -> String

  public init(
    schoolID: String, stream: String = "", timeZone: String,
    localTime: @escaping @Sendable (EpochMillis) -> String,
    localDate: @escaping @Sendable (EpochMillis) -> String
  ) {
    self.schoolID = schoolID
    self.stream = stream
    self.timeZone = timeZone
    self.localTime = localTime
    self.localDate = localDate
  }

  /// Every topic is under this prefix; the IOC's ACL gives each school only its own.
  public var topicPrefix: String { "ioc/v1/schools/\(schoolID)/" }

  public enum Topic {
    public static let windowSummary = "summaries/window"
    public static let daySummary = "summaries/day"
    public static let events = "events"
    public static let presence = "presence"
    public static let lessonSummary = "summaries/lessons"
  }

  public static func topic(for kind: UsageStore.Kind) -> String {
    kind == .window ? Topic.windowSummary : Topic.daySummary
  }

  // MARK: - Summaries

  /// `part`: (index from 1, count) when the period's devices are split over several messages.
  public func summary(
    _ kind: UsageStore.Kind, period: Period, revision: Int, devices: [DeviceUsage],
    fleet: FleetUsage, thresholds: [String: Double], seq: Int64, createdAt: EpochMillis,
    part: (index: Int, count: Int)? = nil
  ) -> [UInt8] {
    var periodObject: JSONObject = [
      "start_ms": .number(Double(period.start)), "end_ms": .number(Double(period.end)),
      "start": .string(localTime(period.start)), "end": .string(localTime(period.end)),
      "time_zone": .string(timeZone), "minutes": .number(Double(period.durationMs / 60_000)),
    ]
    if kind == .day { periodObject["date"] = .string(localDate(period.start)) }
    var body = envelope(
      schema: kind == .window ? "classgate.window_summary" : "classgate.daily_summary", seq: seq,
      createdAt: createdAt)
    body["period"] = .object(periodObject)
    body["revision"] = .number(Double(revision))
    if let part {
      body["part"] = .number(Double(part.index))
      body["parts"] = .number(Double(part.count))
    }
    body["devices"] = .array(devices.map { device(usage: $0, thresholds: thresholds) })
    body["fleet"] = Self.fleet(fleet)
    return JSONWriter.compactBytes(.object(body))
  }

  /// The devices split into parts whose messages stay under `maxBytes` (one part when they fit),
  /// in order; a part always holds at least one device.
  public func summaryParts(_ devices: [DeviceUsage], thresholds: [String: Double], maxBytes: Int)
    -> [[DeviceUsage]]
  {
    // The envelope, period and fleet take well under 2 kB.
    let budget = max(1024, maxBytes - 2048)
    var parts: [[DeviceUsage]] = [[]]
    var used = 0
    for usage in devices {
      let size = JSONWriter.compactBytes(device(usage: usage, thresholds: thresholds)).count + 1
      if used + size > budget, !(parts[parts.count - 1].isEmpty) {
        parts.append([])
        used = 0
      }
      parts[parts.count - 1].append(usage)
      used += size
    }
    return parts
  }

  /// The school's fleet as the IOC gets it (also `classgate stats --json`).
  public static func fleet(_ fleet: FleetUsage) -> JSONValue {
    .object([
      "online": .number(Double(fleet.online)), "offline": .number(Double(fleet.offline)),
      "stale": .number(Double(fleet.stale)), "unknown": .number(Double(fleet.unknown)),
      "offline_incidents": .number(Double(fleet.offlineIncidents)),
      "uptime_pct": .number(rounded(fleet.uptimePercent)),
    ])
  }

  /// One device's usage as the IOC gets it (also `classgate stats --json`).
  public func device(usage: DeviceUsage, thresholds: [String: Double]) -> JSONValue {
    var object: JSONObject = [
      "id": .string(usage.id), "kind": .string(usage.kind.rawValue),
      "room": usage.room.map(JSONValue.string) ?? .null,
      "online_min": .number(Self.minutes(usage.onlineMs)),
      "offline_incidents": .number(Double(usage.offlineIncidents)),
    ]
    if [.board, .projector, .plug].contains(usage.kind) {
      object["on_min"] = .number(Self.minutes(usage.onMs))
      object["active_min"] = .number(Self.minutes(usage.activeMs))
      object["sessions"] = .number(Double(usage.sessions))
    }
    // Decode bounds readings (ReadingBounds), so these hold for everything stored since; the
    // checks here keep a summary valid even for readings an older agent stored.
    if let energy = usage.energyKWh, energy.isFinite, energy >= 0 {
      object["energy_kwh"] = .number(Self.rounded(energy, places: 6))
    }
    if let lamp = usage.lampHours, lamp.isFinite, lamp >= 0 { object["lamp_hours"] = .number(lamp) }
    if !usage.metrics.isEmpty {
      var metrics = JSONObject()
      for (name, stats) in usage.metrics.sorted(by: { $0.key < $1.key })
      where stats.count > 0 && stats.min.isFinite && stats.max.isFinite {
        var entry: JSONObject = [
          "count": .number(Double(stats.count)), "min": .number(stats.min),
          "mean": .number(Self.mean(stats)), "max": .number(stats.max),
        ]
        if let weighted = stats.timeWeightedMean, weighted.isFinite {
          entry["time_weighted_mean"] = .number(Self.rounded(weighted, places: 3))
        }
        if let above = stats.aboveMs {
          entry["above_min"] = .number(Self.minutes(above))
          if let threshold = thresholds[name] { entry["threshold"] = .number(threshold) }
        }
        metrics[name] = .object(entry)
      }
      if !metrics.isEmpty { object["metrics"] = .object(metrics) }
    }
    if usage.kind == .attendanceReader {
      object["scans"] = .number(Double(usage.scans))
      object["distinct_cards"] = .number(Double(usage.distinctCards))
    }
    return .object(object)
  }

  // MARK: - Events

  public struct DeviceRef: Sendable, Equatable {
    public var id: String
    public var kind: DeviceKind
    public var room: String?
    public init(id: String, kind: DeviceKind, room: String?) {
      self.id = id
      self.kind = kind
      self.room = room
    }
  }

  public func statusEvent(
    device: DeviceRef, time: EpochMillis, status: DeviceStatus, cause: String, seq: Int64,
    createdAt: EpochMillis
  ) -> [UInt8] {
    var event = eventHeader(type: "device_status", device: device, time: time)
    event["status"] = .string(status.rawValue)
    event["cause"] = .string(cause)
    var body = envelope(schema: "classgate.event", seq: seq, createdAt: createdAt)
    body["event"] = .object(event)
    return JSONWriter.compactBytes(.object(body))
  }

  public func thresholdAlert(
    device: DeviceRef, time: EpochMillis, metric: String, value: Double, threshold: Double,
    above: Bool, seq: Int64, createdAt: EpochMillis
  ) -> [UInt8] {
    var event = eventHeader(type: "threshold_alert", device: device, time: time)
    event["metric"] = .string(metric)
    event["value"] = .number(value)
    event["threshold"] = .number(threshold)
    event["state"] = .string(above ? "above" : "cleared")
    var body = envelope(schema: "classgate.event", seq: seq, createdAt: createdAt)
    body["event"] = .object(event)
    return JSONWriter.compactBytes(.object(body))
  }

  private func eventHeader(type: String, device: DeviceRef, time: EpochMillis) -> JSONObject {
    [
      "type": .string(type), "device": .string(device.id), "kind": .string(device.kind.rawValue),
      "room": device.room.map(JSONValue.string) ?? .null, "time_ms": .number(Double(time)),
    ]
  }

  // MARK: - Presence (retained, not sequenced)

  public struct Health: Sendable, Equatable {
    public var time: EpochMillis
    public var version: String
    public var backlog: Int
    public var oldestPendingAt: EpochMillis?
    public var lastAckedSeq: Int64?
    public var diskFreeBytes: Int64?
    public var devices: [DeviceStatus: Int]
    /// Whether the agent trusts its wall clock (nil: not assessed, e.g. in tools).
    public var clock: ClockTrust.Assessment?
    public init(
      time: EpochMillis, version: String, backlog: Int, oldestPendingAt: EpochMillis?,
      lastAckedSeq: Int64?, diskFreeBytes: Int64?, devices: [DeviceStatus: Int],
      clock: ClockTrust.Assessment? = nil
    ) {
      self.clock = clock
      self.time = time
      self.version = version
      self.backlog = backlog
      self.oldestPendingAt = oldestPendingAt
      self.lastAckedSeq = lastAckedSeq
      self.diskFreeBytes = diskFreeBytes
      self.devices = devices
    }
  }

  public func presence(_ health: Health) -> [UInt8] {
    var body = presenceHeader(online: true)
    body["time_ms"] = .number(Double(health.time))
    body["version"] = .string(health.version)
    body["backlog"] = .number(Double(health.backlog))
    body["oldest_pending_ms"] = health.oldestPendingAt.map { .number(Double($0)) } ?? .null
    body["last_acked_seq"] = health.lastAckedSeq.map { .number(Double($0)) } ?? .null
    body["disk_free_bytes"] = health.diskFreeBytes.map { .number(Double($0)) } ?? .null
    var devices = JSONObject()
    for status in [DeviceStatus.online, .offline, .stale, .unknown] {
      devices[status.rawValue] = .number(Double(health.devices[status] ?? 0))
    }
    body["devices"] = .object(devices)
    if let clock = health.clock {
      var fields: JSONObject = [
        "trusted": .bool(clock.trusted),
        "ntp_synchronised": clock.ntpSynchronised.map { .bool($0) } ?? .null,
        "reason": clock.reason.map { .string($0) } ?? .null,
      ]
      if let jump = clock.lastJumpMs, let ago = clock.lastJumpAgoMs {
        fields["last_jump_ms"] = .number(Double(jump))
        fields["last_jump_age_s"] = .number(Double(ago / 1000))
      }
      body["clock"] = .object(fields)
    }
    return JSONWriter.compactBytes(.object(body))
  }

  /// The Last Will: what the IOC sees when the school's link or agent dies without a goodbye.
  public func offlinePresence() -> [UInt8] {
    JSONWriter.compactBytes(.object(presenceHeader(online: false)))
  }

  private func presenceHeader(online: Bool) -> JSONObject {
    [
      "schema": "classgate.presence", "schema_version": .number(Double(Self.schemaVersion)),
      "school_id": .string(schoolID), "online": .bool(online),
    ]
  }

  func envelope(schema: String, seq: Int64, createdAt: EpochMillis) -> JSONObject {
    [
      "schema": .string(schema), "schema_version": .number(Double(Self.schemaVersion)),
      "school_id": .string(schoolID), "stream": .string(stream), "seq": .number(Double(seq)),
      "created_ms": .number(Double(createdAt)),
    ]
  }

  static func minutes(_ ms: Int64) -> Double { rounded(Double(ms) / 60_000) }

  static func rounded(_ value: Double, places: Int = 3) -> Double {
    // From 2^53 on a Double has no fractional digits to drop, and scaling could overflow.
    guard value.magnitude < 9_007_199_254_740_992 else { return value }
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    return (value * scale).rounded() / scale
  }

  /// The mean to 3 decimals, always finite and within [min, max] (the contract says so; rounding
  /// a sum's quotient can otherwise land an ulp outside).
  static func mean(_ stats: MetricStats) -> Double {
    let mean = stats.mean.isFinite ? stats.mean : stats.min / 2 + stats.max / 2
    return Swift.min(Swift.max(rounded(mean, places: 3), stats.min), stats.max)
  }
}
