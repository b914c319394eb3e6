import Agent
import EventLoop
import Rollup

extension SchoolTime {
  /// The IOC's own zone, for the city view's times: `receiver.time_zone` when set, else `TZ`
  /// (a zone name), else `/etc/localtime`, else UTC (which the offset then says).
  public static func ioc(timeZone: String?, environment: [String: String], file: String) throws(ConfigError)
    -> SchoolTime
  {
    if let timeZone {
      return SchoolTime(calendar: try UplinkSetup.calendar(timeZone: timeZone, windowMinutes: 5, file: file))
    }
    if var name = environment["TZ"], !name.isEmpty {
      if name.hasPrefix(":") { name.removeFirst() }
      if let calendar = try? UplinkSetup.calendar(timeZone: name, windowMinutes: 5, file: file) {
        return SchoolTime(calendar: calendar)
      }
    }
    if case .success(let bytes) = readBinaryFile("/etc/localtime"), let zone = try? ZoneRules(tzif: bytes) {
      return SchoolTime(calendar: SchoolCalendar(zone: zone, zoneName: "localtime", windowMinutes: 5))
    }
    return .utc
  }
}
