/// Object members in document order. Device payloads have a handful of keys, where a flat array
/// beats hashing for lookup and keeps written output in the order devices and people expect.
/// Keys are unique: every way of building an object replaces rather than duplicates.
public struct JSONObject: Sendable, Equatable, Sequence {
  public typealias Element = (key: String, value: JSONValue)

  public private(set) var members: [(key: String, value: JSONValue)]

  /// Later duplicates replace earlier values in place, like assigning through the subscript.
  public init(_ members: [(String, JSONValue)] = []) {
    self.members = []
    self.members.reserveCapacity(members.count)
    if members.count <= Self.linearLimit {
      for (key, value) in members { self[key] = value }
    } else {
      var positions: [String: Int] = [:]
      for (key, value) in members {
        if let position = positions[key] {
          self.members[position].value = value
        } else {
          positions[key] = self.members.count
          self.members.append((key, value))
        }
      }
    }
  }

  /// For the parser, which has already rejected duplicate keys.
  init(uniqueMembers: [(key: String, value: JSONValue)]) {
    self.members = uniqueMembers
  }

  /// Above this many members, bulk operations switch from linear scans to hashing so that a
  /// hostile object with many keys costs O(n), not O(n²).
  static let linearLimit = 12

  public var count: Int { members.count }
  public var isEmpty: Bool { members.isEmpty }
  public var keys: [String] { members.map(\.key) }
  public var underestimatedCount: Int { members.count }

  public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> {
    members.makeIterator()
  }

  /// Setting appends a new key or replaces the value in place; setting nil removes the key.
  public subscript(key: String) -> JSONValue? {
    get { value(forKey: key) }
    set {
      let position = members.firstIndex { $0.key == key }
      switch (position, newValue) {
      case (let position?, let value?): members[position].value = value
      case (let position?, nil): members.remove(at: position)
      case (nil, let value?): members.append((key, value))
      case (nil, nil): break
      }
    }
  }

  func value(forKey key: some StringProtocol) -> JSONValue? {
    for member in members where member.key == key { return member.value }
    return nil
  }

  /// Order-insensitive, as RFC 8259 objects are unordered: a device reordering its keys does not
  /// make a reading different. Key comparison is Swift `String` equality throughout (lookup,
  /// duplicate detection, equality), so canonically equivalent keys are the same key everywhere.
  public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
    guard lhs.count == rhs.count else { return false }
    var position = 0
    // Same order is the common case; compare pairwise until the orders diverge.
    while position < lhs.count, lhs.members[position].key == rhs.members[position].key {
      guard lhs.members[position].value == rhs.members[position].value else { return false }
      position += 1
    }
    if position == lhs.count { return true }
    let remaining = lhs.members[position...]
    if lhs.count <= linearLimit {
      for member in remaining {
        guard let other = rhs.value(forKey: member.key), other == member.value else { return false }
      }
      return true
    }
    var others: [String: JSONValue] = [:]
    for member in rhs.members[position...] { others[member.key] = member.value }
    for member in remaining {
      guard let other = others[member.key], other == member.value else { return false }
    }
    return true
  }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
  public init(dictionaryLiteral elements: (String, JSONValue)...) {
    self.init(elements)
  }
}

extension JSONObject: CustomStringConvertible {
  public var description: String { JSONWriter.compact(.object(self)) }
}
