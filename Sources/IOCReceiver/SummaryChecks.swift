import JSON
import Rollup

/// schemas/window-summary.v1.schema.json and daily-summary.v1.schema.json, plus what a schema
/// cannot say: period length, min ≤ mean ≤ max, distinct cards ≤ scans, unique device ids.
enum SummaryChecks {
  static let kinds = ["board", "projector", "env_sensor", "attendance_reader", "plug", "other"]
  static let topLevel: Set<String> = [
    "schema", "schema_version", "school_id", "stream", "seq", "created_ms", "period", "revision", "part",
    "parts", "devices", "fleet",
  ]
  /// The mean is rounded to 3 decimals, so it may sit up to half a thousandth outside min…max.
  static let meanTolerance = 0.0005

  static func summary(_ fields: FieldReader, kind: SummaryKind, zones: ZoneLookup) throws(InvalidMessage)
    -> SummaryMessage
  {
    try fields.onlyKeys(topLevel)
    let envelope = try UplinkValidator.envelope(fields)
    let (start, end, minutes, date, _) = try period(fields, kind: kind, zones: zones)
    let (revision, part, parts) = try revisionAndParts(fields)
    let devices = try fields.array("devices")
    var ids = Set<String>()
    for (index, device) in devices.enumerated() {
      let path = "devices[\(index)]"
      guard let object = device.objectValue else { throw InvalidMessage("\(path): expected an object") }
      let id = try self.device(FieldReader(object, path: path), minutes: Double(minutes))
      guard ids.insert(id).inserted else { throw InvalidMessage("\(path): device id \(id) appears twice") }
    }
    let fleet = try fields.object("fleet")
    var counted = 0
    for status in ["online", "offline", "stale", "unknown"] {
      counted += try fleet.integer(status, minimum: 0)
    }
    _ = try fleet.integer("offline_incidents", minimum: 0)
    _ = try fleet.number("uptime_pct", minimum: 0, maximum: 100)
    // A message in parts holds some of the devices; the fleet is the whole school's.
    if kind == .window, parts == nil, counted != devices.count {
      throw InvalidMessage("fleet counts \(counted) devices by status, but devices[] has \(devices.count)")
    }
    return SummaryMessage(
      envelope: envelope, kind: kind, periodStartMs: Int64(start), periodEndMs: Int64(end), date: date,
      revision: revision, part: part ?? 1, parts: parts ?? 1)
  }

  /// `period`: a window (1–1440 minutes) or a local day (22–26 hours, with its `date`), in a zone
  /// the IOC knows, its local times agreeing with its instants (`LocalTimeChecks`).
  static func period(_ fields: FieldReader, kind: SummaryKind, zones: ZoneLookup) throws(InvalidMessage)
    -> (start: Int, end: Int, minutes: Int, date: String?, zone: ZoneRules)
  {
    let period = try fields.object("period")
    let start = try period.integer("start_ms", minimum: 0)
    let end = try period.integer("end_ms", minimum: 0)
    let localStart = try period.string("start", "an RFC 3339 local time", TextShape.localTime)
    let localEnd = try period.string("end", "an RFC 3339 local time", TextShape.localTime)
    let zoneName = try period.string("time_zone", "an IANA time zone name", TextShape.timeZone)
    let minutes =
      kind == .window
      ? try period.integer("minutes", minimum: 1, maximum: 1440)
      : try period.integer("minutes", minimum: 1320, maximum: 1560)
    let date = kind == .window ? nil : try period.string("date", "a date YYYY-MM-DD", TextShape.date)
    try UplinkValidator.notSeconds("period.start_ms", start)
    guard end > start else { throw InvalidMessage("period.end_ms is not after period.start_ms") }
    guard end - start == minutes * 60_000 else {
      throw InvalidMessage(
        "period.minutes is \(minutes) but end_ms − start_ms is \(Double(end - start) / 60_000) minutes")
    }
    let zone = try LocalTimeChecks.zone(zoneName, zones)
    try LocalTimeChecks.instant(localStart, is: Int64(start), in: zone, path: "period.start")
    try LocalTimeChecks.instant(localEnd, is: Int64(end), in: zone, path: "period.end")
    if let date {
      try LocalTimeChecks.coversDay(date, startMs: Int64(start), endMs: Int64(end), in: zone)
    } else {
      try LocalTimeChecks.windowAligned(startMs: Int64(start), minutes: minutes, in: zone)
    }
    return (start, end, minutes, date, zone)
  }

