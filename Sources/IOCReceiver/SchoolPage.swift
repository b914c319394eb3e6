/// One school's drill-down: its presence and, per window, devices down and the highest CO2.
public enum SchoolPage {
  public static func render(school: SchoolStatus, windows: [WindowPoint], generatedAt: String) -> String {
    let id = CityPage.escape(school.schoolID)
    let status = school.online.map { $0 ? "online" : "offline" } ?? "unknown"
    var html = """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8"><title>\(id) – ClassGate</title>
      <style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}dt{font-weight:600}</style>
      </head><body>
      <h1>\(id)</h1>
      <dl><dt>Status</dt><dd>\(status)</dd>
      <dt>Version</dt><dd>\(CityPage.escape(school.version ?? "–"))</dd>
      <dt>Backlog</dt><dd>\(school.backlog.map(String.init) ?? "–")</dd>
      <dt>Devices down</dt><dd>\(school.devicesDown.map(String.init) ?? "–")</dd>
      <dt>Clock skew (ms)</dt><dd>\(school.clockSkewMs.map(String.init) ?? "–")</dd>
      <dt>Messages, duplicates, rejected</dt><dd>\(school.messages), \(school.duplicates), \(school.rejected)</dd></dl>
      <p>Generated \(CityPage.escape(generatedAt)). The newest \(windows.count) windows, oldest on the left.</p>

      """
    html += "<h2>Highest CO2 per window (ppm; dashed: 1000)</h2>\n" + co2Chart(windows)
    html += "<h2>Devices down per window</h2>\n" + downChart(windows)
    return html + "</body></html>\n"
  }

  static let width = 600.0
  static let height = 160.0

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
