import EventLoop
import Testing

@Suite("ClockTrust: does the agent believe its wall clock")
struct ClockTrustTests {
  let minute: Int64 = 60_000

  @Test func withNTPInSyncAndNoEvidenceTheClockIsTrusted() {
    var trust = ClockTrust()
    let assessment = trust.assess(ntpSynchronised: true, nowMs: 10 * minute)
    #expect(assessment.trusted && assessment.reason == nil)
    #expect(trust.assess(ntpSynchronised: nil, nowMs: 11 * minute).trusted)
  }

  @Test func theKernelSayingUnsynchronisedIsEnough() {
    var trust = ClockTrust()
    let assessment = trust.assess(ntpSynchronised: false, nowMs: minute)
    #expect(assessment.causes == [.ntpUnsynchronised])
    #expect(assessment.reason == "not NTP-synchronised")
  }

  @Test func manyDevicesDisagreeingCondemnTheClockButOneDeviceDoesNot() {
    var oneDevice = ClockTrust()
    for index in 0..<50 {
      oneDevice.noteStamped(device: "env-1", refusedForSkew: true, nowMs: minute + Int64(index))
    }
    #expect(oneDevice.assess(ntpSynchronised: true, nowMs: 2 * minute).trusted)

    var three = ClockTrust()
    for index in 0..<12 {
      three.noteStamped(device: "env-\(index % 3)", refusedForSkew: true, nowMs: minute + Int64(index))
    }
    let assessment = three.assess(ntpSynchronised: true, nowMs: 2 * minute)
    #expect(assessment.causes == [.deviceTimes])
    #expect(assessment.reason == "12 of 12 device-stamped messages in 10 min were too far from it")
  }

  @Test func aFewRefusalsAmongManyAcceptedStampsAreTheDevicesFault() {
    var trust = ClockTrust()
    for index in 0..<30 {
      trust.noteStamped(device: "env-\(index)", refusedForSkew: index < 12, nowMs: minute + Int64(index))
    }
    // 12 refused, 18 accepted: most stamps agree with the clock.
    #expect(trust.assess(ntpSynchronised: true, nowMs: 2 * minute).trusted)
  }

  @Test func evidenceAgesOutAfterTheWindow() {
    var trust = ClockTrust()
    for index in 0..<12 {
      trust.noteStamped(device: "env-\(index)", refusedForSkew: true, nowMs: minute)
    }
    #expect(!trust.assess(ntpSynchronised: true, nowMs: 4 * minute).trusted)
    #expect(!trust.assess(ntpSynchronised: true, nowMs: 9 * minute).trusted)
    #expect(trust.assess(ntpSynchronised: true, nowMs: 11 * minute).trusted)
  }

  @Test func oneJumpIsReportedTwoInTheWindowCondemn() {
    var trust = ClockTrust()
    trust.noteJump(byMs: 31_536_000_000, nowMs: minute)
    var assessment = trust.assess(ntpSynchronised: true, nowMs: 2 * minute)
    #expect(assessment.trusted)
    #expect(assessment.lastJumpMs == 31_536_000_000 && assessment.lastJumpAgoMs == minute)
    trust.noteJump(byMs: -7_000, nowMs: 3 * minute)
    assessment = trust.assess(ntpSynchronised: true, nowMs: 3 * minute)
    #expect(assessment.causes == [.jumping])
    #expect(assessment.lastJumpMs == -7_000)
  }
}
