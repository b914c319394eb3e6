/// A parsed request head. Only what a read-only page server needs: the method, the decoded path,
/// the query's parameters and the headers (names lower-cased).
public struct HTTPRequest: Sendable, Equatable {
  public var method: String
  /// Percent-decoded, e.g. `/schools/hcm-q1-th-0042`.
  public var path: String
  public var query: [String: String]
  public var headers: [String: String]

  public init(method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:]) {
    self.method = method
    self.path = path
    self.query = query
    self.headers = headers
  }

  /// The head (request line and header lines, without the blank line), or the status it earns:
  /// 400 for anything malformed, 505 for a version other than HTTP/1.0 and 1.1.
  public static func parse(head: ArraySlice<UInt8>) -> Result<HTTPRequest, HTTPResponse> {
    // Bytes outside printable ASCII (plus tab) have no place in a head this server accepts.
    guard head.allSatisfy({ ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }) else {
      return .failure(.text(400, "malformed request\n"))
    }
    let lines = String(decoding: head, as: UTF8.self).split(
      separator: "\r\n", omittingEmptySubsequences: false)
    let requestLine = lines.first.map { $0.split(separator: " ", omittingEmptySubsequences: false) } ?? []
    guard requestLine.count == 3, isToken(requestLine[0]), requestLine[1].hasPrefix("/") else {
      return .failure(.text(400, "malformed request line\n"))
    }
    guard requestLine[2] == "HTTP/1.1" || requestLine[2] == "HTTP/1.0" else {
      return .failure(.text(505, "HTTP/1.0 or HTTP/1.1 only\n"))
    }
    var headers: [String: String] = [:]
    for line in lines.dropFirst() {
      guard let colon = line.firstIndex(of: ":"), isToken(line[..<colon]) else {
        return .failure(.text(400, "malformed header line\n"))
      }
      let value = line[line.index(after: colon)...].trimmingSpaces
      headers[line[..<colon].lowercased()] = String(value)
    }
    // RFC 9112 §3.2: an HTTP/1.1 request without Host is answered 400.
    if requestLine[2] == "HTTP/1.1", headers["host"] == nil {
      return .failure(.text(400, "missing Host header\n"))
    }
    let target = requestLine[1]
    let pathPart = target.prefix { $0 != "?" }
    guard let path = percentDecoded(pathPart) else { return .failure(.text(400, "malformed path\n")) }
    var query: [String: String] = [:]
    if let mark = target.firstIndex(of: "?") {
      for pair in target[target.index(after: mark)...].split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard let name = percentDecoded(parts[0], plusIsSpace: true),
          let value = percentDecoded(parts.count > 1 ? parts[1] : "", plusIsSpace: true)
        else { return .failure(.text(400, "malformed query\n")) }
        query[name] = value
      }
    }
    return .success(HTTPRequest(method: String(requestLine[0]), path: path, query: query, headers: headers))
  }

  /// RFC 9110 token characters.
  static func isToken(_ text: Substring) -> Bool {
    !text.isEmpty
      && text.utf8.allSatisfy { byte in
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
          || "!#$%&'*+-.^_`|~".utf8.contains(byte)
      }
  }

  /// `%XX` sequences decoded; nil for a broken sequence or bytes that are not UTF-8.
  static func percentDecoded(_ text: Substring, plusIsSpace: Bool = false) -> String? {
    var bytes: [UInt8] = []
    var iterator = text.utf8.makeIterator()
    while let byte = iterator.next() {
      if byte == 0x25 {
        guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
          return nil
        }
        bytes.append(high << 4 | low)
      } else {
        bytes.append(plusIsSpace && byte == 0x2B ? 0x20 : byte)
      }
    }
    return String(validating: bytes, as: UTF8.self)
  }

  private static func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case 0x30...0x39: byte - 0x30
    case 0x41...0x46: byte - 0x37
    case 0x61...0x66: byte - 0x57
    default: nil
    }
  }
}

extension Substring {
  fileprivate var trimmingSpaces: Substring {
    var text = self
    while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
    while let last = text.last, last == " " || last == "\t" { text.removeLast() }
    return text
  }
}
