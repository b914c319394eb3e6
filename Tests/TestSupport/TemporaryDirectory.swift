import Foundation

/// A fresh directory under /tmp, removed by `remove()`.
public final class TemporaryDirectory: @unchecked Sendable {
  public let path: String

  public init(prefix: String = "classgate-test") {
    var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
    let result = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    precondition(result != nil, "mkdtemp failed")
    path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  public func file(_ name: String) -> String { "\(path)/\(name)" }

  public func write(_ name: String, _ contents: String, mode: Int = 0o644) throws -> String {
    let target = file(name)
    try contents.write(toFile: target, atomically: true, encoding: .utf8)
    chmod(target, mode_t(mode))
    return target
  }

  public func remove() {
    try? FileManager.default.removeItem(atPath: path)
  }
}

/// A TCP port on 127.0.0.1 that was free a moment ago (bind to 0, read it back, close).
public func freeLoopbackPort() -> Int32 {
  let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
  defer { close(fd) }
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_addr.s_addr = inet_addr("127.0.0.1")
  address.sin_port = 0
  var length = socklen_t(MemoryLayout<sockaddr_in>.size)
  _ = withUnsafeMutablePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
  }
  _ = withUnsafeMutablePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
  }
  return Int32(UInt16(bigEndian: address.sin_port))
}

/// True once something accepts TCP connections on 127.0.0.1:port.
public func isListening(port: Int32) -> Bool {
  guard let fd = connectToLoopback(port: port) else { return false }
  close(fd)
  return true
}

/// A TCP socket connected to 127.0.0.1:port, or nil (with `errno` saying why).
public func connectToLoopback(port: Int32) -> Int32? {
  let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_addr.s_addr = inet_addr("127.0.0.1")
  address.sin_port = UInt16(port).bigEndian
  let rc = withUnsafeMutablePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
    }
  }
  guard rc == 0 else {
    let saved = errno
    close(fd)
    errno = saved
    return nil
  }
  return fd
}

/// Polls `condition` every 20 ms until it holds or `timeout` seconds pass; returns the last result.
@discardableResult
public func waitUntil(timeout: Double, _ condition: () throws -> Bool) rethrows -> Bool {
  let deadline = Date().addingTimeInterval(timeout)
  while Date() < deadline {
    if try condition() { return true }
    usleep(20_000)
  }
  return try condition()
}
