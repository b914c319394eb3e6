/// A plain left-aligned table with a header row; cells are cleaned of control characters.
struct TextTable {
  let headers: [String]
  private(set) var rows: [[String]] = []

  init(headers: [String]) { self.headers = headers }

  mutating func append(_ row: [String]) {
    rows.append(row.map(Terminal.clean))
  }

  func render() -> String {
    var widths = headers.map(\.count)
    for row in rows {
      for (index, cell) in row.enumerated() where index < widths.count {
        widths[index] = max(widths[index], cell.count)
      }
    }
    func line(_ cells: [String]) -> String {
      var text = ""
      for (index, cell) in cells.enumerated() {
        let isLast = index == cells.count - 1
        text += isLast ? cell : cell + String(repeating: " ", count: widths[index] - cell.count + 2)
      }
      return text
    }
    return ([line(headers)] + rows.map(line)).joined(separator: "\n")
  }
}
