/// Text from devices on its way to a terminal or a log line: control characters (ANSI escapes,
/// C1 controls) and bidi overrides become "?", so device data cannot rewrite a screen or forge lines.
public enum DisplayText {
  public static func clean(_ text: String) -> String {
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
