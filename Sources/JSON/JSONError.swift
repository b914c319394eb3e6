/// Why a document was rejected. The byte offset lets an operator find the spot in a captured
/// payload without the error itself carrying (possibly hostile) input into the logs.
public struct JSONError: Error, Equatable, Sendable, CustomStringConvertible {
  public enum Kind: String, Sendable {
    case empty, tooLarge, tooDeep, invalidUTF8, unexpectedEnd, unexpectedCharacter, invalidNumber,
      invalidEscape, controlCharacterInString, duplicateKey, trailingData
  }

  public let kind: Kind
  /// Byte offset where the input went wrong. For `tooLarge` it is the size limit (the first byte
  /// too many), for `empty` and `unexpectedEnd` the input length.
  public let offset: Int
  /// At most `maxExcerpt` offending bytes, kept only to make `description` useful; not part of
  /// equality.
  let excerpt: [UInt8]

  static let maxExcerpt = 6

  public init(kind: Kind, offset: Int) {
    self.init(kind, at: offset)
  }

  init(_ kind: Kind, at offset: Int, excerpt: [UInt8] = []) {
    self.kind = kind
    self.offset = offset
    self.excerpt = Array(excerpt.prefix(Self.maxExcerpt))
  }

  public static func == (lhs: JSONError, rhs: JSONError) -> Bool {
    lhs.kind == rhs.kind && lhs.offset == rhs.offset
  }

  public var description: String {
    let quoted = excerpt.isEmpty ? "" : " '\(Self.escaped(excerpt))'"
    switch kind {
    case .empty: return "empty document"
    case .tooLarge: return "document larger than the \(offset)-byte limit"
    case .tooDeep: return "nesting too deep at byte \(offset)"
    case .invalidUTF8: return "invalid UTF-8\(quoted) at byte \(offset)"
    case .unexpectedEnd: return "unexpected end of input at byte \(offset)"
    case .unexpectedCharacter: return "unexpected character\(quoted) at byte \(offset)"
    case .invalidNumber: return "invalid number at byte \(offset)"
    case .invalidEscape: return "invalid escape\(quoted) at byte \(offset)"
    case .controlCharacterInString:
      return "unescaped control character\(quoted) in string at byte \(offset)"
    case .duplicateKey: return "duplicate object key at byte \(offset)"
    case .trailingData: return "unexpected data\(quoted) after the document at byte \(offset)"
    }
  }

  /// Printable ASCII only, so a hostile payload cannot inject terminal escapes or bidi tricks
  /// into logs.
  static func escaped(_ bytes: [UInt8]) -> String {
    var out = ""
    for byte in bytes {
      switch byte {
      case UInt8(ascii: "\\"): out += "\\\\"
      case UInt8(ascii: "'"): out += "\\'"
      case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(byte))
      default:
        let hex = Array("0123456789ABCDEF".unicodeScalars)
        out += "\\x"
        out.unicodeScalars.append(hex[Int(byte >> 4)])
        out.unicodeScalars.append(hex[Int(byte & 0xF)])
      }
    }
    return out
  }
}
