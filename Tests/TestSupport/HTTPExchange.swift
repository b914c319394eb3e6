import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A raw TCP client for HTTP tests: what curl will not send (oversized heads, bad methods,
/// idle connections), and what a response looks like on the wire.
public final class RawClient: @unchecked Sendable {
  public let fd: Int32

  public init(port: Int) throws {
    guard let fd = connectToLoopback(port: Int32(port)) else {
      throw TestFailure("connect 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
    }
    self.fd = fd
  }

  public func send(_ text: String) {
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
  }

  /// Everything until the server closes, or nil if it has not closed within `timeout` seconds.
  public func readToEnd(timeout: Double = 10) -> String? {
    var received: [UInt8] = []
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      guard poll(&descriptor, 1, 50) > 0 else { continue }
      var chunk = [UInt8](repeating: 0, count: 65536)
      let count = recv(fd, &chunk, chunk.count, 0)
      if count <= 0 { return String(decoding: received, as: UTF8.self) }
      received += chunk[0..<count]
    }
    return nil
  }

  /// True when something (data or the close) arrives within `timeout` seconds.
  public func hasInput(within timeout: Double) -> Bool {
    var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    return poll(&descriptor, 1, Int32(timeout * 1000)) > 0
  }

  deinit { close(fd) }
}

/// `curl -s -i` (with the request method) against 127.0.0.1: status, headers, body.
public struct CurlResponse: Sendable {
  public var status: Int
  /// Names lower-cased.
  public var headers: [String: String]
  public var body: String

  public static func fetch(_ url: String, method: String = "GET") throws -> CurlResponse {
    let flag = method == "HEAD" ? "-I" : "-X \(method)"
    let result = try runShell("curl -s -i --max-time 20 \(flag) '\(url)'")
    guard result.status == 0 else { throw TestFailure("curl \(url): exit \(result.status) \(result.stdout)") }
    guard let split = result.stdout.range(of: "\r\n\r\n") else {
      throw TestFailure("no head: \(result.stdout)")
    }
    let lines = result.stdout[..<split.lowerBound].components(separatedBy: "\r\n")
    let status = Int(lines[0].split(separator: " ").dropFirst().first ?? "") ?? 0
    var headers: [String: String] = [:]
    for line in lines.dropFirst() {
      guard let colon = line.firstIndex(of: ":") else { continue }
      headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
        in: .whitespaces)
    }
    return CurlResponse(status: status, headers: headers, body: String(result.stdout[split.upperBound...]))
  }
}
