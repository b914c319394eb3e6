/// A plain left-aligned table with a header row; cells are cleaned of control characters.
///
/// Given a width (the terminal's), the widest columns give way first and their cells are cut
/// with "…", so that no line wraps on an 80-column console; a row's note goes on its own line.
struct TextTable {
  /// Which end of a cut cell stays: a path keeps its file name.
  enum Keep { case start, end }

  let headers: [String]
  private(set) var rows: [[String]] = []
  private var notes: [Int: String] = [:]
  private var keep: [Int: Keep] = [:]

  init(headers: [String]) { self.headers = headers }

  /// `keepEnd`: columns whose cut cells keep their end ("…/devices/tasmota.toml").
  init(headers: [String], keepEnd: Set<Int>) {
    self.headers = headers
    for column in keepEnd { keep[column] = .end }
  }

  mutating func append(_ row: [String], note: String? = nil) {
    if let note { notes[rows.count] = Terminal.clean(note) }
    rows.append(row.map(Terminal.clean))
  }

  /// The width of the widest line without cutting anything.
  var naturalWidth: Int {
    let widths = naturalWidths
    return widths.reduce(0, +) + 2 * max(0, widths.count - 1)
  }

  private var naturalWidths: [Int] {
    var widths = headers.map(\.count)
    for row in rows {
      for (index, cell) in row.enumerated() where index < widths.count {
        widths[index] = max(widths[index], cell.count)
      }
    }
    return widths
  }

  func render(width: Int? = Terminal.width) -> String {
    let widths = fitted(to: width)
    func line(_ cells: [String]) -> String {
      var text = ""
      for (index, cell) in cells.enumerated() where index < widths.count {
        let shown = Self.cut(cell, to: widths[index], keep: keep[index] ?? .start)
        let isLast = index == cells.count - 1
        text += isLast ? shown : shown + String(repeating: " ", count: widths[index] - shown.count + 2)
      }
      return text
    }
    var lines = [line(headers)]
    for (index, row) in rows.enumerated() {
      lines.append(line(row))
      if let note = notes[index] {
        lines.append("  " + Self.cut(note, to: (width ?? Int.max) - 2, keep: .start))
      }
    }
    return lines.joined(separator: "\n")
  }

  /// Column widths that add up to at most `width`: the last column first, then the widest column
  /// loses a character at a time, down to its header's width (or 3).
  private func fitted(to width: Int?) -> [Int] {
    var widths = naturalWidths
    guard let width else { return widths }
    let minimums = zip(widths, headers).map { natural, header in min(natural, max(3, header.count)) }
    var total = naturalWidth
    // The last column (values, details) gives way first, down to 24 columns.
    if let last = widths.indices.last {
      let floor = max(minimums[last], min(widths[last], 24))
      let cut = min(widths[last] - floor, max(0, total - width))
      widths[last] -= cut
      total -= cut
    }
    while total > width {
      let candidates = widths.indices.filter { widths[$0] > minimums[$0] }
      guard let widest = candidates.max(by: { widths[$0] < widths[$1] }) else { break }
      widths[widest] -= 1
      total -= 1
    }
    return widths
  }

  static func cut(_ text: String, to width: Int, keep: Keep) -> String {
    guard text.count > width else { return text }
    guard width > 1 else { return String(text.prefix(max(0, width))) }
    return keep == .start ? text.prefix(width - 1) + "…" : "…" + text.suffix(width - 1)
  }
}
