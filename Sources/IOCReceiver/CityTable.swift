import Agent

/// The cells of the city view's two tables, shared by `classgate-ioc schools`/`usage` and the
/// pages, so that the terminal and the browser always say the same thing.
public enum CityTable {
  /// An online school's presence comes every 60 s; three missed ones mean something is wrong.
  public static let silentAfterMs: Int64 = 180_000

  public static let schoolHeader = [
    "SCHOOL", "STATUS", "NEWEST DATA", "BACKLOG", "DEVICES DOWN", "CLOCK SKEW", "REJECTED",
  ]

  public static func schoolRow(_ school: SchoolStatus, nowMs: Int64, time: SchoolTime) -> [String] {
    [
      school.schoolID, statusText(school, nowMs: nowMs, time: time),
      school.newestDataMs.map { "\(Format.duration(nowMs - $0)) ago" } ?? "-",
      school.backlog.map(String.init) ?? "-",
      school.devices.map { "\($0.offline + $0.stale) of \($0.online + $0.offline + $0.stale + $0.unknown)" }
        ?? "-",
      school.clockSkewMs.map(Format.skew) ?? "-", "\(school.rejected)",
    ]
  }

  /// `online`, `offline since …`, `silent for 5 min` or `no presence`.
  public static func statusText(_ school: SchoolStatus, nowMs: Int64, time: SchoolTime) -> String {
    switch status(school, nowMs: nowMs) {
    case .unknown: "no presence"
    case .offline: "offline since " + (school.sinceMs.map(time.text) ?? "?")
    case .silent: "silent for \(Format.duration(nowMs - (school.presenceReceivedMs ?? nowMs)))"
    case .online: "online"
    }
  }

  public enum Status: String, Sendable { case online, silent, offline, unknown }

  public static func status(_ school: SchoolStatus, nowMs: Int64) -> Status {
    switch school.online {
    case nil: .unknown
    case false: .offline
    case true:
      school.presenceReceivedMs.map { nowMs - $0 > silentAfterMs } == true ? .silent : .online
    }
  }

  public static let usageHeader = [
    "SCHOOL", "LESSONS USED", "CO2 LESSONS", "DISPLAYS USED", "ACTIVE H", "CO2 OVER", "ENERGY KWH", "SCANS",
  ]

  public static func usageRow(_ school: SchoolUsage) -> [String] {
    [
      school.schoolID,
      school.lessons.map { lessons in
        "\(lessons.used) of \(lessons.scheduled)"
          + (lessons.shareUsed.map { " (\(Format.decimal($0 * 100, places: 0)) %)" } ?? "")
      } ?? "-",
      school.lessons.map { "\($0.co2Over)" } ?? "-",
      "\(school.displaysUsed) of \(school.displays)"
        + (school.displayShareUsed.map { " (\(Format.decimal($0 * 100, places: 0)) %)" } ?? ""),
      Format.decimal(school.displayActiveMinutes / 60),
      "\(school.co2SensorsOver) of \(school.co2Sensors)",
      Format.decimal(school.energyKWh, places: 3),
      "\(school.scans)",
    ]
  }
}
