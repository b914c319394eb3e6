#if canImport(Glibc)
  import Glibc
#endif

public enum Clock {
  /// CLOCK_MONOTONIC in milliseconds: timers must not jump when NTP moves the wall clock.
  public static func monotonicMs() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
  }

  /// Wall-clock time in milliseconds since the Unix epoch, for timestamps that are stored.
  public static func wallMs() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
  }
}
