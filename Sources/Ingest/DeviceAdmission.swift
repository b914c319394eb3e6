/// Whether a message from a device ClassGate has not seen yet may create it. A misbehaving or
/// hostile client publishing under thousands of ids must not grow the store, the memory and the
/// IOC's summaries without bound: past `maxDevices` in all, or `maxNewPerMinute` new devices in a
/// minute from one topic family (the profile that decoded them), new devices are refused (a
/// counted dead letter); devices already known are never refused. Pure: the caller says what is
/// known and what time it is.
public struct DeviceAdmission: Sendable, Equatable {
  public var maxDevices: Int
  public var maxNewPerMinute: Int

  private var minute: Int64 = .min
  private var newThisMinute: [String: Int] = [:]
  /// Refusals since the last `takeRefusals`, per family (for a log line once per interval).
  public private(set) var refusals: [String: Int] = [:]

  public init(maxDevices: Int, maxNewPerMinute: Int) {
    self.maxDevices = maxDevices
    self.maxNewPerMinute = maxNewPerMinute
  }

  public enum Decision: Sendable, Equatable {
    case admit
    case refuse(String)
  }

  /// `known`: the device exists already; `deviceCount`: devices known now.
  public mutating func decide(known: Bool, deviceCount: Int, family: String, nowMs: Int64) -> Decision {
    if known { return .admit }
    let current = nowMs / 60_000
    if current != minute {
      minute = current
      newThisMinute.removeAll(keepingCapacity: true)
    }
    if deviceCount >= maxDevices {
      refusals[family, default: 0] += 1
      return .refuse("the device limit of \(maxDevices) is reached (devices.max)")
    }
    if newThisMinute[family, default: 0] >= maxNewPerMinute {
      refusals[family, default: 0] += 1
      return .refuse(
        "more than \(maxNewPerMinute) new devices in a minute from \(family) (devices.max_new_per_minute)")
    }
    newThisMinute[family, default: 0] += 1
    return .admit
  }

  public mutating func takeRefusals() -> [String: Int] {
    defer { refusals.removeAll() }
    return refusals
  }
}
