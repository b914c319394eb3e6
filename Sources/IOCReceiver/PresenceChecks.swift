/// schemas/presence.v1.schema.json: `online: false` needs nothing else; `online: true` needs all.
enum PresenceChecks {
  static let topLevel: Set<String> = [
    "schema", "schema_version", "school_id", "online", "time_ms", "version", "backlog", "oldest_pending_ms",
    "last_acked_seq", "disk_free_bytes", "devices", "clock",
  ]
  static let clockKeys: Set<String> = [
    "trusted", "ntp_synchronised", "reason", "last_jump_ms", "last_jump_age_s",
  ]

  static func presence(_ fields: FieldReader) throws(InvalidMessage) -> PresenceMessage {
    try fields.onlyKeys(topLevel)
    let school = try fields.string("school_id", "a school id", TextShape.schoolID)
    let online = try fields.bool("online")
    guard online else { return PresenceMessage(schoolID: school, online: false, health: nil) }
    let time = try fields.integer("time_ms", minimum: 0)
    try UplinkValidator.notSeconds("time_ms", time)
    let version = try fields.string(
      "version", "1–64 characters", TextShape.anyText(minLength: 1, maxLength: 64))
    let backlog = try fields.integer("backlog", minimum: 0)
    let oldest = try fields.nullableInteger("oldest_pending_ms", minimum: 0)
    let acked = try fields.nullableInteger("last_acked_seq", minimum: 1)
    let disk = try fields.nullableInteger("disk_free_bytes", minimum: 0)
    let counts = try fields.object("devices")
    let devices = DeviceCounts(
      online: try counts.integer("online", minimum: 0), offline: try counts.integer("offline", minimum: 0),
      stale: try counts.integer("stale", minimum: 0), unknown: try counts.integer("unknown", minimum: 0))
    if fields.has("clock") { try clock(try fields.object("clock")) }
    guard (backlog == 0) == (oldest == nil) else {
      throw InvalidMessage(
        "backlog \(backlog) with oldest_pending_ms \(oldest.map(String.init) ?? "null"): null exactly when the backlog is 0"
      )
    }
    if let oldest, oldest > time { throw InvalidMessage("oldest_pending_ms is after time_ms") }
    return PresenceMessage(
      schoolID: school, online: online,
      health: .init(
        timeMs: Int64(time), version: version, backlog: backlog, oldestPendingMs: oldest.map(Int64.init),
        lastAckedSeq: acked.map(Int64.init), diskFreeBytes: disk.map(Int64.init), devices: devices))
  }

  /// Optional (agents before it omit it): whether the agent trusts its own clock.
  static func clock(_ clock: FieldReader) throws(InvalidMessage) {
    try clock.onlyKeys(clockKeys)
    _ = try clock.bool("trusted")
    switch try clock.value("ntp_synchronised") {
    case .bool, .null: break
    case let other:
      throw InvalidMessage(
        "\(clock.name("ntp_synchronised")): expected true, false or null, found \(FieldReader.describe(other))"
      )
    }
    _ = try clock.nullableString(
      "reason", "1–512 characters", TextShape.anyText(minLength: 1, maxLength: 512))
    _ = try clock.optionalInteger("last_jump_ms")
    _ = try clock.optionalInteger("last_jump_age_s", minimum: 0)
  }
}
