import EventLoop
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Bounds on what one client may cost the server.
public struct HTTPLimits: Sendable {
  /// Request line and headers together; more earns a 431.
  public var maxHeadBytes = 8192
  /// Connections served at once; more wait in the kernel's backlog.
  public var maxConnections = 32
  /// From accept to the whole head, and again for sending the response: a slow or idle client
  /// is closed after this.
  public var timeoutMs: Int64 = 10_000

  public init() {}
}

/// Why the listening socket could not be made, in words ("bind 127.0.0.1:8480: Address in use").
public struct HTTPListenerError: Error, Sendable, CustomStringConvertible {
  public let description: String
}

/// A listening TCP socket and the loop that serves it: one thread, `poll(2)` over the listener
/// and every connection, non-blocking sockets, one request per connection. All of the page
/// server's socket calls are in this file; nothing above it sees a descriptor's pointer.
public final class HTTPListener: Sendable {
  private let fd: Int32
  /// The bound port (the one asked for, or the kernel's choice for 0).
  public let port: Int
  private let stopping = Atomic<Bool>(false)

  /// Binds `host` (an IPv4 or IPv6 address literal) and `port`, and listens.
  public init(host: String, port: Int) throws(HTTPListenerError) {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE
    var found: UnsafeMutablePointer<addrinfo>?
    let rc = getaddrinfo(host, String(port), &hints, &found)
    guard rc == 0, let address = found else {
      throw HTTPListenerError(description: "\(host): \(String(cString: gai_strerror(rc)))")
    }
    defer { freeaddrinfo(found) }
    let fd = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw HTTPListenerError(description: "socket: \(Self.lastError)") }
    var one: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    guard bind(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0, listen(fd, 64) == 0 else {
      let message = "bind \(host):\(port): \(Self.lastError)"
      close(fd)
      throw HTTPListenerError(description: message)
    }
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    var bound = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    _ = withUnsafeMutablePointer(to: &bound) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    let networkPort =
      bound.ss_family == sa_family_t(AF_INET6)
      ? withUnsafePointer(to: &bound) {
        $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_port }
      }
      : withUnsafePointer(to: &bound) {
        $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port }
      }
    self.fd = fd
    self.port = Int(UInt16(bigEndian: networkPort))
  }

  /// Makes `serve` return within its poll interval (from any thread).
  public func stop() { stopping.store(true, ordering: .relaxed) }

  /// Serves until `stop()`: GET and HEAD go to `handler` (HEAD's body is dropped), any other
  /// method earns a 405. The handler runs on this thread, between polls.
  public func serve(limits: HTTPLimits = HTTPLimits(), handler: (HTTPRequest) -> HTTPResponse) {
    var connections: [HTTPConnection] = []
    defer {
      for connection in connections { close(connection.fd) }
      close(fd)
    }
    while !stopping.load(ordering: .relaxed) {
      var interests = connections.map { Poller.Interest(fd: $0.fd, read: !$0.isWriting, write: $0.isWriting) }
      if connections.count < limits.maxConnections { interests.append(Poller.Interest(fd: fd)) }
      let ready = Poller.wait(interests, timeoutMs: 200)
      let now = Clock.monotonicMs()
      if ready.contains(where: { $0.fd == fd }) {
        while connections.count < limits.maxConnections {
          // accept4 is not in Swift's Glibc module: the flags follow with fcntl.
          let client = accept(fd, nil, nil)
          guard client >= 0 else { break }
          _ = fcntl(client, F_SETFD, FD_CLOEXEC)
          _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
          connections.append(HTTPConnection(fd: client, deadlineMs: now + limits.timeoutMs))
        }
      }
      for index in connections.indices where ready.contains(where: { $0.fd == connections[index].fd }) {
        if connections[index].isWriting {
          connections[index].send(nowMs: now)
        } else {
          connections[index].receive(limits: limits, nowMs: now, handler: handler)
        }
      }
      connections.removeAll { connection in
        let done = connection.isDone || now >= connection.deadlineMs
        if done { close(connection.fd) }
        return done
      }
    }
  }

  static var lastError: String { String(cString: strerror(errno)) }
}

/// One client: its head as it arrives, then its response as it leaves, then a short linger that
/// reads what the client still sends, so that closing does not reset the response away.
struct HTTPConnection {
  enum State { case reading, writing, lingering, done }

  let fd: Int32
  var deadlineMs: Int64
  private(set) var state = State.reading
  private var input: [UInt8] = []
  private var output: [UInt8] = []
  private var sent = 0

  init(fd: Int32, deadlineMs: Int64) {
    self.fd = fd
    self.deadlineMs = deadlineMs
  }

  var isWriting: Bool { state == .writing }
  var isDone: Bool { state == .done }

  mutating func receive(limits: HTTPLimits, nowMs: Int64, handler: (HTTPRequest) -> HTTPResponse) {
    var chunk = [UInt8](repeating: 0, count: 4096)
    let count = recv(fd, &chunk, chunk.count, 0)
    guard count > 0 else {
      if count == 0 || (errno != EAGAIN && errno != EINTR) { state = .done }
      return
    }
    guard state == .reading else { return }  // lingering: discarded
    let searchFrom = max(0, input.count - 3)
    input += chunk[0..<count]
    if let end = Self.headEnd(input, from: searchFrom) {
      guard end <= limits.maxHeadBytes else {
        return respond(.text(431, "request head too large\n"), nowMs, limits)
      }
      let head = input[0..<end]
      switch HTTPRequest.parse(head: head) {
      case .failure(let response): respond(response, nowMs, limits)
      case .success(let request) where request.method == "GET" || request.method == "HEAD":
        respond(handler(request), nowMs, limits, includeBody: request.method == "GET")
      case .success:
        var refusal = HTTPResponse.text(405, "only GET and HEAD\n")
        refusal.headers.append((name: "Allow", value: "GET, HEAD"))
        respond(refusal, nowMs, limits)
      }
    } else if input.count > limits.maxHeadBytes {
      respond(.text(431, "request head too large\n"), nowMs, limits)
    }
  }

  private mutating func respond(
    _ response: HTTPResponse, _ nowMs: Int64, _ limits: HTTPLimits, includeBody: Bool = true
  ) {
    output = response.serialized(includeBody: includeBody)
    input = []
    state = .writing
    deadlineMs = nowMs + limits.timeoutMs
    send(nowMs: nowMs)
  }

  mutating func send(nowMs: Int64) {
    let count = output[sent...].withUnsafeBytes { bytes in
      Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
    }
    guard count >= 0 else {
      if errno != EAGAIN && errno != EINTR { state = .done }
      return
    }
    sent += count
    guard sent == output.count else { return }
    shutdown(fd, Int32(SHUT_WR))
    state = .lingering
    deadlineMs = min(deadlineMs, nowMs + 1000)
  }

  /// The index just past the blank line that ends the head (the head itself excludes it).
  static func headEnd(_ bytes: [UInt8], from start: Int) -> Int? {
    guard bytes.count >= 4 else { return nil }
    for index in start...(bytes.count - 4)
    where bytes[index] == 0x0D && bytes[index + 1] == 0x0A && bytes[index + 2] == 0x0D
      && bytes[index + 3] == 0x0A
    {
      return index
    }
    return nil
  }
}
