import DeviceModel

extension Rollup {
  /// One device's usage over consecutive periods (windows → day, days → month). Durations,
  /// counts and energy add up; min/max combine; the lamp counter is the last one reported.
  /// Distinct cards cannot be added: the result holds the largest part, and callers that need
  /// the exact figure count the scans themselves (`UsageStore.distinctCards`).
  public static func combine(_ parts: [DeviceUsage]) -> DeviceUsage? {
    guard var total = parts.first else { return nil }
    for part in parts.dropFirst() {
      total.onlineMs += part.onlineMs
      total.onMs += part.onMs
      total.activeMs += part.activeMs
      total.sessions += part.sessions
      if let energy = part.energyKWh { total.energyKWh = (total.energyKWh ?? 0) + energy }
      if let lamp = part.lampHours { total.lampHours = lamp }
      total.scans += part.scans
      total.distinctCards = max(total.distinctCards, part.distinctCards)
      total.offlineIncidents += part.offlineIncidents
      for (name, stats) in part.metrics {
        guard let existing = total.metrics[name] else {
          total.metrics[name] = stats
          continue
        }
        // A count-0 entry only carries time above a threshold (a held value): its min/max
        // are not readings of this period.
        let (low, high): (Double, Double) =
          switch (existing.count, stats.count) {
          case (_, 0): (existing.min, existing.max)
          case (0, _): (stats.min, stats.max)
          default: (Swift.min(existing.min, stats.min), Swift.max(existing.max, stats.max))
          }
        total.metrics[name] = MetricStats(
          count: existing.count + stats.count, min: low, max: high, sum: existing.sum + stats.sum,
          aboveMs: existing.aboveMs == nil && stats.aboveMs == nil
            ? nil : (existing.aboveMs ?? 0) + (stats.aboveMs ?? 0),
          heldMs: existing.heldMs + stats.heldMs, heldSum: existing.heldSum + stats.heldSum)
      }
    }
    return total
  }

  /// The fleet over consecutive periods: status counts at the end of the last one, the rest added.
  public static func combine(_ parts: [FleetUsage]) -> FleetUsage {
    var total = parts.last ?? FleetUsage()
    total.offlineIncidents = parts.reduce(0) { $0 + $1.offlineIncidents }
    total.onlineMs = parts.reduce(0) { $0 + $1.onlineMs }
    total.observedMs = parts.reduce(0) { $0 + $1.observedMs }
    return total
  }

  /// Two fleets of different devices over the same period: everything adds up.
  public static func adding(_ a: FleetUsage, _ b: FleetUsage) -> FleetUsage {
    var total = a
    total.online += b.online
    total.offline += b.offline
    total.stale += b.stale
    total.unknown += b.unknown
    total.offlineIncidents += b.offlineIncidents
    total.onlineMs += b.onlineMs
    total.observedMs += b.observedMs
    return total
  }
}
