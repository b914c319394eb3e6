import Buffer
import DeviceModel

#if canImport(Glibc)
  import Glibc
#endif

/// `doctor` checks of what the running agent itself has seen (from the store it writes): whether
/// it trusts the clock, and how near the school is to its device cap.
extension Doctor {
  /// Both checks from one read-only open of the store; none when there is no store yet.
  static func agentView(_ config: AgentConfig) -> [Check] {
    guard access(config.storePath, F_OK) == 0, let reader = try? StoreReader(path: config.storePath)
    else { return [] }
    return [agentClock(reader), devices(reader, limit: config.ingest.maxDevices)].compactMap { $0 }
  }

  static func agentClock(_ reader: StoreReader) -> Check? {
    guard let trusted = try? reader.meta(MetaKey.clockTrusted) else { return nil }
    guard trusted == "0" else {
      return Check(name: "clock.agent", status: .ok, detail: "the agent trusts the clock", fix: nil)
    }
    let reason = (try? reader.meta(MetaKey.clockReason)).flatMap { $0 } ?? "no reason recorded"
    return Check(
      name: "clock.agent", status: .warn, detail: "the agent does not trust the clock: \(reason)",
      fix:
        "enable NTP (timedatectl set-ntp true); readings refused for their time are stored once the clock is right"
    )
  }

  static func devices(_ reader: StoreReader, limit: Int) -> Check? {
    guard let known = try? reader.deviceCount() else { return nil }
    let refused =
      (try? reader.counters()[Counter.deadLetters(DeadLetterReason.Code.deviceLimit.rawValue)]) ?? nil ?? 0
    var detail = "\(known) of devices.max \(limit)"
    if refused > 0 { detail += "; \(refused) messages from new devices refused (device_limit dead letters)" }
    if known >= limit || refused > 0 {
      return Check(
        name: "devices", status: .warn, detail: detail,
        fix:
          "classgate dead-letters shows their topics; if they are real devices, raise devices.max or devices.max_new_per_minute"
      )
    }
    let near = known * 10 >= limit * 9
    return Check(
      name: "devices", status: near ? .warn : .ok, detail: detail,
      fix: near ? "the school is near devices.max: raise it before more devices come" : nil)
  }
}
