#if canImport(Glibc)
  import Glibc
#endif

/// A detached POSIX thread running `body` (the project has no Foundation on its main paths).
public enum ServerThread {
  private final class Body: Sendable {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
  }

  public static func start(_ body: @escaping @Sendable () -> Void) throws(HTTPListenerError) {
    let context = Unmanaged.passRetained(Body(body)).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(
      &thread, nil,
      { raw in
        guard let raw else { return nil }
        Unmanaged<Body>.fromOpaque(raw).takeRetainedValue().run()
        return nil
      }, context)
    guard rc == 0 else {
      Unmanaged<Body>.fromOpaque(context).release()
      throw HTTPListenerError(description: "pthread_create: \(String(cString: strerror(rc)))")
    }
    pthread_detach(thread)
  }
}
