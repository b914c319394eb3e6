/// The parsing engine. Containers live on an explicit stack rather than the machine stack, so
/// hostile nesting costs heap proportional to `maxDepth` at most, whatever the limit is set to.
struct JSONScanner {
  typealias ParseResult = Result<JSONValue, JSONError>

  let input: UnsafeBufferPointer<UInt8>
  let end: Int
  var position = 0
  /// Reused for strings with escapes, so only the rare escaped string pays for a buffer.
  var scratch: [UInt8] = []

  init(_ input: UnsafeBufferPointer<UInt8>) {
    self.input = input
    self.end = input.count
  }

  /// A Result rather than a throw, so the public entry points can call this from inside
  /// `withUnsafeBufferPointer`-style closures without losing the typed error.
  static func parse(_ input: UnsafeBufferPointer<UInt8>, limits: JSONParser.Limits) -> ParseResult {
    guard input.count <= limits.maxBytes else {
      return .failure(JSONError(.tooLarge, at: max(0, limits.maxBytes)))
    }
    var scanner = JSONScanner(input)
    do throws(JSONError) {
      return .success(try scanner.parseDocument(maxDepth: limits.maxDepth))
    } catch {
      return .failure(error)
    }
  }

  /// An open array or object. Both collections live in one frame type so the stack is a single
  /// array of plain structs, appended to in place.
  private struct Frame {
    let isObject: Bool
    var elements: [JSONValue] = []
    var members: [(key: String, value: JSONValue)] = []
    var pendingKey = ""
    /// Built only once an object outgrows linear duplicate checks.
    var seenKeys: Set<String>? = nil

    init(isObject: Bool, isRoot: Bool) {
      self.isObject = isObject
      // A device payload's top level usually has a handful of members, and growing 1→2→4→8
      // costs ~15% of a parse. Only the root: reserving for nested objects would multiply the
      // memory of a hostile document made of many tiny objects.
      if isObject, isRoot { members.reserveCapacity(8) }
    }
  }

  mutating func parseDocument(maxDepth: Int) throws(JSONError) -> JSONValue {
    skipWhitespace()
    guard position < end else { throw JSONError(.empty, at: position) }
    var stack: [Frame] = []
    parsing: while true {
      // A value must start at `position` (whitespace already skipped).
      guard position < end else { throw unexpectedEnd() }
      var value: JSONValue
      switch input[position] {
      case UInt8(ascii: "{"):
        guard stack.count < maxDepth else { throw JSONError(.tooDeep, at: position) }
        position += 1
        skipWhitespace()
        if position < end, input[position] == UInt8(ascii: "}") {
          position += 1
          value = .object(JSONObject())
        } else {
          stack.append(Frame(isObject: true, isRoot: stack.isEmpty))
          try parseKey(into: &stack[stack.count - 1])
          continue parsing
        }
      case UInt8(ascii: "["):
        guard stack.count < maxDepth else { throw JSONError(.tooDeep, at: position) }
        position += 1
        skipWhitespace()
        if position < end, input[position] == UInt8(ascii: "]") {
          position += 1
          value = .array([])
        } else {
          stack.append(Frame(isObject: false, isRoot: stack.isEmpty))
          continue parsing
        }
      case UInt8(ascii: "\""):
        value = .string(try parseString())
      case UInt8(ascii: "t"):
        try expectLiteral("true")
        value = .bool(true)
      case UInt8(ascii: "f"):
        try expectLiteral("false")
        value = .bool(false)
      case UInt8(ascii: "n"):
        try expectLiteral("null")
        value = .null
      case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
        value = .number(try parseNumber())
      default:
        throw unexpected(at: position)
      }

      // Hand the finished value to its container, closing as many containers as the input does.
      while true {
        skipWhitespace()
        guard let top = stack.indices.last else {
          guard position == end else { throw unexpected(at: position, kind: .trailingData) }
          return value
        }
        guard position < end else { throw unexpectedEnd() }
        let byte = input[position]
        if stack[top].isObject {
          let key = stack[top].pendingKey
          stack[top].members.append((key, value))
          if byte == UInt8(ascii: ",") {
            position += 1
            skipWhitespace()
            try parseKey(into: &stack[top])
            continue parsing
          }
          guard byte == UInt8(ascii: "}") else { throw unexpected(at: position) }
          position += 1
          value = .object(JSONObject(uniqueMembers: stack.removeLast().members))
        } else {
          stack[top].elements.append(value)
          if byte == UInt8(ascii: ",") {
            position += 1
            skipWhitespace()
            continue parsing
          }
          guard byte == UInt8(ascii: "]") else { throw unexpected(at: position) }
          position += 1
          value = .array(stack.removeLast().elements)
        }
      }
    }
  }

  /// Reads `"key"` and the following colon. Duplicates are caught here, before the value is parsed,
  /// because a later duplicate silently overriding an earlier reading is a spoofing vector.
  private mutating func parseKey(into frame: inout Frame) throws(JSONError) {
    guard position < end else { throw unexpectedEnd() }
    guard input[position] == UInt8(ascii: "\"") else { throw unexpected(at: position) }
    let keyOffset = position
    let key = try parseString()
    if frame.seenKeys == nil, frame.members.count < JSONObject.linearLimit {
      for member in frame.members where member.key == key {
        throw JSONError(.duplicateKey, at: keyOffset)
      }
    } else {
      if frame.seenKeys == nil { frame.seenKeys = Set(frame.members.map(\.key)) }
      guard frame.seenKeys!.insert(key).inserted else {
        throw JSONError(.duplicateKey, at: keyOffset)
      }
    }
    frame.pendingKey = key
    skipWhitespace()
    guard position < end else { throw unexpectedEnd() }
    guard input[position] == UInt8(ascii: ":") else { throw unexpected(at: position) }
    position += 1
    skipWhitespace()
  }

  @inline(__always)
  mutating func skipWhitespace() {
    while position < end {
      switch input[position] {
      case 0x20, 0x0A, 0x0D, 0x09: position += 1
      default: return
      }
    }
  }
}
