#if canImport(Glibc)
  import Glibc
#endif

/// Why a socket operation failed, in words ("connect 10.1.2.3:4352: Connection refused").
public struct SocketError: Error, Sendable, Equatable, CustomStringConvertible {
  public enum Kind: Sendable, Equatable {
    /// No connection was made (refused, no route, timeout, name not found).
    case unreachable
    /// The connection closed, failed or stalled after it was made.
    case lost
  }

  public let kind: Kind
  public let description: String
}

/// A TCP connection that reads CR-terminated lines, every step bounded by a timeout. All of the
/// PJLink poller's C calls are in this file: non-blocking `connect` finished with `poll`, then
/// `poll` before every `read` and `write` (NIO's and mosquitto's approach, in miniature).
///
/// Not Sendable: one thread owns it.
public final class LineSocket {
  private var fd: Int32
  private var buffered: [UInt8] = []
  private let peer: String

  /// Connects to `host:port` (an IPv4/IPv6 address or a name), within `timeoutMs`.
  public init(host: String, port: Int, timeoutMs: Int) throws(SocketError) {
    peer = "\(host):\(port)"
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var found: UnsafeMutablePointer<addrinfo>?
    let rc = getaddrinfo(host, String(port), &hints, &found)
    guard rc == 0, let first = found else {
      throw SocketError(
        kind: .unreachable, description: "resolve \(host): \(String(cString: gai_strerror(rc)))")
    }
    defer { freeaddrinfo(found) }
    // Every address the name has, in getaddrinfo's order (a name with an unreachable IPv6
    // address and a working IPv4 one still connects); the last failure is the one reported.
    var failure = SocketError(kind: .unreachable, description: "connect \(peer): no address")
    var candidate: UnsafeMutablePointer<addrinfo>? = first
    while let address = candidate {
      candidate = address.pointee.ai_next
      do throws(SocketError) {
        fd = try Self.connect(address.pointee, peer: peer, timeoutMs: timeoutMs)
        return
      } catch {
        failure = error
      }
    }
    fd = -1
    throw failure
  }

  /// A non-blocking connect to one address, finished with `poll` within `timeoutMs`.
  private static func connect(_ address: addrinfo, peer: String, timeoutMs: Int) throws(SocketError) -> Int32
  {
    let fd = socket(address.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw failure(.unreachable, "socket", peer) }
    let flags = fcntl(fd, F_GETFL)
    _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
    guard Glibc.connect(fd, address.ai_addr, address.ai_addrlen) != 0 else { return fd }
    guard errno == EINPROGRESS else {
      let error = failure(.unreachable, "connect", peer)
      Glibc.close(fd)
      throw error
    }
    guard wait(fd, events: Int16(POLLOUT), timeoutMs: timeoutMs) else {
      Glibc.close(fd)
      throw SocketError(kind: .unreachable, description: "connect \(peer): timed out after \(timeoutMs) ms")
    }
    var problem: Int32 = 0
    var length = socklen_t(MemoryLayout<Int32>.size)
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &problem, &length)
    guard problem == 0 else {
      Glibc.close(fd)
      throw SocketError(
        kind: .unreachable, description: "connect \(peer): \(String(cString: strerror(problem)))")
    }
    return fd
  }

  deinit { close() }

  public func close() {
    if fd >= 0 { Glibc.close(fd) }
    fd = -1
  }

  /// The next line without its CR (a CR LF ending loses the LF too), at most `maxBytes` long.
  public func readLine(timeoutMs: Int, maxBytes: Int) throws(SocketError) -> String {
    var chunk = [UInt8](repeating: 0, count: 512)
    while true {
      if let end = buffered.firstIndex(of: 13) {
        let line = Array(buffered[..<end])
        buffered.removeSubrange(...end)
        if buffered.first == 10 { buffered.removeFirst() }
        return String(decoding: line.filter { $0 != 10 }, as: UTF8.self)
      }
      guard buffered.count <= maxBytes else {
        throw SocketError(kind: .lost, description: "\(peer) sent a line longer than \(maxBytes) bytes")
      }
      guard wait(events: Int16(POLLIN), timeoutMs: timeoutMs) else {
        throw SocketError(kind: .lost, description: "\(peer): no answer within \(timeoutMs) ms")
      }
      let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if count == 0 {
        throw SocketError(kind: .lost, description: "\(peer) closed the connection mid-exchange")
      }
      if count < 0 {
        if errno == EINTR || errno == EAGAIN { continue }
        throw Self.failure(.lost, "read", peer)
      }
      buffered.append(contentsOf: chunk[0..<count])
    }
  }

  public func write(_ bytes: [UInt8], timeoutMs: Int) throws(SocketError) {
    var offset = 0
    while offset < bytes.count {
      guard wait(events: Int16(POLLOUT), timeoutMs: timeoutMs) else {
        throw SocketError(kind: .lost, description: "\(peer): write timed out after \(timeoutMs) ms")
      }
      let count = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
      if count < 0 {
        if errno == EINTR || errno == EAGAIN { continue }
        throw Self.failure(.lost, "write", peer)
      }
      offset += count
    }
  }

  private func wait(events: Int16, timeoutMs: Int) -> Bool {
    Self.wait(fd, events: events, timeoutMs: timeoutMs)
  }

  /// Polls for `events` or an error; false on timeout. EINTR restarts the wait (slightly longer).
  private static func wait(_ fd: Int32, events: Int16, timeoutMs: Int) -> Bool {
    var descriptor = pollfd(fd: fd, events: events, revents: 0)
    while true {
      let rc = poll(&descriptor, 1, Int32(clamping: timeoutMs))
      if rc < 0 && errno == EINTR { continue }
      return rc > 0
    }
  }

  private static func failure(_ kind: SocketError.Kind, _ operation: String, _ peer: String) -> SocketError {
    SocketError(kind: kind, description: "\(operation) \(peer): \(String(cString: strerror(errno)))")
  }
}

@available(*, unavailable)
extension LineSocket: Sendable {}
