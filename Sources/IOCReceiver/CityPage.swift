/// The city overview as one self-contained, read-only HTML page: a table of schools and SVG bar
/// charts, no script. Rendered from the same rows as `classgate-ioc schools` and `usage`.
public enum CityPage {
  public static func render(schools: [SchoolStatus], usage: [SchoolUsage], day: String?, generatedAt: String)
    -> String
  {
    let online = schools.filter { $0.online == true }.count
    let offline = schools.filter { $0.online == false }.count
    var html = """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8"><title>ClassGate city view</title>
      <style>
      body{font-family:system-ui,sans-serif;margin:2em;color:#222}
      table{border-collapse:collapse}td,th{padding:.25em .75em;border-bottom:1px solid #ddd;text-align:left}
      .online{color:#1a7f37}.offline{color:#b42318}.unknown{color:#777}
      </style></head><body>
      <h1>ClassGate city view</h1>
      <p>\(schools.count) schools: \(online) online, \(offline) offline. Generated \(escape(generatedAt)).</p>
      <h2>Devices by status</h2>
      \(deviceChart(schools))
      <h2>Schools</h2>
      <table><tr><th>School</th><th>Status</th><th>Backlog</th><th>Devices down</th><th>Clock skew (ms)</th><th>Rejected</th></tr>

      """
    for school in schools {
      let status = school.online.map { $0 ? "online" : "offline" } ?? "unknown"
      // Each school's page is `classgate-ioc page --school ID`, written next to this one.
      let id = escape(school.schoolID)
      html += "<tr><td><a href=\"school-\(id).html\">\(id)</a></td><td class=\"\(status)\">\(status)</td>"
      html +=
        "<td>\(school.backlog.map(String.init) ?? "–")</td><td>\(school.devicesDown.map(String.init) ?? "–")</td>"
      html += "<td>\(school.clockSkewMs.map(String.init) ?? "–")</td><td>\(school.rejected)</td></tr>\n"
    }
    html += "</table>\n"
    if let day {
      html += "<h2>Displays used on \(escape(day))</h2>\n" + usageChart(usage)
    }
    return html + "</body></html>\n"
  }

  /// One stacked bar per school: online (green), offline or stale (red), unknown (grey).
  static func deviceChart(_ schools: [SchoolStatus]) -> String {
    let rows = schools.compactMap { school in school.devices.map { (school.schoolID, $0) } }
    let widest = max(1, rows.map { $0.1.online + $0.1.offline + $0.1.stale + $0.1.unknown }.max() ?? 1)
    let barHeight = 18
    var svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"\(rows.count * (barHeight + 6) + 4)\""
    svg += " role=\"img\" aria-label=\"devices by status per school\">\n"
    for (index, (school, devices)) in rows.enumerated() {
      let y = index * (barHeight + 6) + 2
      var x = 180.0
      svg += "<text x=\"0\" y=\"\(y + 13)\" font-size=\"12\">\(escape(school))</text>\n"
      for (count, colour) in [
        (devices.online, "#1a7f37"), (devices.offline + devices.stale, "#b42318"), (devices.unknown, "#999"),
      ] where count > 0 {
        let width = Double(count) / Double(widest) * 440
        svg +=
          "<rect x=\"\(rounded(x))\" y=\"\(y)\" width=\"\(rounded(width))\" height=\"\(barHeight)\" fill=\"\(colour)\">"
        svg += "<title>\(count)</title></rect>\n"
        x += width
      }
    }
    return svg + "</svg>\n"
  }

  /// One bar per school: the share of its boards and projectors used that day.
  static func usageChart(_ usage: [SchoolUsage]) -> String {
    let barHeight = 18
    var svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"\(usage.count * (barHeight + 6) + 4)\""
    svg += " role=\"img\" aria-label=\"share of displays used per school\">\n"
    for (index, school) in usage.enumerated() {
      let y = index * (barHeight + 6) + 2
      let share = school.displayShareUsed ?? 0
      svg += "<text x=\"0\" y=\"\(y + 13)\" font-size=\"12\">\(escape(school.schoolID))</text>\n"
      svg +=
        "<rect x=\"180\" y=\"\(y)\" width=\"\(rounded(share * 400))\" height=\"\(barHeight)\" fill=\"#2f6feb\"/>\n"
      svg += "<text x=\"\(rounded(186 + share * 400))\" y=\"\(y + 13)\" font-size=\"12\">"
      svg += "\(Int((share * 100).rounded())) % of \(school.displays)</text>\n"
    }
    return svg + "</svg>\n"
  }

  static func rounded(_ value: Double) -> String {
    let tenths = (value * 10).rounded() / 10
    return tenths == tenths.rounded() ? "\(Int(tenths))" : "\(tenths)"
  }

  /// Text into HTML: ids are validated, but a page must never trust what it shows.
  static func escape(_ text: String) -> String {
    var result = ""
    for character in text {
      switch character {
      case "&": result += "&amp;"
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      case "\"": result += "&quot;"
      case "'": result += "&#39;"
      default: result.append(character)
      }
    }
    return result
  }
}
