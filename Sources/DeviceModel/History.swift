/// What the store knows about one device over a period: the input of a rollup.
///
/// Every series carries the last sample before the period (`before`), because a state such as
/// "power on" holds from its sample until the next one, across period boundaries.
public struct DeviceHistory: Sendable, Equatable {
  public var id: String
  public var kind: DeviceKind
  public var room: String?
  public var firstSeen: EpochMillis
  /// The status in force at the period's start (`unknown` if none was recorded before it).
  public var statusAtStart: DeviceStatus
  /// Status changes inside the period, oldest first.
  public var statusChanges: [StatusPoint]
  /// Per canonical metric name (`Metrics`).
  public var series: [String: MetricSeries]
  /// Events inside the period, oldest first; card ids are already pseudonyms.
  public var events: [EventPoint]

  public init(
    id: String, kind: DeviceKind, room: String? = nil, firstSeen: EpochMillis,
    statusAtStart: DeviceStatus = .unknown, statusChanges: [StatusPoint] = [],
    series: [String: MetricSeries] = [:], events: [EventPoint] = []
  ) {
    self.id = id
    self.kind = kind
    self.room = room
    self.firstSeen = firstSeen
    self.statusAtStart = statusAtStart
    self.statusChanges = statusChanges
    self.series = series
    self.events = events
  }
}

public struct StatusPoint: Sendable, Equatable {
  public var time: EpochMillis
  public var status: DeviceStatus
  public init(time: EpochMillis, status: DeviceStatus) {
    self.time = time
    self.status = status
  }
}

public struct Sample: Sendable, Equatable {
  public var time: EpochMillis
  public var value: Double
  public init(time: EpochMillis, value: Double) {
    self.time = time
    self.value = value
  }
}

public struct MetricSeries: Sendable, Equatable {
  /// The last sample before the period, if any.
  public var before: Sample?
  /// Samples inside the period, oldest first.
  public var samples: [Sample]
  public init(before: Sample? = nil, samples: [Sample] = []) {
    self.before = before
    self.samples = samples
  }
}

public struct EventPoint: Sendable, Equatable {
  public var time: EpochMillis
  public var type: String
  /// The card pseudonym of a `card_scan` (never a clear card id), nil for other events.
  public var card: String?
  public init(time: EpochMillis, type: String, card: String? = nil) {
    self.time = time
    self.type = type
    self.card = card
  }
}

/// A half-open period [start, end) in epoch milliseconds.
public struct Period: Sendable, Equatable, Hashable {
  public var start: EpochMillis
  public var end: EpochMillis
  public init(start: EpochMillis, end: EpochMillis) {
    self.start = start
    self.end = end
  }
  public var durationMs: Int64 { end - start }
}
