import Buffer
import DeviceModel

/// Attendance over the readers `classgate stats` shows: scans added up, distinct cards counted
/// once over all of them (a card at two readers is one card).
public struct StatsAttendance: Sendable, Equatable {
  public var scans: Int
  public var distinctCards: Int

  public init(scans: Int, distinctCards: Int) {
    self.scans = scans
    self.distinctCards = distinctCards
  }
}

extension StatsQuery {
  /// nil: no reader in the result, or nothing summarised.
  public func attendance(_ result: StatsResult) throws -> StatsAttendance? {
    let readers = result.devices.filter { $0.kind == .attendanceReader }
    guard let period = result.period, let until = result.coveredUntil, !readers.isEmpty else { return nil }
    let scans = readers.reduce(0) { $0 + $1.scans }
    let largest = readers.map(\.distinctCards).max() ?? 0
    guard readers.count > 1 else { return StatsAttendance(scans: scans, distinctCards: largest) }
    // Added up over several periods, the query counted them already; one period: count now.
    let counted =
      try result.distinctCards
      ?? store.cardScans(from: period.start, to: until, device: device, room: room).distinctCards
    return StatsAttendance(scans: scans, distinctCards: min(scans, max(counted, largest)))
  }
}
