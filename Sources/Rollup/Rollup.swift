import DeviceModel

/// Turns a device's history over a period into its usage numbers. Pure: no clock, no I/O.
/// The rules are the operators' contract, written out in docs/rollups.md.
public enum Rollup {
  /// Metrics with their own rule; every other metric gets `MetricStats`.
  static let specialMetrics: Set<String> = ["power_on", "active", "energy", "lamp_hours"]
  /// Kinds whose `power_on`/`active` mean "switched on"/"in use" (a plug may front a projector).
  static let switchedKinds: Set<DeviceKind> = [.board, .projector, .plug]

  public static func usage(
    of history: DeviceHistory, over period: Period, settings: RollupSettings = RollupSettings()
  ) -> DeviceUsage {
    var usage = DeviceUsage(id: history.id, kind: history.kind, room: history.room)
    guard period.end > period.start else { return usage }
    let timeline = StatusTimeline(history, over: period)
    usage.onlineMs = onlineMs(history, timeline, settings.maxHoldMs)
    usage.offlineIncidents = timeline.offlineIncidents

    if switchedKinds.contains(history.kind) {
      if let powerOn = history.series["power_on"] {
        let on = union(timeline.steps(of: powerOn, maxHoldMs: settings.maxHoldMs).filter(isTrue).map(\.span))
        usage.onMs = on.reduce(0) { $0 + $1.durationMs }
        usage.sessions = on.count
        // A session already running at the start began in an earlier period and was counted there.
        if let first = on.first, first.start == period.start,
          carriesOn(powerOn, into: period, history: history, maxHoldMs: settings.maxHoldMs)
        {
          usage.sessions -= 1
        }
      }
      if let active = history.series["active"] {
        let spans = timeline.steps(of: active, maxHoldMs: settings.maxHoldMs).filter(isTrue).map(\.span)
        usage.activeMs = union(spans).reduce(0) { $0 + $1.durationMs }
      }
    }

    usage.energyKWh = energy(history, timeline: timeline, maxHoldMs: settings.maxHoldMs)
    usage.lampHours = history.series["lamp_hours"].flatMap { inPeriod($0.samples, period).last?.value }

    for (name, series) in history.series where !specialMetrics.contains(name) {
      if let stats = statistics(series, threshold: settings.thresholds[name], timeline, settings.maxHoldMs) {
        usage.metrics[name] = stats
      }
    }

    let scans = history.events.filter {
      $0.type == "card_scan" && $0.time >= period.start && $0.time < period.end
    }
    usage.scans = scans.count
    usage.distinctCards = Set(scans.compactMap(\.card)).count
    return usage
  }

  /// The school's fleet: status counts at the end, incidents and online time summed, and observed
  /// time (since first seen, inside the period). Devices first seen at or after the end are left out.
  public static func fleet(
    _ histories: [DeviceHistory], over period: Period, settings: RollupSettings = RollupSettings()
  ) -> FleetUsage {
    var fleet = FleetUsage()
    guard period.end > period.start else { return fleet }
    for history in histories where history.firstSeen < period.end {
      let timeline = StatusTimeline(history, over: period)
      // As for online time: a device whose data covers the end but that never reported a status
      // was online then (the agent's devices table says so too).
      let covered =
        timeline.statusAtEnd == .unknown
        && dataCovers(history, timeline, at: period.end - 1, settings.maxHoldMs)
      switch covered ? .online : timeline.statusAtEnd {
      case .online: fleet.online += 1
      case .offline: fleet.offline += 1
      case .stale: fleet.stale += 1
      case .unknown: fleet.unknown += 1
      }
      fleet.offlineIncidents += timeline.offlineIncidents
      fleet.onlineMs += onlineMs(history, timeline, settings.maxHoldMs)
      fleet.observedMs += period.end - max(period.start, history.firstSeen)
    }
    return fleet
  }

  private static func isTrue(_ step: Step) -> Bool { step.value >= 0.5 }

  /// Online runs, plus unknown-status time that the device's data covers (each sample held as
  /// for any metric): a device that sends data but never a status was evidently online then.
  private static func onlineMs(_ history: DeviceHistory, _ timeline: StatusTimeline, _ maxHoldMs: Int64)
    -> Int64
  {
    guard !timeline.unknownRuns.isEmpty else { return timeline.onlineMs }
    return timeline.onlineMs(covered: dataSpans(history, timeline, maxHoldMs))
  }

