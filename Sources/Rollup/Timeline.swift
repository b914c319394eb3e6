import DeviceModel

/// One device's status over a period, reduced to what the rollup needs: the runs it was online
/// (which also gate every step function), its offline incidents and its status at the end.
struct StatusTimeline {
  let period: Period
  /// Disjoint, oldest first, inside [max(start, firstSeen), end); touching runs are merged.
  private(set) var onlineRuns: [Period] = []
  /// Runs with no status known (a device that never reported one, or data older than its first
  /// status): its data counts there, and so does the time that data covers as online time.
  private(set) var unknownRuns: [Period] = []
  /// Online or unknown: where step functions count. Offline and stale cut them.
  private(set) var availableRuns: [Period] = []
  private(set) var offlineIncidents = 0
  private(set) var statusAtEnd: DeviceStatus

  var onlineMs: Int64 { onlineRuns.reduce(0) { $0 + $1.durationMs } }

  init(_ history: DeviceHistory, over period: Period) {
    self.period = period
    statusAtEnd = history.statusAtStart
    // Time before the device was first seen is not observed, whatever the status says.
    let observedStart = max(period.start, history.firstSeen)
    var status = history.statusAtStart
    var since = period.start
    for change in history.statusChanges {
      // Changes after the end belong to the next period (and the status at the end is the last
      // change at or before it).
      guard change.time <= period.end else { break }
      // Clamped and never going back: unsorted input must not produce negative durations.
      let time = min(max(change.time, since), period.end)
      add(status, from: max(since, observedStart), to: time)
      let goesDown = change.status == .offline || change.status == .stale
      if goesDown, change.status != status, change.time >= period.start, change.time < period.end {
        offlineIncidents += 1
      }
      status = change.status
      since = time
    }
    add(status, from: max(since, observedStart), to: period.end)
    statusAtEnd = status
  }

  private mutating func add(_ status: DeviceStatus, from start: EpochMillis, to end: EpochMillis) {
    guard end > start else { return }
    switch status {
    case .online: Self.append(Period(start: start, end: end), to: &onlineRuns)
    case .unknown: Self.append(Period(start: start, end: end), to: &unknownRuns)
    case .offline, .stale: return
    }
    Self.append(Period(start: start, end: end), to: &availableRuns)
  }

  private static func append(_ run: Period, to runs: inout [Period]) {
    if let last = runs.last, last.end == run.start {
      runs[runs.count - 1].end = run.end
    } else {
      runs.append(run)
    }
  }

  /// Online time: the online runs, plus the unknown-status time covered by data (`covered`).
  func onlineMs(covered: [Period]) -> Int64 {
    var total = onlineMs
    for run in unknownRuns {
      for span in covered where span.end > run.start && span.start < run.end {
        total += min(span.end, run.end) - max(span.start, run.start)
      }
    }
    return total
  }

  /// The index of the first available run that ends after `time`.
  private func firstRun(endingAfter time: EpochMillis) -> Int {
    var low = 0
    var high = availableRuns.count
    while low < high {
      let mid = (low + high) / 2
      if availableRuns[mid].end <= time { low = mid + 1 } else { high = mid }
    }
    return low
  }

  /// A series as a step function inside the period: each sample's value holds from its time until
  /// the next sample, at most `maxHoldMs`, and counts only while the device is not offline or stale. The value at
  /// an instant depends only on the latest sample and the status then, so consecutive windows add
  /// up to the day exactly (the carry-in `before` is the latest sample at the start).
  func steps(of series: MetricSeries, maxHoldMs: Int64) -> [Step] {
    var points: [Sample] = []
    if let before = series.before, before.time < period.start { points.append(before) }
    points += series.samples.filter { $0.time >= period.start && $0.time < period.end }
    var steps: [Step] = []
    for (index, point) in points.enumerated() {
      let from = max(point.time, period.start)
      let next = index + 1 < points.count ? points[index + 1].time : period.end
      let to = min(next, saturatingAdd(point.time, maxHoldMs), period.end)
      var run = firstRun(endingAfter: from)
      while run < availableRuns.count, availableRuns[run].start < to {
        let span = Period(
          start: max(from, availableRuns[run].start), end: min(to, availableRuns[run].end))
        if span.end > span.start { steps.append(Step(span: span, value: point.value)) }
        run += 1
      }
    }
    return steps
  }
}

/// A value held over a span.
struct Step {
  var span: Period
  var value: Double
}

/// The union of spans as sorted, disjoint periods; touching spans merge (one session, not two).
func union(_ spans: [Period]) -> [Period] {
  var merged: [Period] = []
  for span in spans.sorted(by: { $0.start < $1.start }) where span.end > span.start {
    if let last = merged.last, span.start <= last.end {
      merged[merged.count - 1].end = max(last.end, span.end)
    } else {
      merged.append(span)
    }
  }
  return merged
}

func saturatingAdd(_ a: Int64, _ b: Int64) -> Int64 {
  let (sum, overflow) = a.addingReportingOverflow(b)
  return overflow ? (b > 0 ? .max : .min) : sum
}
