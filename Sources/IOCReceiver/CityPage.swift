import Agent

/// The city overview as one self-contained, read-only HTML page: the tables of `classgate-ioc
/// schools` and `usage` and SVG bar charts, no script.
public enum CityPage {
  public static func render(
    schools: [SchoolStatus], usage: [SchoolUsage], day: String?, nowMs: Int64, time: SchoolTime,
    links: PageLinks
  ) -> String {
    let online = schools.filter { $0.online == true }.count
    let offline = schools.filter { $0.online == false }.count
    var html = document(title: "ClassGate city view")
    html += """
      <h1>ClassGate city view</h1>
      <p>\(schools.count) schools: \(online) online, \(offline) offline. Generated \(escape(time.text(nowMs))).</p>
      <h2>Schools</h2>
      <table><tr>\(CityTable.schoolHeader.map { "<th>\(escape(CityTable.title($0)))</th>" }.joined())</tr>

      """
    for school in schools {
      let cells = CityTable.schoolRow(school, nowMs: nowMs, time: time).map(escape)
      let status = CityTable.status(school, nowMs: nowMs).rawValue
      html += "<tr><td><a href=\"\(escape(links.school(school.schoolID, day: day)))\">\(cells[0])</a></td>"
      html += "<td class=\"\(status)\">\(cells[1])</td>"
      html += cells.dropFirst(2).map { "<td>\($0)</td>" }.joined() + "</tr>\n"
    }
    html += "</table>\n<h2>Devices by status</h2>\n" + deviceChart(schools)
    if let day {
      html += "<h2>Use on \(escape(day))</h2>\n"
      if usage.isEmpty {
        html += "<p>No daily summaries for \(escape(day)).</p>\n"
      } else {
        html +=
          "<table><tr>\(CityTable.usageHeader.map { "<th>\(escape(CityTable.title($0)))</th>" }.joined())</tr>\n"
        for school in usage {
          html += "<tr>" + CityTable.usageRow(school).map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n"
        }
        html += "</table>\n<h3>Displays used</h3>\n" + usageChart(usage)
      }
    }
    return html + "</body></html>\n"
  }

  /// The head every page shares: UTF-8, inline style only (the CSP allows nothing else).
  static func document(title: String) -> String {
    """
    <!DOCTYPE html>
    <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
    <style>
    body{font-family:"DejaVu Sans",system-ui,sans-serif;margin:1.5em 2em;color:#222;font-size:14px}
    h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.2em;margin:1.2em 0 .4em}h3{font-size:1em}
    table{border-collapse:collapse}td,th{padding:.2em .7em;border-bottom:1px solid #ddd;text-align:left}
    th{background:#f4f4f4;font-weight:600}a{color:#0b5cad}
    .online{color:#1a7f37}.offline{color:#b42318}.silent{color:#9a6700}.unknown{color:#777}
    dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:600}dd{margin:0}
    </style></head><body>

    """
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
  public static func escape(_ text: String) -> String {
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

extension CityTable {
  /// `DEVICES DOWN` → `Devices down`, `CO2 OVER` → `CO2 over`: the CLI's headers as a page's.
  static func title(_ header: String) -> String {
    let words = header.lowercased().split(separator: " ").map { word in
      word == "co2" ? "CO2" : word == "kwh" ? "kWh" : String(word)
    }
    let text = words.joined(separator: " ")
    return text.prefix(1).uppercased() + text.dropFirst()
  }
}