  /// Where the device's data (each sample held as for any metric) covers the period.
  private static func dataSpans(_ history: DeviceHistory, _ timeline: StatusTimeline, _ maxHoldMs: Int64)
    -> [Period]
  {
    // Events (a card reader's scans) are data too.
    let events = MetricSeries(samples: history.events.map { Sample(time: $0.time, value: 1) })
    return union(
      (Array(history.series.values) + [events]).flatMap {
        timeline.steps(of: $0, maxHoldMs: maxHoldMs).map(\.span)
      })
  }

  private static func dataCovers(
    _ history: DeviceHistory, _ timeline: StatusTimeline, at time: EpochMillis, _ maxHoldMs: Int64
  ) -> Bool {
    dataSpans(history, timeline, maxHoldMs).contains { $0.start <= time && time < $0.end }
  }

  /// Count, min, max and sum of the readings in the period, the held time and value × time (the
  /// time-weighted mean), and the held time above the threshold. A metric whose carry-in alone
  /// holds into the period (a sensor reporting less often than the window length) still gets an
  /// entry, with count 0 and the held value as min and max: otherwise windows would lose its held
  /// time (and time above) and not add up to the day.
  private static func statistics(
    _ series: MetricSeries, threshold: Double?, _ timeline: StatusTimeline, _ maxHoldMs: Int64
  ) -> MetricStats? {
    let samples = inPeriod(series.samples, timeline.period)
    let steps = timeline.steps(of: series, maxHoldMs: maxHoldMs)
    guard let first = samples.first?.value ?? steps.first?.value else { return nil }
    var stats = MetricStats(count: 0, min: first, max: first, sum: 0)
    var held = WeightedMean()
    held.add(steps)
    stats.heldMs = held.heldMs
    stats.heldSum = held.sum
    for sample in samples {
      stats.count += 1
      stats.min = min(stats.min, sample.value)
      stats.max = max(stats.max, sample.value)
      stats.sum += sample.value
    }
    if let threshold {
      let above = steps.filter { $0.value > threshold }.map(\.span)
      stats.aboveMs = union(above).reduce(0) { $0 + $1.durationMs }
    }
    return stats
  }

  /// Whether the state was already "on" just before the period: a true carry-in whose hold reaches
  /// the start, on a device online at the start.
  private static func carriesOn(
    _ series: MetricSeries, into period: Period, history: DeviceHistory, maxHoldMs: Int64
  ) -> Bool {
    guard let before = series.before, before.time < period.start, before.value >= 0.5 else { return false }
    return history.statusAtStart != .offline && history.statusAtStart != .stale
      && saturatingAdd(before.time, maxHoldMs) >= period.start
  }

  /// The `energy` counter's increase if the device has one (carry-in as the base; a drop is a reset,
  /// so the new value itself is the increase), else the integrated `power` steps, else nil.
  private static func energy(_ history: DeviceHistory, timeline: StatusTimeline, maxHoldMs: Int64) -> Double?
  {
    let period = timeline.period
    if let counter = history.series["energy"] {
      var previous = counter.before.flatMap { $0.time < period.start ? $0.value : nil }
      let samples = inPeriod(counter.samples, period)
      if previous != nil || !samples.isEmpty {
        var total = 0.0
        for sample in samples {
          if let base = previous {
            let delta = sample.value - base
            total += delta >= 0 ? delta : max(0, sample.value)
          }
          previous = sample.value
        }
        return total
      }
    }
    if let power = history.series["power"], power.before != nil || !power.samples.isEmpty {
      // W × ms → kWh: 1 kWh = 1000 W × 3,600,000 ms.
      let wattMs = timeline.steps(of: power, maxHoldMs: maxHoldMs).reduce(0.0) {
        $0 + $1.value * Double($1.span.durationMs)
      }
      return wattMs / 3_600_000_000
    }
    return nil
  }

  private static func inPeriod(_ samples: [Sample], _ period: Period) -> [Sample] {
    samples.filter { $0.time >= period.start && $0.time < period.end }
  }
}
