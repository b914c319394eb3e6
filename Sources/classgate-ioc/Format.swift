import DeviceModel
import IOCReceiver

/// Text for the city view: instants in UTC, ages and skews in the largest sensible unit.
enum Format {
  /// `2026-12-02 00:32 UTC`
  static func instant(_ ms: Int64) -> String {
    let days = Int((ms >= 0 ? ms : ms - 86_399_999) / 86_400_000)
    let (year, month, day) = EpochTime.civil(fromDays: days)
    let minuteOfDay = Int((ms - Int64(days) * 86_400_000) / 60_000)
    return "\(year)-\(two(month))-\(two(day)) \(two(minuteOfDay / 60)):\(two(minuteOfDay % 60)) UTC"
  }

  /// `42 s`, `5 min`, `3 h`, `2 d`.
  static func duration(_ ms: Int64) -> String {
    let seconds = max(0, ms) / 1000
    if seconds < 120 { return "\(seconds) s" }
    if seconds < 7200 { return "\(seconds / 60) min" }
    if seconds < 172_800 { return "\(seconds / 3600) h" }
    return "\(seconds / 86400) d"
  }

  /// `+0.3 s`, `-12 s`, `+2 h`: a signed skew, decimals only when small.
  static func skew(_ ms: Int64) -> String {
    let sign = ms < 0 ? "-" : "+"
    let magnitude = ms.magnitude
    if magnitude < 10_000 {
      return "\(sign)\(magnitude / 1000).\(magnitude % 1000 / 100) s"
    }
    return sign + duration(Int64(magnitude))
  }

  static func decimal(_ value: Double, places: Int = 1) -> String {
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var text = "\(rounded)"
    if places == 0, text.hasSuffix(".0") { text.removeLast(2) }
    return text
  }

  private static func two(_ number: Int) -> String { number < 10 ? "0\(number)" : "\(number)" }

  /// Left-aligned columns, two spaces apart.
  static func table(_ header: [String], _ rows: [[String]]) -> String {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    return all.map { row in
      row.enumerated().map { column, cell in
        column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
      }.joined(separator: "  ")
    }.joined(separator: "\n")
  }
}
