import DeviceModel

/// Everything printed to a terminal goes through here: device data may carry ANSI escapes or other
/// control characters that would rewrite the technician's screen.
enum Terminal {
  /// Like `clean`, but keeps the line breaks of a multi-line message (e.g. several config problems).
  static func cleanLines(_ text: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { clean(String($0)) }
      .joined(separator: "\n")
  }

  static func clean(_ text: String) -> String { DisplayText.clean(text) }
}

#if canImport(Glibc)
  import Glibc
#endif

extension Terminal {
  /// The columns to fit: `COLUMNS` when set, else the terminal's width; nil when the output goes to
  /// a pipe or file (nothing is cut for scripts and grep; they also have --json).
  static var width: Int? {
    if let text = getenv("COLUMNS").map({ String(cString: $0) }), let columns = Int(text), columns > 0 {
      return columns
    }
    guard isatty(STDOUT_FILENO) == 1 else { return nil }
    var size = winsize()
    guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
    return Int(size.ws_col)
  }
}

extension Terminal {
  /// Breaks `text` at spaces into lines of at most `width` columns, the later ones indented by
  /// `indent`; a word longer than a line is cut. Unchanged when `width` is nil.
  static func wrap(_ text: String, width: Int?, indent: Int) -> String {
    guard let width, text.count > width, width > indent + 10 else { return text }
    let margin = String(repeating: " ", count: indent)
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ", omittingEmptySubsequences: false) {
      var word = Substring(word)
      let room = width - line.count - (line.isEmpty ? 0 : 1)
      if word.count <= room {
        line += (line.isEmpty ? "" : " ") + word
        continue
      }
      if !line.isEmpty && line != margin { lines.append(line) }
      line = margin
      while word.count > width - indent {
        lines.append(margin + word.prefix(width - indent))
        word = word.dropFirst(width - indent)
      }
      line += word
    }
    lines.append(line)
    return lines.joined(separator: "\n")
  }
}