  /// `revision`, and `part`/`parts`, which come together.
  static func revisionAndParts(_ fields: FieldReader) throws(InvalidMessage)
    -> (revision: Int, part: Int?, parts: Int?)
  {
    let revision = try fields.integer("revision", minimum: 0)
    let part = try fields.optionalInteger("part", minimum: 1)
    let parts = try fields.optionalInteger("parts", minimum: 2)
    guard (part == nil) == (parts == nil) else { throw InvalidMessage("part and parts come together") }
    if let part, let parts, part > parts { throw InvalidMessage("part \(part) of \(parts)") }
    return (revision, part, parts)
  }

  /// One `devices[]` entry; returns its id.
  static func device(_ fields: FieldReader, minutes: Double) throws(InvalidMessage) -> String {
    let id = try fields.string("id", "a device id", TextShape.identifier)
    let kind = try fields.choice("kind", among: kinds)
    _ = try fields.nullableString("room", "a room id", TextShape.identifier)
    try self.minutes(fields, "online_min", within: minutes)
    _ = try fields.integer("offline_incidents", minimum: 0)
    _ = try fields.optionalNumber("energy_kwh", minimum: 0)
    if ["board", "projector", "plug"].contains(kind) {
      try self.minutes(fields, "on_min", within: minutes)
      try self.minutes(fields, "active_min", within: minutes)
      _ = try fields.integer("sessions", minimum: 0)
    }
    if kind == "projector" { _ = try fields.optionalNumber("lamp_hours", minimum: 0) }
    if kind == "attendance_reader" {
      let scans = try fields.integer("scans", minimum: 0)
      let distinct = try fields.integer("distinct_cards", minimum: 0)
      guard distinct <= scans else {
        throw InvalidMessage("\(fields.path): distinct_cards \(distinct) > scans \(scans)")
      }
    }
    if fields.has("metrics") { try metrics(try fields.object("metrics"), minutes: minutes) }
    return id
  }

  static func metrics(_ fields: FieldReader, minutes: Double) throws(InvalidMessage) {
    for (name, value) in fields.object {
      guard TextShape.metricName(name[...].utf8) else {
        throw InvalidMessage("\(fields.name(name)): not a metric name (a–z, 0–9, _; at most 48)")
      }
      guard let object = value.objectValue else {
        throw InvalidMessage("\(fields.name(name)): expected an object")
      }
      let stats = FieldReader(object, path: fields.name(name))
      _ = try stats.integer("count", minimum: 1)
      let low = try stats.number("min")
      let mean = try stats.number("mean")
      let high = try stats.number("max")
      guard low <= high, mean >= low - meanTolerance, mean <= high + meanTolerance else {
        throw InvalidMessage("\(stats.path): min \(low), mean \(mean), max \(high) are not in order")
      }
      guard stats.has("above_min") == stats.has("threshold") else {
        throw InvalidMessage("\(stats.path): above_min and threshold come together")
      }
      if stats.has("above_min") {
        try self.minutes(stats, "above_min", within: minutes)
        _ = try stats.number("threshold")
      }
    }
  }

  /// Minutes: ≥ 0 and no longer than the period (a thousandth of slack for rounding).
  static func minutes(_ fields: FieldReader, _ key: String, within period: Double) throws(InvalidMessage) {
    _ = try fields.number(key, minimum: 0, maximum: period + 0.001)
  }
}
