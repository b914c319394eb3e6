import DeviceModel
import JSON
import LibCrypto

/// Turns a student card id into a stable pseudonym with a per-school secret, so attendance can be
/// counted (distinct cards) without ever storing the id: `"hmac:"` + the first 16 bytes (32 lower-case
/// hex digits) of HMAC-SHA-256(secret, normalised id). Without the secret, a pseudonym cannot be
/// linked back to a card, nor compared with another school's.
///
/// Normalisation, so one card read by different vendors' readers gives one pseudonym, and nothing
/// more (two different cards must never merge):
/// - ASCII whitespace, `:` and `-` are removed wherever they are (`"04:a1:b2"`, `" 04-A1-B2 "`, `"04 A1 B2"`);
/// - ASCII letters are upper-cased (`"04a1b2"` = `"04A1B2"`);
/// - everything else is kept as it is. In particular leading zeros are kept: card UIDs are
///   fixed-length byte strings, so `"00A1B2C3"` and `"A1B2C3"` are different cards; and a `0x`
///   prefix or a decimal rendering of a hex UID is not converted (a reader that prints ids another
///   way gives other pseudonyms: fix it in the reader's settings or profile, not here).
///
/// The secret is never printed: `description`, `debugDescription` and `dump` show only its length.
public struct CardPseudonymizer: Sendable {
  public static let minimumSecretBytes = 16
  public static let prefix = "hmac:"
  /// HMAC bytes kept: 128 bits, far beyond any collision risk among a school's cards.
  public static let keptBytes = 16

  public enum SecretError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooShort(bytes: Int)

    public var description: String {
      switch self {
      case .tooShort(let bytes):
        "the secret is \(bytes) bytes; at least \(CardPseudonymizer.minimumSecretBytes) are needed"
      }
    }
  }

  private let secret: [UInt8]

  public init(secret: [UInt8]) throws(SecretError) {
    guard secret.count >= Self.minimumSecretBytes else { throw .tooShort(bytes: secret.count) }
    self.secret = secret
  }

  /// `"hmac:"` + 32 hex digits. An id that normalises to nothing still gets one (of the empty
  /// string); event data drops such ids instead (see `PersonalFields`).
  public func pseudonym(for cardID: String) -> String {
    let code = HMACSHA256.authenticationCode(key: secret, message: Array(Self.normalize(cardID).utf8))
    let digits = Array("0123456789abcdef".utf8)
    var text = Array(Self.prefix.utf8)
    for byte in code.prefix(Self.keptBytes) {
      text.append(digits[Int(byte >> 4)])
      text.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: text, as: UTF8.self)
  }

  /// The card id as it is hashed (see the type's documentation).
  public static func normalize(_ cardID: String) -> String {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(cardID.utf8.count)
    for byte in cardID.utf8 {
      switch byte {
      case 9, 10, 11, 12, 13, 32, UInt8(ascii: ":"), UInt8(ascii: "-"): continue
      case UInt8(ascii: "a")...UInt8(ascii: "z"): bytes.append(byte - 32)
      default: bytes.append(byte)
      }
    }
    // Only ASCII bytes were removed or changed, so the bytes are still valid UTF-8.
    return String(decoding: bytes, as: UTF8.self)
  }
}

extension CardPseudonymizer: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
  public var description: String { "CardPseudonymizer(secret: \(secret.count) bytes)" }
  public var debugDescription: String { description }
  public var customMirror: Mirror { Mirror(self, children: ["secretBytes": secret.count]) }
}

/// What happens to personal fields (`PersonalData.fieldNames`, any depth, any case) in event data.
enum PersonalFields {
  /// Card-like fields (card, card_id, uid, …) are pseudonymised; student ids are only removed.
  static func isCard(_ key: String) -> Bool {
    PersonalData.isPersonal(field: key) && !key.lowercased().hasPrefix("student")
  }

  /// Every personal field is removed, at any depth. With a pseudonymizer, the first card-like field
  /// (document order, depth first) holding a string or a number becomes `"card": "hmac:…"`, the
  /// first member of the data, where the rollups count distinct cards. A number is hashed from its
  /// JSON text (`1234`); an id that is empty once normalised (`""`, `"::"`) is skipped.
  static func scrub(_ data: JSONObject, with pseudonymizer: CardPseudonymizer?) -> JSONObject {
    let kept = withoutPersonalFields(data)
    guard let pseudonymizer, let card = firstCard(in: .object(data)) else { return kept }
    var result = JSONObject([("card", .string(pseudonymizer.pseudonym(for: card)))])
    for (key, value) in kept { result[key] = value }
    return result
  }

  private static func withoutPersonalFields(_ object: JSONObject) -> JSONObject {
    var kept: [(String, JSONValue)] = []
    for (key, inner) in object where !PersonalData.isPersonal(field: key) {
      kept.append((key, withoutPersonalFields(inner)))
    }
    return JSONObject(kept)
  }

  private static func withoutPersonalFields(_ value: JSONValue) -> JSONValue {
    switch value {
    case .object(let object): .object(withoutPersonalFields(object))
    case .array(let items): .array(items.map(withoutPersonalFields))
    default: value
    }
  }

  /// Recurses once per nesting level; parsed values are bounded by `JSONParser.Limits.maxDepth`.
  private static func firstCard(in value: JSONValue) -> String? {
    switch value {
    case .object(let object):
      for (key, inner) in object {
        if isCard(key) {
          let text: String? =
            switch inner {
            case .string(let text): text
            case .number: JSONWriter.compact(inner)
            default: nil
            }
          if let text, !CardPseudonymizer.normalize(text).isEmpty { return text }
        }
        if let found = firstCard(in: inner) { return found }
      }
      return nil
    case .array(let items):
      for item in items {
        if let found = firstCard(in: item) { return found }
      }
      return nil
    default:
      return nil
    }
  }
}
