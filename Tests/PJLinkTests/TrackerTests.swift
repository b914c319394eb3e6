import PJLink
import Testing

@Suite("PJLink projector status and backoff (pure)")
struct TrackerTests {
  static let projector = PJLinkProjector(id: "proj-101", room: "101", host: "10.0.0.5", intervalMs: 30_000)

  static func answered(power: String = "1") -> PollResult {
    var report = ProjectorReport()
    report.record(.power, parameter: power)
    report.record(.lamp, parameter: "100 1")
    report.refusals[.input] = .unavailableTime
    return .completed(.report(report))
  }

  @Test("online with telemetry; unreachable is offline once, then ever longer waits, capped")
  func unreachableBacksOff() {
    var tracker = ProjectorTracker(projector: Self.projector, maxBackoffMs: 120_000, firstDueMs: 0)
    let first = tracker.completed(Self.answered(), nowMs: 0)
    #expect(first.first == .status(.online))
    #expect(
      first.last == .telemetry([.init(name: "power_on", value: 1), .init(name: "lamp_hours", value: 100)]))
    #expect(tracker.nextDueMs == 30_000)
    #expect(tracker.counters.refusals == [.unavailableTime: 1])

    #expect(tracker.completed(.unreachable("connect refused"), nowMs: 30_000) == [.status(.offline)])
    #expect(tracker.nextDueMs == 60_000)
    #expect(tracker.completed(.unreachable("timeout"), nowMs: 60_000) == [])
    #expect(tracker.nextDueMs == 120_000)
    _ = tracker.completed(.unreachable("timeout"), nowMs: 120_000)
    #expect(tracker.nextDueMs == 240_000)
    _ = tracker.completed(.unreachable("timeout"), nowMs: 240_000)
    #expect(tracker.nextDueMs == 360_000, "capped at maxBackoffMs")

    let back = tracker.completed(Self.answered(power: "0"), nowMs: 400_000)
    #expect(back.first == .status(.online))
    #expect(tracker.nextDueMs == 430_000)
    #expect(tracker.counters.unreachable == 4)
    #expect(tracker.failures == 0)
  }

  @Test("a wrong password keeps the status and sends one event until a poll succeeds")
  func authenticationFailureKeepsStatus() {
    var tracker = ProjectorTracker(projector: Self.projector, maxBackoffMs: 300_000, firstDueMs: 0)
    _ = tracker.completed(Self.answered(), nowMs: 0)
    #expect(tracker.completed(.completed(.authenticationFailed), nowMs: 1) == [.authenticationFailedEvent])
    #expect(tracker.completed(.completed(.authenticationFailed), nowMs: 2) == [])
    #expect(tracker.status == .online)
    #expect(tracker.counters.authenticationFailures == 2)
    _ = tracker.completed(Self.answered(), nowMs: 3)
    #expect(tracker.completed(.completed(.passwordRequired), nowMs: 4) == [.authenticationFailedEvent])

    var fresh = ProjectorTracker(projector: Self.projector, maxBackoffMs: 300_000, firstDueMs: 0)
    #expect(fresh.completed(.completed(.authenticationFailed), nowMs: 0) == [.authenticationFailedEvent])
    #expect(fresh.status == nil, "no status is claimed for a projector never read")
  }

  @Test("dropped connections and protocol errors are counted, change nothing, and back off")
  func droppedAndProtocolErrors() {
    var tracker = ProjectorTracker(projector: Self.projector, maxBackoffMs: 300_000, firstDueMs: 0)
    _ = tracker.completed(Self.answered(), nowMs: 0)
    #expect(tracker.completed(.dropped("closed mid-exchange"), nowMs: 10) == [])
    #expect(tracker.completed(.completed(.protocolError("x")), nowMs: 20) == [])
    #expect(tracker.status == .online)
    #expect(tracker.counters.dropped == 1)
    #expect(tracker.counters.protocolErrors == 1)
    #expect(tracker.nextDueMs == 20 + 60_000)
  }
}
