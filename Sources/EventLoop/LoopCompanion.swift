/// Work that shares the agent's one thread with ingest (the uplink): its sockets are polled with
/// the local broker's, its timers shorten the poll timeout, and it gets a turn after every batch
/// is committed. No locks, one SQLite writer at a time.
public protocol LoopCompanion: AnyObject {
  /// File descriptors to poll this turn.
  func pollInterests() -> [Poller.Interest]
  /// Milliseconds until it next needs a turn without any socket activity.
  func millisecondsUntilDue(nowMs: Int64) -> Int64
  /// One turn: handle ready sockets and whatever is due. Must not block for long.
  func turn(ready: [Poller.Readiness], nowMs: Int64)
  /// SIGTERM: say goodbye (the agent then exits).
  func shutDown()
}
