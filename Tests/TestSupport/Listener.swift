import Foundation

/// A loopback TCP listener the test drives by hand. Until `accept()`, the kernel completes TCP
/// handshakes into the backlog and nothing ever answers: a black-holed broker.
public final class Listener: @unchecked Sendable {
  public let fd: Int32
  public let port: Int32

  public init() throws {
    fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let fd = self.fd
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 8) == 0 }
    }
    guard bound else { throw TestFailure("cannot listen on loopback") }
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    port = Int32(UInt16(bigEndian: address.sin_port))
  }

  /// A waiting connection, if there is one (never blocks).
  public func accept() -> Int32? {
    var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    guard poll(&descriptor, 1, 0) > 0 else { return nil }
    let peer = Glibc.accept(fd, nil, nil)
    return peer >= 0 ? peer : nil
  }

  deinit { close(fd) }
}
