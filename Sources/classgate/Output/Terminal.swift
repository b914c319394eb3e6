/// Everything printed to a terminal goes through here: device data may carry ANSI escapes or other
/// control characters that would rewrite the technician's screen.
enum Terminal {
  /// Like `clean`, but keeps the line breaks of a multi-line message (e.g. several config problems).
  static func cleanLines(_ text: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { clean(String($0)) }
      .joined(separator: "\n")
  }

  static func clean(_ text: String) -> String {
    String(
      String.UnicodeScalarView(
        text.unicodeScalars.map { scalar in
          switch scalar.value {
          case 0..<0x20, 0x7F...0x9F, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: "?"
          default: scalar
          }
        }))
  }
}
