import DeviceModel

extension DeviceHistory {
  /// The same device's history over a part of its period: the status in force and each series'
  /// last sample at the part's start become its carry-in, so a rollup of the part sees exactly
  /// what a rollup of the whole saw in those instants (a lesson inside a day).
  func restricted(to part: Period) -> DeviceHistory {
    var slice = self
    var status = statusAtStart
    for change in statusChanges where change.time < part.start { status = change.status }
    slice.statusAtStart = status
    slice.statusChanges = statusChanges.filter { $0.time >= part.start && $0.time < part.end }
    slice.series = series.mapValues { series in
      let earlier = series.samples.last { $0.time < part.start }
      return MetricSeries(
        before: earlier ?? series.before,
        samples: series.samples.filter { $0.time >= part.start && $0.time < part.end })
    }
    slice.events = events.filter { $0.time >= part.start && $0.time < part.end }
    return slice
  }
}
