import Foundation

/// A datagram socket standing in for systemd's notification socket.
public final class NotifySocket: @unchecked Sendable {
  public let path: String
  private let fd: Int32

  public init(directory: TemporaryDirectory) throws {
    path = directory.file("notify.sock")
    fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
      for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
    }
    let rc = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
      }
    }
    guard rc == 0 else { throw TestFailure("cannot bind \(path)") }
  }

  /// Every datagram received within `seconds`.
  public func receive(for seconds: Double) -> [String] {
    var messages: [String] = []
    let deadline = Date().addingTimeInterval(seconds)
    var buffer = [UInt8](repeating: 0, count: 4096)
    while Date() < deadline {
      var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      guard poll(&descriptor, 1, 50) > 0 else { continue }
      let count = recv(fd, &buffer, buffer.count, 0)
      if count > 0 { messages.append(String(decoding: buffer[0..<count], as: UTF8.self)) }
    }
    return messages
  }

  deinit { close(fd) }
}
