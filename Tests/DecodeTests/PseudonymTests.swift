import Decode
import DeviceModel
import TestSupport
import Testing

/// Card ids become `hmac:` pseudonyms keyed with the school's secret; the clear id is never kept.
@Suite("Card pseudonyms")
struct PseudonymTests {
  static let secret = Array("0123456789abcdef0123456789abcdef".utf8)
  let pseudonymizer = try! CardPseudonymizer(secret: Self.secret)
  let topic = "classgate/lobby/attendance_reader/gate-1/event"

  /// The event data the native decoder keeps for `payload`, with `pseudonymizer` (nil: none).
  func data(_ payload: String, pseudonymizer: CardPseudonymizer?) -> String? {
    let decoder = NativeDecoder(pseudonymizer: pseudonymizer)
    guard case .decoded(let message)? = decode(topic, payload, with: decoder),
      case .event(let event) = message.content
    else { return nil }
    return event.data
  }

  func data(_ payload: String) -> String? { data(payload, pseudonymizer: pseudonymizer) }

  @Test("HMAC-SHA-256 of the normalised id, first 16 bytes in hex (cross-checked with openssl)")
  func knownValue() {
    // printf '04A1B2C3' | openssl dgst -sha256 -hmac '0123456789abcdef0123456789abcdef'
    #expect(pseudonymizer.pseudonym(for: "04A1B2C3") == "hmac:c8dcf574465f182381724a2a985fe81e")
    // printf '1234' | openssl dgst -sha256 -hmac '0123456789abcdef0123456789abcdef'
    #expect(pseudonymizer.pseudonym(for: "1234") == "hmac:124ae6422d95f7227c344d01d4c1c00a")
  }

  @Test(
    "one card read by different readers gives one pseudonym",
    arguments: ["04A1B2C3", "04a1b2c3", "04:A1:B2:C3", "04-a1-b2-c3", " 04 A1 B2 C3\r\n", "\t04:a1-B2 c3 "])
  func sameCardDifferentFormatting(id: String) {
    #expect(pseudonymizer.pseudonym(for: id) == pseudonymizer.pseudonym(for: "04A1B2C3"))
  }

  @Test("leading zeros, other separators and prefixes are kept: those are other ids")
  func conservativeNormalisation() {
    let base = pseudonymizer.pseudonym(for: "04A1B2C3")
    for other in ["4A1B2C3", "0004A1B2C3", "04.A1.B2.C3", "0x04A1B2C3", "04A1B2C4"] {
      #expect(pseudonymizer.pseudonym(for: other) != base, "\(other)")
    }
    #expect(CardPseudonymizer.normalize(" 0x04:a1-b2 c3\n") == "0X04A1B2C3")
    #expect(CardPseudonymizer.normalize("thẻ-01") == "THẻ01")
  }

  @Test("another school's secret gives another pseudonym")
  func differentSecret() throws {
    let other = try CardPseudonymizer(secret: Array("another-school-secret-32-bytes!!".utf8))
    #expect(other.pseudonym(for: "04A1B2C3") != pseudonymizer.pseudonym(for: "04A1B2C3"))
  }

