/// Why a TZif file was refused.
public enum ZoneRulesError: Error, Sendable, Equatable {
  /// It does not start with the `TZif` magic.
  case notTZif
  /// It ends before the counts in its header say it should.
  case truncated
  /// Its content breaks RFC 8536 (the text says how).
  case invalid(String)
}

/// A time zone's UTC offsets over time, from the bytes of a TZif file (RFC 8536, versions 1–4).
/// Pure: reading `/usr/share/zoneinfo/<name>` is the caller's job (EventLoop's `readBinaryFile`).
///
/// Version 2+ files are read from their 64-bit section, and instants after the last transition
/// follow the footer's POSIX TZ string, daylight-saving rules included. A version 1 file has no
/// footer: its last transition's offset holds from then on.
public struct ZoneRules: Sendable, Equatable {
  /// Transition instants (UTC seconds), ascending, and the offset in force from each one on.
  let transitions: [Int64]
  let offsets: [Int]
  /// The offset before the first transition (time type 0).
  let initialOffset: Int
  /// The footer rule: after the last transition, or always when there are no transitions.
  let rule: PosixTZ?

  public static let utc = ZoneRules.fixed(offsetSeconds: 0)

  /// A zone that is always `offsetSeconds` east of UTC.
  public static func fixed(offsetSeconds: Int) -> ZoneRules {
    ZoneRules(transitions: [], offsets: [], initialOffset: offsetSeconds, rule: nil)
  }

  init(transitions: [Int64], offsets: [Int], initialOffset: Int, rule: PosixTZ?) {
    self.transitions = transitions
    self.offsets = offsets
    self.initialOffset = initialOffset
    self.rule = rule
  }

  public init(tzif bytes: [UInt8]) throws(ZoneRulesError) {
    var reader = ByteReader(bytes: bytes)
    var header = try Header(&reader)
    guard header.version != 0 else {
      self = try Self.body(&reader, header, timeSize: 4, footer: nil)
      return
    }
    // Skip the 32-bit section; the 64-bit one that follows says the same for all of time.
    try reader.skip(header.bodySize(timeSize: 4))
    header = try Header(&reader)
    let start = reader.index
    try reader.skip(header.bodySize(timeSize: 8))
    let footer = try Self.footer(&reader)
    reader.index = start
    self = try Self.body(&reader, header, timeSize: 8, footer: footer)
  }

  /// Seconds east of UTC in force at the instant `ms` (epoch milliseconds).
  public func offsetSeconds(atUTC ms: Int64) -> Int {
    let seconds = floorDiv(ms, 1000)
    guard let last = transitions.last else { return rule?.offset(atUTC: seconds) ?? initialOffset }
    if seconds > last, let rule { return rule.offset(atUTC: seconds) }
    guard let index = lastIndex(atOrBefore: seconds) else { return initialOffset }
    return offsets[index]
  }

  /// The latest transition at or before `ms`, in epoch milliseconds (nil if none is known).
  func transition(atOrBefore ms: Int64) -> Int64? {
    let seconds = floorDiv(ms, 1000)
    let floor = transitions.last ?? .min
    if seconds > floor, let change = ruleChanges(around: seconds).last(where: { $0 > floor && $0 <= seconds })
    {
      return milliseconds(change)
    }
    return lastIndex(atOrBefore: seconds).map { milliseconds(transitions[$0]) }
  }

  /// The earliest transition after `ms`, in epoch milliseconds (nil if none is known).
  func transition(after ms: Int64) -> Int64? {
    let seconds = floorDiv(ms, 1000)
    let next = (lastIndex(atOrBefore: seconds).map { $0 + 1 }) ?? 0
    if next < transitions.count { return milliseconds(transitions[next]) }
    let floor = transitions.last ?? .min
    return ruleChanges(around: seconds).first(where: { $0 > floor && $0 > seconds }).map(milliseconds)
  }

  private func ruleChanges(around seconds: Int64) -> [Int64] { rule?.changes(around: seconds) ?? [] }

  private func lastIndex(atOrBefore seconds: Int64) -> Int? {
    var low = 0
    var high = transitions.count
    while low < high {
      let mid = (low + high) / 2
      if transitions[mid] <= seconds { low = mid + 1 } else { high = mid }
    }
    return low == 0 ? nil : low - 1
  }

  private func milliseconds(_ seconds: Int64) -> Int64 { seconds * 1000 }

  // Transition times are clamped to ±2^52 s (far beyond any calendar use) so that milliseconds
  // never overflow: fat files start with a "big bang" transition at -2^59 s.
  private static let timeLimit: Int64 = 1 << 52

