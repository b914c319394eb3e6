import Buffer
import Foundation
import TestSupport
import Testing

@Suite("QoS 1 survives kill -9", .serialized)
struct CrashSafetyTests {
  /// The guarantee of the commit-before-acknowledge loop: the agent is SIGKILLed twice while a device
  /// streams at QoS 1; after restarts every message is stored exactly once.
  @Test func killNineUnderSteadyQoS1StreamLosesAndDuplicatesNothing() throws {
    let harness = try AgentHarness()
    try harness.startAgent()
    let total = 6000
    let messages = sequenceMessages(device: "env-k", count: total, base: nowMillis() - 120_000)

    let done = DispatchSemaphore(value: 0)
    let failure = LockedBox<String?>(nil)
    let published = LockedBox(0)
    DispatchQueue.global().async {
      do {
        let device = try harness.publisher("env-k-publisher")
        for start in stride(from: 0, to: total, by: 50) {
          try device.publish(Array(messages[start..<min(total, start + 50)]))
          published.value = start + 50
          usleep(20_000)
        }
      } catch {
        failure.value = "\(error)"
      }
      done.signal()
    }

    var kills = 0
    for threshold in [800, 2400] {
      // Kill while readings are still arriving.
      #expect(
        waitUntil(timeout: 30) {
          ((try? harness.reader().readingCount(device: "env-k")) ?? 0) >= threshold * 2
        })
      #expect(harness.agent.stop(signal: SIGKILL) != nil)
      // The stream is still running: the kill happened mid-stream, not after it.
      #expect(published.value < total)
      kills += 1
      try harness.startAgent(subscribedCount: kills + 1)
    }
    #expect(done.wait(timeout: .now() + 60) == .success)
    #expect(failure.value == nil)

    #expect(
      waitUntil(timeout: 30) {
        ((try? harness.reader().readingCount(device: "env-k")) ?? 0) == total * 2
      })
    let seqs = try harness.reader().readings(device: "env-k", metric: "seq").map { Int($0.value) }
    #expect(seqs.count == total)
    #expect(seqs == Array(0..<total))
    #expect(kills == 2)
  }
}

final class LockedBox<Value>: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: Value
  init(_ value: Value) { stored = value }
  var value: Value {
    get { lock.withLock { stored } }
    set { lock.withLock { stored = newValue } }
  }
}
