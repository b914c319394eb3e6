/// Student card ids are personal data of minors (Vietnam's Law 91/2025/QH15): they are removed from
/// everything ClassGate stores, and a payload that may hold one is never kept raw.
public enum PersonalData {
  /// Field names that carry an identifier, compared case-insensitively ("UID", "cardId").
  public static let fieldNames: Set<String> = [
    "card", "card_id", "cardid", "card_uid", "carduid", "uid", "student_id", "studentid",
  ]

  public static func isPersonal(field: String) -> Bool {
    fieldNames.contains(field.lowercased())
  }

  /// True when raw bytes mention a card, uid or student anywhere (case-insensitive): such a payload
  /// is not kept in a dead letter, even if it could not be parsed.
  public static func mayContain(_ payload: [UInt8]) -> Bool {
    let lowered = payload.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
    return ["card", "uid", "student"].contains { word in
      let needle = Array(word.utf8)
      guard lowered.count >= needle.count else { return false }
      return (0...(lowered.count - needle.count)).contains { start in
        lowered[start..<start + needle.count].elementsEqual(needle)
      }
    }
  }

  /// What a dead letter keeps instead of such a payload.
  public static let withheld = Array("[withheld: may contain a personal identifier]".utf8)
}
