/// Text for the city view: ages and skews in the largest sensible unit (instants: SchoolTime.ioc).
public enum Format {
  /// `42 s`, `5 min`, `3 h`, `2 d`.
  public static func duration(_ ms: Int64) -> String {
    let seconds = max(0, ms) / 1000
    if seconds < 120 { return "\(seconds) s" }
    if seconds < 7200 { return "\(seconds / 60) min" }
    if seconds < 172_800 { return "\(seconds / 3600) h" }
    return "\(seconds / 86400) d"
  }

  /// `+0.3 s`, `-12 s`, `+2 h`: a signed skew, decimals only when small.
  public static func skew(_ ms: Int64) -> String {
    let sign = ms < 0 ? "-" : "+"
    let magnitude = ms.magnitude
    if magnitude < 10_000 {
      return "\(sign)\(magnitude / 1000).\(magnitude % 1000 / 100) s"
    }
    return sign + duration(Int64(magnitude))
  }

  public static func decimal(_ value: Double, places: Int = 1) -> String {
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var text = "\(rounded)"
    if places == 0, text.hasSuffix(".0") { text.removeLast(2) }
    return text
  }

  /// Left-aligned columns, two spaces apart.
  public static func table(_ header: [String], _ rows: [[String]]) -> String {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    return all.map { row in
      row.enumerated().map { column, cell in
        column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
      }.joined(separator: "  ")
    }.joined(separator: "\n")
  }
}
