import Agent

/// What one school's drill-down shows, read by `CityPages.school`.
public struct SchoolDetail: Sendable {
  public var school: SchoolStatus
  public var day: String?
  public var usage: SchoolUsage?
  public var lessons: [LessonRow]
  public var events: [EventRow]
  public var windows: [WindowPoint]
}

/// One school's drill-down: its presence, devices by status, the day's use and lessons, recent
/// events and, per window, devices down and the highest CO2.
public enum SchoolPage {
  public static func render(_ detail: SchoolDetail, nowMs: Int64, time: SchoolTime, links: PageLinks)
    -> String
  {
    let school = detail.school
    let escape = CityPage.escape
    let id = escape(school.schoolID)
    let status = CityTable.status(school, nowMs: nowMs).rawValue
    var html = CityPage.document(title: "\(school.schoolID) – ClassGate")
    html += """
      <p><a href="\(escape(links.city(day: detail.day)))">City view</a></p>
      <h1>\(id)</h1>
      <dl><dt>Status</dt><dd class="\(status)">\(escape(CityTable.statusText(school, nowMs: nowMs, time: time)))</dd>
      <dt>Presence received</dt><dd>\(escape(school.presenceReceivedMs.map(time.text) ?? "–"))</dd>
      <dt>Newest data</dt><dd>\(escape(school.newestDataMs.map(time.text) ?? "–"))</dd>
      <dt>Version</dt><dd>\(escape(school.version ?? "–"))</dd>
      <dt>Backlog</dt><dd>\(school.backlog.map(String.init) ?? "–")</dd>
      <dt>Clock skew</dt><dd>\(escape(school.clockSkewMs.map(Format.skew) ?? "–"))</dd>
      <dt>Disk free</dt><dd>\(school.diskFreeBytes.map { "\($0 / 1_000_000) MB" } ?? "–")</dd>
      <dt>Messages, duplicates, rejected</dt><dd>\(school.messages), \(school.duplicates), \(school.rejected)</dd></dl>
      <p>Generated \(escape(time.text(nowMs))).</p>
      <h2>Devices by status</h2>

      """
    html += school.devices.map(statusChart) ?? "<p>No presence with device counts yet.</p>\n"
    html += usageSection(detail)
    html += "<h2>Recent events</h2>\n"
    if detail.events.isEmpty {
      html += "<p>No events.</p>\n"
    } else {
      html += "<table><tr><th>Time</th><th>Type</th><th>Device</th><th>Room</th><th>Detail</th></tr>\n"
      for event in detail.events {
        let cells = [time.text(event.timeMs), event.type, event.device, event.room ?? "–", event.detail]
        html += "<tr>" + cells.map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n"
      }
      html += "</table>\n"
    }
    html += "<h2>Windows</h2>\n<p>The newest \(detail.windows.count) windows, oldest on the left.</p>\n"
    html += "<h3>Highest CO2 per window (ppm; dashed: 1000)</h3>\n" + co2Chart(detail.windows)
    html += "<h3>Devices down per window</h3>\n" + downChart(detail.windows)
    return html + "</body></html>\n"
  }

  private static func usageSection(_ detail: SchoolDetail) -> String {
    guard let day = detail.day else { return "" }
    let escape = CityPage.escape
    var html = "<h2>Use on \(escape(day))</h2>\n"
    if let usage = detail.usage {
      let cells = CityTable.usageRow(usage)
      html += "<dl>"
      for (name, value) in zip(CityTable.usageHeader, cells).dropFirst() {
        html += "<dt>\(escape(CityTable.title(name)))</dt><dd>\(escape(value))</dd>"
      }
      html += "</dl>\n"
    } else {
      html += "<p>No daily summary for \(escape(day)).</p>\n"
    }
    guard !detail.lessons.isEmpty else { return html + "<p>No lessons for \(escape(day)).</p>\n" }
    html += "<h3>Lessons (green: board or projector used; red edge: CO2 over 1000 ppm)</h3>\n"
    html += lessonChart(detail.lessons)
    html += "<table><tr><th>Start</th><th>Room</th><th>Class</th><th>Minutes</th><th>Used</th>"
    html += "<th>Highest CO2</th><th>Scans</th></tr>\n"
    for lesson in detail.lessons {
      var used: [String] = []
      if lesson.usedBoard { used.append("board") }
      if lesson.usedProjector { used.append("projector") }
      let className: String = lesson.className ?? (lesson.scheduled ? "–" : "outside timetable")
      let co2: String = lesson.co2Max.map { Format.decimal($0, places: 0) } ?? "–"
      let scans: String = lesson.scans.map(String.init) ?? "–"
      let cells: [String] = [
        String(lesson.start.prefix(16).suffix(5)), lesson.room, className, "\(lesson.minutes)",
        used.isEmpty ? "no" : used.joined(separator: ", "), co2, scans,
      ]
      html += "<tr>" + cells.map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n"
    }
    return html + "</table>\n"
  }

  static let width = 600.0
  static let height = 160.0

  /// One bar: online, offline, stale and unknown devices, with their counts.
  static func statusChart(_ devices: DeviceCounts) -> String {
    let parts = [
      ("online", devices.online, "#1a7f37"), ("offline", devices.offline, "#b42318"),
      ("stale", devices.stale, "#9a6700"), ("unknown", devices.unknown, "#999"),
    ]
    let total = max(1, parts.map(\.1).reduce(0, +))
    var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"48\""
    svg += " role=\"img\" aria-label=\"devices by status\">\n"
    var x = 0.0
    for (name, count, colour) in parts where count > 0 {
      let barWidth = Double(count) / Double(total) * width
      svg +=
        "<rect x=\"\(CityPage.rounded(x))\" y=\"0\" width=\"\(CityPage.rounded(barWidth))\" height=\"22\""
      svg += " fill=\"\(colour)\"><title>\(name): \(count)</title></rect>\n"
      x += barWidth
    }
    var legendX = 0
    for (name, count, colour) in parts {
      svg += "<rect x=\"\(legendX)\" y=\"32\" width=\"10\" height=\"10\" fill=\"\(colour)\"/>"
      svg += "<text x=\"\(legendX + 14)\" y=\"42\" font-size=\"12\">\(name) \(count)</text>\n"
      legendX += 110
    }
    return svg + "</svg>\n"
  }

