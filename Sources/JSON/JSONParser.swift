/// Strict RFC 8259 parser for untrusted device payloads: anything a lenient parser would guess at
/// (NaN, comments, trailing commas, duplicate keys, bad UTF-8) is rejected with an offset instead.
public struct JSONParser {
  /// Bounds the work and memory one payload can cost; defaults suit MQTT device traffic.
  public struct Limits: Sendable {
    /// Maximum nesting of arrays and objects; a top-level scalar is depth 0. Parsing never
    /// recurses, but destroying, comparing and writing a value recurse once per level, so a
    /// raised limit should stay in the hundreds, not the millions.
    public var maxDepth: Int = 32
    public var maxBytes: Int = 1 << 20

    public init(maxDepth: Int = 32, maxBytes: Int = 1 << 20) {
      self.maxDepth = maxDepth
      self.maxBytes = maxBytes
    }
  }

  public static func parse(_ bytes: [UInt8], limits: Limits = .init()) throws(JSONError)
    -> JSONValue
  {
    try parseResult(bytes, limits: limits).get()
  }

  public static func parse(_ text: String, limits: Limits = .init()) throws(JSONError)
    -> JSONValue
  {
    let result = text.utf8.withContiguousStorageIfAvailable {
      JSONScanner.parse($0, limits: limits)
    }
    return try (result ?? parseResult(Array(text.utf8), limits: limits)).get()
  }

  /// Zero-copy entry point for payloads still owned by a C library (e.g. a mosquitto message).
  public static func parse(_ buffer: UnsafeRawBufferPointer, limits: Limits = .init())
    throws(JSONError) -> JSONValue
  {
    try JSONScanner.parse(buffer.assumingMemoryBound(to: UInt8.self), limits: limits).get()
  }

  private static func parseResult(_ bytes: [UInt8], limits: Limits) -> JSONScanner.ParseResult {
    bytes.withUnsafeBufferPointer { JSONScanner.parse($0, limits: limits) }
  }
}