  private static func body(
    _ reader: inout ByteReader, _ header: Header, timeSize: Int, footer: PosixTZ?
  ) throws(ZoneRulesError) -> ZoneRules {
    // Checked here, not in the header: a v2+ file's ignored 32-bit section may be empty.
    guard header.typeCount > 0 else { throw .invalid("no local time types") }
    var times: [Int64] = []
    for _ in 0..<header.timeCount {
      let time = try timeSize == 4 ? Int64(reader.int32()) : reader.int64()
      if let last = times.last, time <= last { throw .invalid("transition times are not ascending") }
      times.append(time)
    }
    var typeIndices: [Int] = []
    for _ in 0..<header.timeCount {
      let index = Int(try reader.byte())
      guard index < header.typeCount else { throw .invalid("transition type \(index) does not exist") }
      typeIndices.append(index)
    }
    var typeOffsets: [Int] = []
    for _ in 0..<header.typeCount {
      let offset = try reader.int32()
      guard offset != Int32.min else { throw .invalid("a UT offset of -2^31") }
      _ = try reader.byte()  // is DST: only the offset matters here
      _ = try reader.byte()  // abbreviation index
      typeOffsets.append(Int(offset))
    }
    return ZoneRules(
      transitions: times.map { min(max($0, -timeLimit), timeLimit) },
      offsets: typeIndices.map { typeOffsets[$0] },
      initialOffset: typeOffsets[0], rule: footer)
  }

  private static func footer(_ reader: inout ByteReader) throws(ZoneRulesError) -> PosixTZ? {
    guard try reader.byte() == 0x0A else { throw .invalid("the footer does not start with a newline") }
    var text: [UInt8] = []
    while true {
      let byte = try reader.byte()
      if byte == 0x0A { break }
      text.append(byte)
    }
    guard !text.isEmpty else { return nil }  // an empty footer: no rule after the last transition
    guard let string = String(validating: text, as: UTF8.self), let rule = PosixTZ(string) else {
      throw .invalid("the footer TZ string \"\(String(decoding: text, as: UTF8.self))\" is not understood")
    }
    return rule
  }

  private struct Header {
    var version: UInt8
    var utIndicatorCount: Int
    var standardIndicatorCount: Int
    var leapCount: Int
    var timeCount: Int
    var typeCount: Int
    var charCount: Int

    init(_ reader: inout ByteReader) throws(ZoneRulesError) {
      guard reader.remaining >= 4, Array(reader.bytes[reader.index..<reader.index + 4]) == Array("TZif".utf8)
      else { throw .notTZif }
      try reader.skip(4)
      version = try reader.byte()
      guard version == 0 || version >= UInt8(ascii: "2") else { throw .invalid("unknown version \(version)") }
      try reader.skip(15)
      utIndicatorCount = Int(try reader.uint32())
      standardIndicatorCount = Int(try reader.uint32())
      leapCount = Int(try reader.uint32())
      timeCount = Int(try reader.uint32())
      typeCount = Int(try reader.uint32())
      charCount = Int(try reader.uint32())
      guard utIndicatorCount == 0 || utIndicatorCount == typeCount,
        standardIndicatorCount == 0 || standardIndicatorCount == typeCount
      else { throw .invalid("indicator counts differ from the type count") }
    }

    func bodySize(timeSize: Int) -> Int {
      timeCount * (timeSize + 1) + typeCount * 6 + charCount + leapCount * (timeSize + 4)
        + standardIndicatorCount + utIndicatorCount
    }
  }
}

/// Big-endian reads that throw `truncated` instead of trapping.
private struct ByteReader {
  let bytes: [UInt8]
  var index = 0

  var remaining: Int { bytes.count - index }

  mutating func skip(_ count: Int) throws(ZoneRulesError) {
    guard count <= remaining else { throw .truncated }
    index += count
  }

  mutating func byte() throws(ZoneRulesError) -> UInt8 {
    guard remaining >= 1 else { throw .truncated }
    index += 1
    return bytes[index - 1]
  }

  mutating func uint32() throws(ZoneRulesError) -> UInt32 {
    guard remaining >= 4 else { throw .truncated }
    var value: UInt32 = 0
    for byte in bytes[index..<index + 4] { value = value << 8 | UInt32(byte) }
    index += 4
    return value
  }

  mutating func int32() throws(ZoneRulesError) -> Int32 { Int32(bitPattern: try uint32()) }

  mutating func int64() throws(ZoneRulesError) -> Int64 {
    let high = UInt64(try uint32())
    let low = UInt64(try uint32())
    return Int64(bitPattern: high << 32 | low)
  }
}