  /// Each room a row, each lesson a block at its school-local start time between 06:00 and 18:00.
  static func lessonChart(_ lessons: [LessonRow]) -> String {
    var rooms: [String] = []
    for lesson in lessons where !rooms.contains(lesson.room) { rooms.append(lesson.room) }
    rooms.sort()
    let left = 60.0
    let span = width - left
    let rowHeight = 20
    let chartHeight = rooms.count * rowHeight + 20
    var svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width) + 20)\" height=\"\(chartHeight)\""
    svg += " role=\"img\" aria-label=\"lessons per room\">\n"
    for hour in stride(from: 6, through: 18, by: 2) {
      let x = left + Double(hour - 6) / 12 * span
      svg += "<line x1=\"\(CityPage.rounded(x))\" x2=\"\(CityPage.rounded(x))\" y1=\"0\""
      svg += " y2=\"\(chartHeight - 14)\" stroke=\"#ddd\"/>"
      svg +=
        "<text x=\"\(CityPage.rounded(x))\" y=\"\(chartHeight - 2)\" font-size=\"11\" text-anchor=\"middle\">"
        + "\(hour):00</text>\n"
    }
    for (row, room) in rooms.enumerated() {
      svg += "<text x=\"0\" y=\"\(row * rowHeight + 14)\" font-size=\"12\">\(CityPage.escape(room))</text>\n"
    }
    for lesson in lessons {
      guard let minute = minuteOfDay(lesson.start), let row = rooms.firstIndex(of: lesson.room) else {
        continue
      }
      let x = left + max(0, Double(minute - 360)) / 720 * span
      let blockWidth = max(2, Double(lesson.minutes) / 720 * span)
      let used = lesson.usedBoard || lesson.usedProjector
      svg +=
        "<rect x=\"\(CityPage.rounded(x))\" y=\"\(row * rowHeight + 2)\" width=\"\(CityPage.rounded(blockWidth))\""
      svg +=
        " height=\"\(rowHeight - 6)\" fill=\"\(used ? "#1a7f37" : lesson.scheduled ? "#c8c8c8" : "#7aa7e0")\""
      if (lesson.co2Max ?? 0) > 1000 { svg += " stroke=\"#b42318\" stroke-width=\"2\"" }
      svg += "><title>\(CityPage.escape(lesson.className ?? lesson.room))</title></rect>\n"
    }
    return svg + "</svg>\n"
  }

  /// `2026-11-28T07:05:00+07:00` → 425.
  static func minuteOfDay(_ localTime: String) -> Int? {
    let characters = Array(localTime)
    guard characters.count >= 16, let hour = Int(String(characters[11...12])),
      let minute = Int(String(characters[14...15]))
    else { return nil }
    return hour * 60 + minute
  }

  /// A polyline of the highest CO2, with the usual 1000 ppm threshold dashed.
  static func co2Chart(_ windows: [WindowPoint]) -> String {
    let top = max(1500, windows.compactMap(\.co2Max).max() ?? 0)
    let step = width / Double(max(1, windows.count - 1))
    let points = windows.enumerated().compactMap { index, window in
      window.co2Max.map { "\(CityPage.rounded(Double(index) * step)),\(CityPage.rounded(y($0, top: top)))" }
    }
    var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\""
    svg += " role=\"img\" aria-label=\"highest CO2 per window\">\n"
    svg += "<line x1=\"0\" x2=\"\(Int(width))\" y1=\"\(CityPage.rounded(y(1000, top: top)))\""
    svg += " y2=\"\(CityPage.rounded(y(1000, top: top)))\" stroke=\"#b42318\" stroke-dasharray=\"4 4\"/>\n"
    svg +=
      "<text x=\"4\" y=\"\(CityPage.rounded(y(1000, top: top) - 4))\" font-size=\"11\" fill=\"#b42318\">1000</text>\n"
    svg +=
      "<polyline fill=\"none\" stroke=\"#2f6feb\" stroke-width=\"1.5\" points=\"\(points.joined(separator: " "))\"/>\n"
    return svg + "</svg>\n"
  }

  /// One bar per window: devices offline or stale at its end.
  static func downChart(_ windows: [WindowPoint]) -> String {
    let top = Double(max(1, windows.map { $0.devicesDown + $0.devicesOnline }.max() ?? 1))
    let barWidth = width / Double(max(1, windows.count))
    var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\""
    svg += " role=\"img\" aria-label=\"devices down per window\">\n"
    for (index, window) in windows.enumerated() where window.devicesDown > 0 {
      let barHeight = Double(window.devicesDown) / top * height
      svg +=
        "<rect x=\"\(CityPage.rounded(Double(index) * barWidth))\" y=\"\(CityPage.rounded(height - barHeight))\""
      svg += " width=\"\(CityPage.rounded(max(1, barWidth - 1)))\" height=\"\(CityPage.rounded(barHeight))\""
      svg += " fill=\"#b42318\"><title>\(window.devicesDown)</title></rect>\n"
    }
    return svg + "</svg>\n"
  }

  static func y(_ value: Double, top: Double) -> Double { height - min(value, top) / top * (height - 4) }
}