  @Test("a secret shorter than 16 bytes is refused; the secret is never printed")
  func secretLengthAndPrinting() throws {
    #expect(throws: CardPseudonymizer.SecretError.tooShort(bytes: 15)) {
      try CardPseudonymizer(secret: Array(repeating: 7, count: 15))
    }
    #expect(throws: CardPseudonymizer.SecretError.tooShort(bytes: 0)) { try CardPseudonymizer(secret: []) }
    _ = try CardPseudonymizer(secret: Array(repeating: 7, count: 16))
    var dumped = ""
    dump(pseudonymizer, to: &dumped)
    for text in [pseudonymizer.description, String(reflecting: pseudonymizer), "\(pseudonymizer)", dumped] {
      #expect(!text.contains("0123456789abcdef") && !text.contains("48, 49"), "\(text)")
      #expect(text.contains("32"))
    }
  }

  @Test("a top-level card id becomes the pseudonym, first in the data")
  func topLevelCard() {
    #expect(
      data(#"{"type": "card_scan", "reader": "gate-1", "card": "04:a1:b2:c3"}"#)
        == #"{"card":"hmac:c8dcf574465f182381724a2a985fe81e","reader":"gate-1"}"#)
  }

  @Test("a card id at any depth and in any case moves to the top level as 'card'; its place is emptied")
  func nestedCard() {
    #expect(
      data(
        #"{"type": "card_scan", "info": {"reader": {"CardId": "04A1B2C3", "rssi": -40}}, "list": [{"UID": "x"}]}"#
      )
        == #"{"card":"hmac:c8dcf574465f182381724a2a985fe81e","info":{"reader":{"rssi":-40}},"list":[{}]}"#)
    #expect(
      data(#"{"type": "card_scan", "scan": [{"card_uid": "04-A1-B2-C3"}]}"#)
        == #"{"card":"hmac:c8dcf574465f182381724a2a985fe81e","scan":[{}]}"#)
    // A card field holding an object: the id inside it is used, and the whole object goes.
    #expect(
      data(#"{"type": "card_scan", "card": {"uid": "04A1B2C3", "tech": "mifare"}}"#)
        == #"{"card":"hmac:c8dcf574465f182381724a2a985fe81e"}"#)
  }

  @Test("the first card-like field in document order wins; every personal field is removed")
  func firstCardWins() {
    #expect(
      data(#"{"type": "card_scan", "uid": "04A1B2C3", "card": "FFFFFFFF", "card_id": 99, "ok": true}"#)
        == #"{"card":"hmac:c8dcf574465f182381724a2a985fe81e","ok":true}"#)
    // Empty (once normalised) and non-scalar ids are skipped.
    #expect(
      data(#"{"type": "card_scan", "card": " : ", "cardid": null, "carduid": true, "uid": "04A1B2C3"}"#)
        == #"{"card":"hmac:c8dcf574465f182381724a2a985fe81e"}"#)
    #expect(data(#"{"type": "card_scan", "card": "", "ok": true}"#) == #"{"ok":true}"#)
  }

  @Test("a numeric card id is pseudonymised from its JSON text")
  func numericCard() {
    #expect(
      data(#"{"type": "card_scan", "card_id": 1234}"#) == #"{"card":"hmac:124ae6422d95f7227c344d01d4c1c00a"}"#
    )
  }

  @Test("student ids are removed, not pseudonymised")
  func studentID() {
    #expect(data(#"{"type": "card_scan", "student_id": "HS-2025-001", "ok": 1}"#) == #"{"ok":1}"#)
    #expect(
      data(#"{"type": "card_scan", "StudentId": "HS-2025-001", "card": "04A1B2C3"}"#)
        == #"{"card":"hmac:c8dcf574465f182381724a2a985fe81e"}"#)
  }

  @Test("the clear id appears nowhere in the decoded event, in any of its spellings")
  func clearIDNowhere() throws {
    let payload =
      #"{"type": "card_scan", "ts": 1764400000, "card": "04:A1:B2:C3", "meta": {"uid": "04a1b2c3", "raw": ["x"]}, "student_id": "HS-2025-001"}"#
    let result = try #require(decode(topic, payload, with: NativeDecoder(pseudonymizer: pseudonymizer)))
    guard case .decoded(let message) = result, case .event(let event) = message.content else {
      Issue.record("not an event: \(result)")
      return
    }
    let everything = "\(event.type) \(event.data) \(message)".lowercased()
    for spelling in ["04a1b2c3", "04:a1:b2:c3", "a1:b2", "a1b2", "hs-2025"] {
      #expect(!everything.contains(spelling), "\(spelling) in \(everything)")
    }
    #expect(event.data.contains("hmac:"))
  }

  @Test("without a pseudonymizer, card ids are dropped as before")
  func noSecretDrops() {
    #expect(
      data(#"{"type": "card_scan", "card": "04A1B2C3", "info": {"uid": "04A1B2C3"}}"#, pseudonymizer: nil)
        == #"{"info":{}}"#)
  }

  @Test("profile-decoded events are pseudonymised the same way, after the profile's renaming")
  func profileEvent() throws {
    let event = Profile.Event(
      type: "card_scan",
      fields: [(FieldPath(dotted: "Reader.UID"), "card"), (FieldPath(dotted: "Door"), "door")])
    let profile = Profile(
      name: "test-reader", summary: "a reader for tests", file: "test-reader.toml", kind: .attendanceReader,
      rules: [Profile.Rule(pattern: try TopicPattern("readers/{device}/scan"), content: .event(event))])
    func data(_ pseudonymizer: CardPseudonymizer?) -> String? {
      let decoder = ProfileDecoder(profile: profile, pseudonymizer: pseudonymizer)
      let result = decoder.decode(
        topic: "readers/r-9/scan", payload: Array(#"{"Reader": {"UID": "04A1B2C3"}, "Door": "north"}"#.utf8),
        receivedAt: receivedAt)
      guard case .decoded(let message)? = result, case .event(let event) = message.content else { return nil }
      return event.data
    }
    #expect(data(pseudonymizer) == #"{"card":"hmac:c8dcf574465f182381724a2a985fe81e","door":"north"}"#)
    #expect(data(nil) == #"{"door":"north"}"#)
  }
}
