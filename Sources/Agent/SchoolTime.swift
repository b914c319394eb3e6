import DeviceModel
import Rollup

/// How every CLI command prints an instant: the school's local time with its offset, to the
/// second (`2026-12-02T03:17:02+07:00`), as `stats` and journalctl show it, so that a technician
/// never converts from UTC.
public struct SchoolTime: Sendable {
  public let calendar: SchoolCalendar

  public init(calendar: SchoolCalendar) { self.calendar = calendar }

  /// UTC (`+00:00`) when the school's zone cannot be read: the time is still right, and says so.
  public static let utc = SchoolTime(
    calendar: SchoolCalendar(zone: .utc, zoneName: "Etc/UTC", windowMinutes: 5))

  public static func of(_ config: AgentConfig) -> SchoolTime {
    (try? UplinkSetup.calendar(config)).map(SchoolTime.init) ?? .utc
  }

  /// From `time_zone` in the config file (or CLASSGATE_TIME_ZONE), for the read-only commands.
  public static func of(configFile: String) -> SchoolTime {
    guard let peek = try? ConfigPeek(configFile: configFile), let zone = try? peek.timeZone,
      let calendar = try? UplinkSetup.calendar(timeZone: zone, windowMinutes: 5, file: configFile)
    else { return .utc }
    return SchoolTime(calendar: calendar)
  }

  public func text(_ ms: EpochMillis) -> String { calendar.localISO(ms) }
}
