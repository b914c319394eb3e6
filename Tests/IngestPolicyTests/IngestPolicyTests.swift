import Testing

@testable import Ingest

/// The commit-then-acknowledge rule without a broker or a store.
@Suite("ingest policy")
struct IngestPolicyTests {
  func policy() -> IngestPolicy {
    IngestPolicy(commitWindowMs: 1000, maxBatch: 10, maxBatchBytes: 1000, ackBatch: 4)
  }

  @Test func acknowledgementsWaitWhileAnythingReadIsUncommitted() {
    var policy = policy()
    #expect(policy.mayReleaseAcks)
    policy.held(qos: 0, bytes: 10, nowMs: 0)
    #expect(!policy.mayReleaseAcks)  // even a QoS 0 message holds the batch (and so every PUBACK)
    policy.held(qos: 1, bytes: 10, nowMs: 5)
    #expect(!policy.shouldCommit(nowMs: 999))
    #expect(policy.shouldCommit(nowMs: 1000))  // the window, from the oldest message
    policy.committed()
    #expect(policy.mayReleaseAcks && !policy.shouldCommit(nowMs: 1001))
  }

  @Test func aFullBatchByCountBytesOrPendingAcksCommitsAtOnce() {
    var byCount = policy()
    for _ in 0..<10 { byCount.held(qos: 0, bytes: 1, nowMs: 0) }
    #expect(byCount.shouldCommit(nowMs: 0) && !byCount.canRead && byCount.readLimit == 0)

    var byBytes = policy()
    byBytes.held(qos: 0, bytes: 1000, nowMs: 0)  // one big message: memory is the bound
    #expect(byBytes.shouldCommit(nowMs: 0) && !byBytes.canRead)

    var byAcks = policy()
    for _ in 0..<3 { byAcks.held(qos: 1, bytes: 1, nowMs: 0) }
    #expect(!byAcks.shouldCommit(nowMs: 0))
    byAcks.held(qos: 1, bytes: 1, nowMs: 0)
    #expect(byAcks.shouldCommit(nowMs: 0))  // the broker's in-flight window must never stall
  }

  @Test func aFailedCommitStopsReadingKeepsTheAcksAndRetriesWithBackoff() {
    var policy = policy()
    policy.held(qos: 1, bytes: 1, nowMs: 0)
    #expect(policy.commitFailed(nowMs: 1000) == 1)
    #expect(!policy.canRead && !policy.mayReleaseAcks)
    #expect(!policy.shouldCommit(nowMs: 1100) && policy.shouldCommit(nowMs: 1500))
    #expect(policy.commitDueMs() == 1500)
    policy.commitFailed(nowMs: 1500)
    #expect(policy.commitDueMs() == 2500)  // doubled
    for attempt in 3...20 { policy.commitFailed(nowMs: Int64(attempt) * 100_000) }
    let capped: Int64 = 2_000_000 + 30_000
    #expect(policy.commitDueMs() == capped)  // capped at 30 s
    policy.committed()
    #expect(policy.canRead && policy.mayReleaseAcks && policy.failures == 0)
  }

  @Test func stoppingCommitsAtOnceEvenWhileBackingOff() {
    var policy = policy()
    policy.held(qos: 1, bytes: 1, nowMs: 0)
    policy.commitFailed(nowMs: 0)
    policy.stop()
    #expect(policy.shouldCommit(nowMs: 1) && !policy.canRead)
  }

  @Test func aStaleSweepHoldsTheBatchLikeAMessage() {
    var policy = policy()
    policy.heldOther(nowMs: 50)
    #expect(!policy.mayReleaseAcks && policy.commitDueMs() == 1050)
  }
}

@Suite("device admission")
struct DeviceAdmissionTests {
  @Test func knownDevicesPassNewOnesAreCappedInAllAndPerFamilyPerMinute() {
    var admission = DeviceAdmission(maxDevices: 5, maxNewPerMinute: 2)
    #expect(admission.decide(known: false, deviceCount: 0, family: "zigbee2mqtt", nowMs: 0) == .admit)
    #expect(admission.decide(known: false, deviceCount: 1, family: "zigbee2mqtt", nowMs: 10) == .admit)
    guard
      case .refuse(let why) = admission.decide(known: false, deviceCount: 2, family: "zigbee2mqtt", nowMs: 20)
    else {
      Issue.record("a third new device in the minute was admitted")
      return
    }
    #expect(why.contains("devices.max_new_per_minute") && why.contains("zigbee2mqtt"))
    // Another family has its own allowance; a known device is never refused.
    #expect(admission.decide(known: false, deviceCount: 2, family: "tasmota", nowMs: 30) == .admit)
    #expect(admission.decide(known: true, deviceCount: 3, family: "zigbee2mqtt", nowMs: 40) == .admit)
    // The next minute: new ones again, up to the cap in all.
    #expect(admission.decide(known: false, deviceCount: 3, family: "zigbee2mqtt", nowMs: 60_000) == .admit)
    #expect(admission.decide(known: false, deviceCount: 4, family: "zigbee2mqtt", nowMs: 60_001) == .admit)
    guard
      case .refuse(let capped) = admission.decide(
        known: false, deviceCount: 5, family: "native", nowMs: 60_002)
    else {
      Issue.record("a device past devices.max was admitted")
      return
    }
    #expect(capped.contains("devices.max"))
    #expect(admission.takeRefusals() == ["zigbee2mqtt": 1, "native": 1])
    #expect(admission.takeRefusals().isEmpty)
  }
}
