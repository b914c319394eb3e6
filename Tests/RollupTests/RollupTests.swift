import DeviceModel
import Testing

@testable import Rollup

// Shared fixtures: one hour, 2026-11-28 01:00–02:00 UTC; times are written in minutes after its
// start, so the expected numbers can be checked by hand.

let t0: EpochMillis = 1_795_827_600_000  // 2026-11-28T01:00:00Z
let minute: Int64 = 60_000
let hour = Period(start: at(0), end: at(60))

func at(_ minutes: Int64) -> EpochMillis { t0 + minutes * minute }

/// A series from (minute, value) pairs, with an optional carry-in sample.
func series(before: (Int64, Double)? = nil, _ samples: (Int64, Double)...) -> MetricSeries {
  MetricSeries(
    before: before.map { Sample(time: at($0.0), value: $0.1) },
    samples: samples.map { Sample(time: at($0.0), value: $0.1) })
}

/// A device seen long ago, online for the whole hour unless `status`/`changes` say otherwise.
func device(
  _ kind: DeviceKind = .board, firstSeen: Int64 = -1000, status: DeviceStatus = .online,
  changes: [(Int64, DeviceStatus)] = [], series: [String: MetricSeries] = [:], events: [EventPoint] = []
) -> DeviceHistory {
  DeviceHistory(
    id: "dev-1", kind: kind, room: "101", firstSeen: at(firstSeen), statusAtStart: status,
    statusChanges: changes.map { StatusPoint(time: at($0.0), status: $0.1) }, series: series,
    events: events)
}

func usage(_ history: DeviceHistory, over period: Period = hour, settings: RollupSettings = RollupSettings())
  -> DeviceUsage
{
  Rollup.usage(of: history, over: period, settings: settings)
}

func approximately(_ value: Double?, _ expected: Double) -> Bool {
  guard let value else { return false }
  return abs(value - expected) < 1e-9
}

@Suite("Rollup: edge cases")
struct RollupEdgeCaseTests {
  @Test("an empty history gives zeros and nils, and keeps id, kind and room")
  func emptyHistory() {
    let result = usage(device(.envSensor, status: .unknown))
    #expect(result == DeviceUsage(id: "dev-1", kind: .envSensor, room: "101"))
    #expect(result.energyKWh == nil && result.lampHours == nil)
  }

  @Test("an empty or reversed period gives zeros")
  func emptyPeriod() {
    let history = device(series: ["power_on": series((0, 1))])
    #expect(usage(history, over: Period(start: at(10), end: at(10))).onMs == 0)
    #expect(usage(history, over: Period(start: at(10), end: at(5))).onlineMs == 0)
    #expect(Rollup.fleet([history], over: Period(start: at(10), end: at(5))) == FleetUsage())
  }

  @Test("a sample at the start counts, a sample at the end belongs to the next period")
  func boundaries() {
    let history = device(.envSensor, series: ["humidity": series((0, 40), (30, 50), (60, 90))])
    let stats = usage(history).metrics["humidity"]
    // Samples at minute 0 and 30 only: count 2, sum 40 + 50 = 90; each held 10 minutes (max_hold):
    // 40 × 10 + 50 × 10 = 900 value-minutes over 20 minutes.
    #expect(
      stats == MetricStats(count: 2, min: 40, max: 50, sum: 90, heldMs: 20 * minute, heldSum: 900.0 * 60_000))
  }

  @Test("unsorted input does not crash and stays within the period")
  func unsortedInput() {
    let history = device(
      status: .offline, changes: [(30, .online), (10, .offline), (20, .online)],
      series: ["power_on": series((40, 1), (5, 1), (50, 0)), "energy": series((40, 2), (10, 1))],
      events: [
        EventPoint(time: at(50), type: "card_scan", card: "a"), EventPoint(time: at(5), type: "card_scan"),
      ])
    let result = usage(history)
    #expect((0...60 * minute).contains(result.onlineMs))
    #expect((0...60 * minute).contains(result.onMs))
    #expect(result.scans == 2)
  }
}
