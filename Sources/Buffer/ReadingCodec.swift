import DeviceModel

/// The byte encoding of readings in the store (docs/storage.md).
///
/// A value is one varint header `metric << 3 | encoding` and then:
/// - encodings 0–4: a zigzag varint `n`, the value being `n / 10^encoding` exactly (sensors send
///   integers and one or two decimals, so most values take 1–3 bytes);
/// - 5: a Float32, bit for bit; 6: a Float64 (anything else, e.g. -0.0).
/// Every value decodes to exactly the Double that was stored.
enum ReadingCodec {
  private static let powers: [Double] = [1, 10, 100, 1000, 10_000]
  private static let exactInteger = 9_007_199_254_740_992.0  // 2^53

  // MARK: - Varints

  static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
    var rest = value
    while rest >= 0x80 {
      bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
      rest >>= 7
    }
    bytes.append(UInt8(rest))
  }

  static func appendSigned(_ value: Int64, to bytes: inout [UInt8]) {
    appendVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)), to: &bytes)
  }

  /// Reads bytes at `offset`, advancing it; nil past the end or on a malformed varint.
  struct Reader {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { offset >= bytes.count }

    mutating func varint() -> UInt64? {
      var result: UInt64 = 0
      var shift: UInt64 = 0
      while offset < bytes.count, shift < 64 {
        let byte = bytes[offset]
        offset += 1
        result |= UInt64(byte & 0x7F) << shift
        if byte < 0x80 { return result }
        shift += 7
      }
      return nil
    }

    mutating func signed() -> Int64? {
      guard let raw = varint() else { return nil }
      return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    mutating func fixed(_ count: Int) -> UInt64? {
      guard offset + count <= bytes.count else { return nil }
      var result: UInt64 = 0
      for index in 0..<count { result |= UInt64(bytes[offset + index]) << UInt64(8 * index) }
      offset += count
      return result
    }
  }

  // MARK: - Values

  static func appendValue(metric: Int64, _ value: Double, to bytes: inout [UInt8]) {
    let header = UInt64(metric) << 3
    if !(value == 0 && value.sign == .minus) {
      for (places, power) in powers.enumerated() {
        let scaled = (value * power).rounded()
        if abs(scaled) < exactInteger, scaled / power == value {
          appendVarint(header | UInt64(places), to: &bytes)
          appendSigned(Int64(scaled), to: &bytes)
          return
        }
      }
    }
    let single = Float(value)
    if Double(single) == value || value.isNaN {
      appendVarint(header | 5, to: &bytes)
      appendFixed(UInt64(single.bitPattern), count: 4, to: &bytes)
    } else {
      appendVarint(header | 6, to: &bytes)
      appendFixed(value.bitPattern, count: 8, to: &bytes)
    }
  }

  static func readValue(_ reader: inout Reader) -> (metric: Int64, value: Double)? {
    guard let header = reader.varint() else { return nil }
    let metric = Int64(header >> 3)
    switch header & 7 {
    case let places where places <= 4:
      guard let scaled = reader.signed() else { return nil }
      return (metric, Double(scaled) / powers[Int(places)])
    case 5:
      guard let bits = reader.fixed(4) else { return nil }
      return (metric, Double(Float(bitPattern: UInt32(bits))))
    case 6:
      guard let bits = reader.fixed(8) else { return nil }
      return (metric, Double(bitPattern: bits))
    default:
      return nil
    }
  }

  private static func appendFixed(_ value: UInt64, count: Int, to bytes: inout [UInt8]) {
    for index in 0..<count { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(8 * index))) }
  }
}

/// One message's readings of one device at one time: a row of the hot log.
/// Bytes: device id, receipt time − reading time (zigzag), then the values.
struct LogEntry: Equatable {
  var device: Int64
  var time: EpochMillis
  var receivedAt: EpochMillis
  var values: [(metric: Int64, value: Double)]

  static func == (a: LogEntry, b: LogEntry) -> Bool {
    a.device == b.device && a.time == b.time && a.receivedAt == b.receivedAt
      && a.values.elementsEqual(b.values) { $0.metric == $1.metric && $0.value == $1.value }
  }

  func encoded() -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(4 + values.count * 3)
    ReadingCodec.appendVarint(UInt64(device), to: &bytes)
    ReadingCodec.appendSigned(receivedAt &- time, to: &bytes)
    for (metric, value) in values { ReadingCodec.appendValue(metric: metric, value, to: &bytes) }
    return bytes
  }

  /// nil for bytes this code did not write (a damaged row is skipped, never trusted).
  init?(time: EpochMillis, bytes: [UInt8]) {
    var reader = ReadingCodec.Reader(bytes)
    guard let device = reader.varint(), let delta = reader.signed() else { return nil }
    var values: [(metric: Int64, value: Double)] = []
    while !reader.atEnd {
      guard let value = ReadingCodec.readValue(&reader) else { return nil }
      values.append(value)
    }
    self.init(device: Int64(device), time: time, receivedAt: time &+ delta, values: values)
  }

  init(device: Int64, time: EpochMillis, receivedAt: EpochMillis, values: [(metric: Int64, value: Double)]) {
    self.device = device
    self.time = time
    self.receivedAt = receivedAt
    self.values = values
  }
}

/// Many entries of one device, compacted: a row of `reading_chunks`.
/// Bytes: per entry, time − previous entry's time (zigzag; the first relative to the chunk's
/// start), the number of values, then the values. Receipt times are not kept (they only serve
/// `last_seen`, which is long written by then).
enum ChunkCodec {
  static func encode(start: EpochMillis, _ entries: [LogEntry]) -> [UInt8] {
    var bytes: [UInt8] = []
    var previous = start
    for entry in entries {
      ReadingCodec.appendSigned(entry.time &- previous, to: &bytes)
      ReadingCodec.appendVarint(UInt64(entry.values.count), to: &bytes)
      for (metric, value) in entry.values { ReadingCodec.appendValue(metric: metric, value, to: &bytes) }
      previous = entry.time
    }
    return bytes
  }

  static func decode(device: Int64, start: EpochMillis, _ bytes: [UInt8]) -> [LogEntry]? {
    var reader = ReadingCodec.Reader(bytes)
    var entries: [LogEntry] = []
    var previous = start
    while !reader.atEnd {
      guard let delta = reader.signed(), let count = reader.varint(), count <= UInt64(bytes.count) else {
        return nil
      }
      let time = previous &+ delta
      var values: [(metric: Int64, value: Double)] = []
      for _ in 0..<count {
        guard let value = ReadingCodec.readValue(&reader) else { return nil }
        values.append(value)
      }
      entries.append(LogEntry(device: device, time: time, receivedAt: time, values: values))
      previous = time
    }
    return entries
  }
}
