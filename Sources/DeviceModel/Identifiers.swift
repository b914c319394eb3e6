/// Rules for ids that arrive in topics and payloads. Device data is hostile until checked: ids end up
/// in file names of exports, terminal output and SQL parameters, so only a safe alphabet is accepted.
public enum Identifier {
  public static let maxLength = 64

  /// Letters, digits, `-`, `_`, `.`, `:`; not starting with `.`; 1…64 bytes.
  public static func isValid(_ id: Substring) -> Bool {
    guard !id.isEmpty, id.utf8.count <= maxLength, id.utf8.first != UInt8(ascii: ".") else {
      return false
    }
    return id.utf8.allSatisfy { byte in
      switch byte {
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
        UInt8(ascii: "."), UInt8(ascii: ":"):
        return true
      default:
        return false
      }
    }
  }

  public static func isValid(_ id: String) -> Bool { isValid(id[...]) }

  /// Metric and event-type names: lowercase snake case, 1…48 bytes.
  public static func isValidName(_ name: Substring) -> Bool {
    guard !name.isEmpty, name.utf8.count <= 48 else { return false }
    return name.utf8.allSatisfy { byte in
      (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
        || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
    }
  }
}
