/// How the pages link to each other: as files written side by side (`classgate-ioc page`), or
/// as the receiver's routes (`[web]`).
public enum PageLinks: Sendable {
  case files
  case served

  /// The href of a school's page (unescaped; the page escapes it).
  func school(_ id: String, day: String?) -> String {
    switch self {
    case .files: "school-\(Self.encoded(id)).html"
    case .served: "/schools/\(Self.encoded(id))" + (day.map { "?day=\(Self.encoded($0))" } ?? "")
    }
  }

  func city(day: String?) -> String {
    switch self {
    case .files: "index.html"
    case .served: "/" + (day.map { "?day=\(Self.encoded($0))" } ?? "")
    }
  }

  /// Percent-encodes all but RFC 3986's unreserved characters.
  static func encoded(_ text: String) -> String {
    var result = ""
    for byte in text.utf8 {
      let unreserved =
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
        || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
      if unreserved {
        result.append(Character(Unicode.Scalar(byte)))
      } else {
        let digits = Array("0123456789ABCDEF")
        result += "%\(digits[Int(byte >> 4)])\(digits[Int(byte & 0xF)])"
      }
    }
    return result
  }
}
