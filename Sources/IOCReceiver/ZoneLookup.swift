import EventLoop
import Rollup

/// Zone rules by IANA name, read from the IOC's own tz database and kept: the local-time checks
/// need the rules of every zone its schools name. A name the database does not have is refused
/// (the school's agent could not have used it either), as scripts/validate-uplink.py does.
///
/// Not Sendable: the receiver's store owns one on its thread.
public final class ZoneLookup {
  private let directory: String
  private var known: [String: ZoneRules?] = [:]

  public init(directory: String = "/usr/share/zoneinfo") {
    self.directory = directory
  }

  public func rules(_ name: String) -> ZoneRules? {
    if let cached = known[name] { return cached }
    // TextShape.timeZone already allows no ".": a name cannot climb out of the directory.
    let rules: ZoneRules? =
      name.hasPrefix("/")
      ? nil
      : (try? readBinaryFile("\(directory)/\(name)", maxBytes: 1 << 16).get()).flatMap { bytes in
        try? ZoneRules(tzif: bytes)
      }
    if known.count < 1024 { known[name] = rules }
    return rules
  }
}

@available(*, unavailable)
extension ZoneLookup: Sendable {}
