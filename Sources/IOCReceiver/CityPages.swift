import Agent
import PostgresClient

/// The one way each page is read and rendered, for `classgate-ioc page` and for `[web]`. Every
/// query is read-only and bounded.
public enum CityPages {
  /// The overview; `day` nil: the newest day with a daily summary.
  public static func city(
    _ connection: PostgresConnection, day: String?, nowMs: Int64, time: SchoolTime, links: PageLinks
  ) throws -> String {
    let schools = try CityView.schools(connection)
    let shown = try day ?? CityView.newestDay(connection)
    let usage = try shown.map { try CityView.usage(connection, day: $0) } ?? []
    return CityPage.render(schools: schools, usage: usage, day: shown, nowMs: nowMs, time: time, links: links)
  }

  /// One school's drill-down, or nil when the database has no such school.
  public static func school(
    _ connection: PostgresConnection, id: String, day: String?, nowMs: Int64, time: SchoolTime,
    links: PageLinks
  ) throws -> String? {
    guard let school = try CityView.schools(connection).first(where: { $0.schoolID == id }) else {
      return nil
    }
    let shown = try day ?? CityView.newestDay(connection)
    let detail = SchoolDetail(
      school: school, day: shown,
      usage: try shown.flatMap { try CityView.usage(connection, day: $0).first { $0.schoolID == id } },
      lessons: try shown.map { try CityView.lessons(connection, school: id, day: $0) } ?? [],
      events: try CityView.events(connection, school: id),
      windows: try CityView.windows(connection, school: id))
    return SchoolPage.render(detail, nowMs: nowMs, time: time, links: links)
  }

  /// `YYYY-MM-DD` with a plausible month and day.
  public static func isDay(_ text: String) -> Bool {
    guard TextShape.date(Substring(text).utf8) else { return false }
    let parts = text.split(separator: "-").compactMap { Int($0) }
    return parts.count == 3 && (1...12).contains(parts[1]) && (1...31).contains(parts[2])
  }
}
