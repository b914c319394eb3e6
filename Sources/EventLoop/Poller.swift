#if canImport(Glibc)
  import Glibc
#endif

/// One `poll(2)` over a few descriptors.
public enum Poller {
  public struct Interest: Sendable, Equatable {
    public var fd: Int32
    public var read: Bool
    public var write: Bool
    public init(fd: Int32, read: Bool = true, write: Bool = false) {
      self.fd = fd
      self.read = read
      self.write = write
    }
  }

  public struct Readiness: Sendable, Equatable {
    public var fd: Int32
    public var readable: Bool
    public var writable: Bool
    /// Error or hang-up: the caller's next read will report it.
    public var failed: Bool
  }

  /// Waits up to `timeoutMs` (-1: forever). EINTR counts as "nothing ready".
  public static func wait(_ interests: [Interest], timeoutMs: Int32) -> [Readiness] {
    var descriptors = interests.map { interest in
      var events: Int16 = 0
      if interest.read { events |= Int16(POLLIN) }
      if interest.write { events |= Int16(POLLOUT) }
      return pollfd(fd: interest.fd, events: events, revents: 0)
    }
    let rc = poll(&descriptors, nfds_t(descriptors.count), timeoutMs)
    guard rc > 0 else { return [] }
    return descriptors.compactMap { descriptor in
      guard descriptor.revents != 0 else { return nil }
      let revents = Int32(descriptor.revents)
      return Readiness(
        fd: descriptor.fd, readable: revents & Int32(POLLIN) != 0,
        writable: revents & Int32(POLLOUT) != 0,
        failed: revents & (Int32(POLLERR) | Int32(POLLHUP) | Int32(POLLNVAL)) != 0)
    }
  }
}
