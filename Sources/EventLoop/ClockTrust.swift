/// Whether the agent believes its own wall clock. A school box often has no RTC: until NTP syncs,
/// its clock can be hours or a year off, and every receipt time, window and day it computes is off
/// with it. Three signs, each cheap: the kernel's NTP status, the wall clock jumping against the
/// monotonic clock, and correctly stamped devices all "disagreeing" with it at once. Pure: the
/// caller feeds what it saw and says what time it is (monotonic milliseconds).
public struct ClockTrust: Sendable, Equatable {
  /// What makes the clock untrusted.
  public enum Cause: String, Sendable, Hashable {
    case ntpUnsynchronised, jumping, deviceTimes
  }

  public struct Assessment: Sendable, Equatable {
    public var trusted: Bool { causes.isEmpty }
    public var causes: Set<Cause>
    /// nil when the kernel cannot say.
    public var ntpSynchronised: Bool?
    /// Why the clock is not trusted, in words; nil when it is.
    public var reason: String?
    /// The last jump seen: how far (positive: forward) and how long ago.
    public var lastJumpMs: Int64?
    public var lastJumpAgoMs: Int64?

    public init(
      causes: Set<Cause>, ntpSynchronised: Bool?, reason: String?, lastJumpMs: Int64? = nil,
      lastJumpAgoMs: Int64? = nil
    ) {
      self.causes = causes
      self.ntpSynchronised = ntpSynchronised
      self.reason = reason
      self.lastJumpMs = lastJumpMs
      self.lastJumpAgoMs = lastJumpAgoMs
    }
  }

  /// Evidence is counted over this window (two half-windows, so old evidence ages out).
  public static let windowMs: Int64 = 10 * 60_000
  /// Device timestamps condemn the clock only when this many were refused for their time…
  public static let minSkewRefusals = 10
  /// …from at least this many devices (one device with a wrong clock is that device's fault)…
  public static let minSkewDevices = 3
  /// Two jumps within the window: the clock keeps being set (or fought over by two time sources).
  public static let jumpsThatCondemn = 2

  private struct Tally: Sendable, Equatable {
    var start: Int64 = .min
    var stampedAccepted = 0
    var skewRefused = 0
    var devices: Set<String> = []
    var jumps = 0
  }
  private var current = Tally()
  private var previous = Tally()
  private struct Jump: Sendable, Equatable {
    var byMs: Int64
    var atMs: Int64
  }
  private var lastJump: Jump?

  public init() {}

  /// A message whose device stamped its own time: accepted, or refused as too far from the clock.
  public mutating func noteStamped(device: String, refusedForSkew: Bool, nowMs: Int64) {
    roll(nowMs)
    if refusedForSkew {
      current.skewRefused += 1
      if current.devices.count < Self.minSkewDevices { current.devices.insert(device) }
    } else {
      current.stampedAccepted += 1
    }
  }

  public mutating func noteJump(byMs: Int64, nowMs: Int64) {
    roll(nowMs)
    current.jumps += 1
    lastJump = Jump(byMs: byMs, atMs: nowMs)
  }

  public mutating func assess(ntpSynchronised: Bool?, nowMs: Int64) -> Assessment {
    roll(nowMs)
    let refused = current.skewRefused + previous.skewRefused
    let accepted = current.stampedAccepted + previous.stampedAccepted
    let devices = current.devices.union(previous.devices).count
    let jumps = current.jumps + previous.jumps
    var causes: Set<Cause> = []
    var reasons: [String] = []
    if ntpSynchronised == false {
      causes.insert(.ntpUnsynchronised)
      reasons.append("not NTP-synchronised")
    }
    if jumps >= Self.jumpsThatCondemn {
      causes.insert(.jumping)
      reasons.append("jumped \(jumps) times in 10 min")
    }
    if refused >= Self.minSkewRefusals, devices >= Self.minSkewDevices, refused >= accepted {
      causes.insert(.deviceTimes)
      reasons.append(
        "\(refused) of \(refused + accepted) device-stamped messages in 10 min were too far from it")
    }
    return Assessment(
      causes: causes, ntpSynchronised: ntpSynchronised,
      reason: reasons.isEmpty ? nil : reasons.joined(separator: "; "),
      lastJumpMs: lastJump?.byMs, lastJumpAgoMs: lastJump.map { nowMs - $0.atMs })
  }

  private mutating func roll(_ nowMs: Int64) {
    let half = Self.windowMs / 2
    let start = nowMs - nowMs % half
    guard start != current.start else { return }
    previous = current.start == start - half ? current : Tally()
    current = Tally(start: start)
  }
}
