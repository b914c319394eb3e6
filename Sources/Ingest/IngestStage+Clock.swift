import Buffer
import DeviceModel
import EventLoop

/// The ingest stage's view of the wall clock: what devices' own timestamps say about it, told to
/// the log when trust changes and kept in the store for `doctor` and the IOC's presence.
extension IngestStage {
  /// Every 30 s at most: how often the meta rows may be rewritten while the clock is not trusted.
  static let clockCheckEveryMs: Int64 = 30_000

  public func clockAssessment() -> ClockTrust.Assessment {
    clockTrust.assess(ntpSynchronised: SystemFacts.clockSynchronized(), nowMs: Clock.monotonicMs())
  }

  func noteDeviceTime(_ result: DecodeResult, topic: String) {
    switch result {
    case .decoded(let decoded) where decoded.isDeviceStamped:
      clockTrust.noteStamped(device: decoded.device.id, refusedForSkew: false, nowMs: Clock.monotonicMs())
    case .deadLetter(let reason) where reason.clockSkewMs != nil:
      // The device is not known yet (decoding stopped at its timestamp): its topic stands for it.
      clockTrust.noteStamped(device: topic, refusedForSkew: true, nowMs: Clock.monotonicMs())
    default:
      break
    }
  }

  /// At every sweep: a change of cause is written (and logged) at once; a changed count in the
  /// reason at most every 30 s.
  func checkClock(nowMs: Int64) {
    let assessment = clockAssessment()
    let newCauses = assessment.causes != clockLastTold?.causes
    let due = nowMs >= nextClockCheckMs
    guard newCauses || (due && (clockMetaUnwritten || assessment.reason != clockLastTold?.reason))
    else { return }
    nextClockCheckMs = nowMs + Self.clockCheckEveryMs
    if newCauses {
      if assessment.trusted {
        if clockLastTold != nil { logger.notice("The wall clock is trusted again") }
      } else {
        logger.warning(
          "The wall clock is not trusted: receipt times, windows and days may be wrong",
          metadata: ["reason": "\(assessment.reason ?? "")"])
      }
    }
    do {
      try writer.setMeta(MetaKey.clockTrusted, assessment.trusted ? "1" : "0")
      try writer.setMeta(MetaKey.clockReason, assessment.reason ?? "")
      clockMetaUnwritten = false
    } catch {
      // Written again at the next check (the log line is not repeated).
      clockMetaUnwritten = true
    }
    clockLastTold = assessment
  }
}

extension DecodedMessage {
  /// The device stamped this message's time itself (so it can disagree with the agent's clock).
  var isDeviceStamped: Bool {
    switch content {
    case .readings(let readings): readings.first.map { !$0.receiptTimed } ?? false
    case .event(let event): !event.receiptTimed
    case .status: false
    }
  }
}
