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
