import DeviceModel
import Testing

@testable import Rollup

/// The history of one device as the store would slice it for a sub-period: the carry-in is the
/// latest sample before the sub-period, the status at its start the latest change before it.
func slice(_ history: DeviceHistory, _ period: Period) -> DeviceHistory {
  var part = history
  part.statusAtStart =
    history.statusChanges.last(where: { $0.time < period.start })?.status ?? history.statusAtStart
  part.statusChanges = history.statusChanges.filter { $0.time >= period.start && $0.time < period.end }
  part.series = history.series.mapValues { series in
    let all = (series.before.map { [$0] } ?? []) + series.samples
    return MetricSeries(
      before: all.last(where: { $0.time < period.start }),
      samples: all.filter { $0.time >= period.start && $0.time < period.end })
  }
  part.events = history.events.filter { $0.time >= period.start && $0.time < period.end }
  return part
}

@Suite("Rollup: windows add up to the hour")
struct CompositionTests {
  @Test("durations, sessions, energy, time above and held time of twelve 5-minute windows equal the hour's")
  func windowsAddUp() {
    let history = device(
      .plug, status: .online, changes: [(8, .offline), (9, .online), (33, .stale), (41, .online)],
      series: [
        "power_on": series(before: (-3, 1), (4, 1), (12, 0), (14, 1), (30, 1), (52, 0), (53, 1)),
        "active": series((1, 1), (6, 0), (20, 1)),
        "power": series(before: (-1, 300), (10, 50), (25, 900), (44, 0)),
        "co2": series(before: (-2, 1200), (7, 900), (16, 1400), (38, 1001), (59, 990)),
      ])
    let whole = usage(history)
    let parts = (0..<12).map { k in
      let window = Period(start: at(Int64(k) * 5), end: at(Int64(k) * 5 + 5))
      return usage(slice(history, window), over: window)
    }
    #expect(parts.reduce(0) { $0 + $1.onlineMs } == whole.onlineMs)
    #expect(parts.reduce(0) { $0 + $1.onMs } == whole.onMs)
    #expect(parts.reduce(0) { $0 + $1.activeMs } == whole.activeMs)
    #expect(parts.reduce(0) { $0 + $1.sessions } == whole.sessions)
    #expect(parts.reduce(0) { $0 + $1.offlineIncidents } == whole.offlineIncidents)
    #expect(parts.reduce(0) { $0 + ($1.metrics["co2"]?.aboveMs ?? 0) } == whole.metrics["co2"]?.aboveMs)
    // The time-weighted mean of the windows combined is the hour's (held time and value × time add up).
    let combined = Rollup.combine(parts)?.metrics["co2"]
    #expect(combined?.heldMs == whole.metrics["co2"]?.heldMs && combined?.heldMs ?? 0 > 0)
    #expect(approximately(combined?.timeWeightedMean, whole.metrics["co2"]?.timeWeightedMean ?? -1))
    #expect(approximately(parts.reduce(0) { $0 + ($1.energyKWh ?? 0) }, whole.energyKWh ?? -1))
    // Spot checks by hand. Online [0, 8) + [9, 33) + [41, 60) = 8 + 24 + 19 = 51 min.
    #expect(whole.onlineMs == 51 * minute)
    // power_on: carry-in [0, 4); 4 held [4, 12) → online [4, 8) + [9, 12); 14 held [14, 24);
    // 30 held [30, 40) → online [30, 33); 53 → [53, 60). 4 + 4 + 3 + 10 + 3 + 7 = 31 min.
    #expect(whole.onMs == 31 * minute)
    // On [0, 8), [9, 12), [14, 24), [30, 33), [53, 60); the first continues the carry-in: 4 sessions.
    #expect(whole.sessions == 4)
  }
}

@Suite("combining periods")
struct CombineTests {
  @Test func durationsAddMinMaxIgnoreHeldOnlyEntriesAndLampIsTheLast() throws {
    var first = DeviceUsage(id: "p", kind: .projector, room: "1")
    first.onMs = 60_000
    first.sessions = 1
    first.energyKWh = 0.5
    first.lampHours = 100
    first.metrics["co2"] = MetricStats(count: 2, min: 500, max: 900, sum: 1400, aboveMs: 0)
    var second = DeviceUsage(id: "p", kind: .projector, room: "1")
    second.onMs = 30_000
    second.lampHours = 101
    // No reading in this period: only time above from a held value (min/max are not readings).
    second.metrics["co2"] = MetricStats(count: 0, min: 1200, max: 1200, sum: 0, aboveMs: 45_000)
    let total = try #require(Rollup.combine([first, second]))
    #expect(total.onMs == 90_000 && total.sessions == 1 && total.energyKWh == 0.5)
    #expect(total.lampHours == 101)
    // 2 + 0 readings; min/max from the first only; above 0 + 45 s.
    #expect(total.metrics["co2"] == MetricStats(count: 2, min: 500, max: 900, sum: 1400, aboveMs: 45_000))
    #expect(Rollup.combine([]) == nil)
  }

  @Test func fleetTakesTheLastStatusCountsAndAddsTheRest() {
    var a = FleetUsage()
    a.online = 3
    a.offlineIncidents = 1
    a.onlineMs = 100
    a.observedMs = 200
    var b = FleetUsage()
    b.online = 2
    b.offline = 1
    b.offlineIncidents = 2
    b.onlineMs = 50
    b.observedMs = 200
    let total = Rollup.combine([a, b])
    // 150 of 400 observed ms online: 37.5 %.
    #expect(total.online == 2 && total.offline == 1 && total.offlineIncidents == 3)
    #expect(total.uptimePercent == 37.5)
  }
}

@Suite("fleets of different devices")
struct FleetAddingTests {
  @Test func theFleetOfAllDevicesIsTheSumOfEachDevicesFleet() {
    let a = device(status: .online)
    var b = device(status: .offline, changes: [(30, .online)])
    b.id = "dev-2"
    let whole = Rollup.fleet([a, b], over: hour)
    let summed = Rollup.adding(Rollup.fleet([a], over: hour), Rollup.fleet([b], over: hour))
    // a online 60 min, b from 30: 90 of 120 observed minutes, both online at the end.
    #expect(whole == summed)
    #expect(summed.online == 2 && summed.onlineMs == 90 * minute && summed.observedMs == 120 * minute)
  }
}
