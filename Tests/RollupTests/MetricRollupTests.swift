import DeviceModel
import Testing

@testable import Rollup

@Suite("Rollup: metric statistics, thresholds, card scans")
struct MetricRollupTests {
  @Test("count, min, max, sum and time above the CO2 threshold")
  func co2() {
    let history = device(
      .envSensor, series: ["co2": series((0, 800), (10, 1200), (15, 1500), (30, 900), (50, 1100))])
    let stats = usage(history).metrics["co2"]
    // 5 samples, 800…1500, 800 + 1200 + 1500 + 900 + 1100 = 5500.
    // Above 1000: 1200 over [10, 15) = 5; 1500 over [15, 25) (10-min hold) = 10; 1100 over [50, 60) = 10.
    // Held: 800 × 10 + 1200 × 5 + 1500 × 10 + 900 × 10 + 1100 × 10 = 49000 value-minutes over 45 min.
    #expect(
      stats
        == MetricStats(
          count: 5, min: 800, max: 1500, sum: 5500, aboveMs: 25 * minute, heldMs: 45 * minute,
          heldSum: 49_000.0 * 60_000))
    #expect(stats?.mean == 1100)  // 5500 / 5
    // Time-weighted: 49000 / 45 = 1088.9; the 5-minute 1200 weighs half of the others.
    #expect(approximately(stats?.timeWeightedMean, 49_000.0 / 45))
  }

  @Test("the carry-in counts for time above, not for the statistics; equal is not above")
  func carryInAndEquality() {
    let history = device(.envSensor, series: ["co2": series(before: (-3, 1300), (4, 1000), (20, 1001))])
    let stats = usage(history).metrics["co2"]
    // Statistics of 1000 and 1001 only. Above: [0, 4) from the carry-in + [20, 30) = 4 + 10 = 14 min.
    // Held (the carry-in too): 1300 × 4 + 1000 × 10 + 1001 × 10 = 25210 value-minutes over 24 min.
    #expect(
      stats
        == MetricStats(
          count: 2, min: 1000, max: 1001, sum: 2001, aboveMs: 14 * minute, heldMs: 24 * minute,
          heldSum: 25_210.0 * 60_000))
  }

  @Test("time above stops while offline")
  func aboveWhileOffline() {
    let history = device(.envSensor, changes: [(5, .offline)], series: ["temperature": series((0, 33))])
    // 33 > 32 over [0, 5) = 5 min; the statistics still count the sample.
    #expect(
      usage(history).metrics["temperature"]
        == MetricStats(
          count: 1, min: 33, max: 33, sum: 33, aboveMs: 5 * minute, heldMs: 5 * minute,
          heldSum: 165.0 * 60_000))
  }

  @Test("metrics without a threshold have no time above; settings can add thresholds")
  func thresholds() {
    let history = device(
      .envSensor, series: ["humidity": series((0, 70)), "noise": series((0, 75), (5, 60))])
    let plain = usage(history)
    #expect(plain.metrics["humidity"]?.aboveMs == nil)
    // Held: 75 × 5 + 60 × 10 = 975 value-minutes over 15 min.
    #expect(
      plain.metrics["noise"]
        == MetricStats(count: 2, min: 60, max: 75, sum: 135, heldMs: 15 * minute, heldSum: 975.0 * 60_000))
    let custom = usage(history, settings: RollupSettings(thresholds: ["noise": 70]))
    // 75 > 70 over [0, 5) = 5 min.
    #expect(custom.metrics["noise"]?.aboveMs == 5 * minute)
  }

  @Test("a carry-in alone gives a count-0 entry with its held time (and time above), while it holds")
  func carryInOnly() {
    let history = device(
      .envSensor,
      series: [
        "co2": series(before: (-1, 1500)), "humidity": series(before: (-1, 60)),
        "temperature": series(before: (-20, 35)),
      ])
    let metrics = usage(history).metrics
    // co2 1500 held from -1 to 9: above 1000 over [0, 9) = 9 min; no reading: count 0, sum 0, min = max = 1500.
    #expect(
      metrics["co2"]
        == MetricStats(
          count: 0, min: 1500, max: 1500, sum: 0, aboveMs: 9 * minute, heldMs: 9 * minute,
          heldSum: 1500.0 * 9 * 60_000))
    // humidity has no threshold: held time only; the temperature carry-in's hold ended at -10.
    #expect(
      metrics["humidity"]
        == MetricStats(count: 0, min: 60, max: 60, sum: 0, heldMs: 9 * minute, heldSum: 60.0 * 9 * 60_000))
    #expect(metrics.keys.sorted() == ["co2", "humidity"])
  }

  @Test("the defaults")
  func defaults() {
    let settings = RollupSettings()
    #expect(settings.thresholds == ["co2": 1000, "temperature": 32])
    #expect(settings.maxHoldMs == 600_000)
  }

  @Test("card scans and distinct cards in the period")
  func scans() {
    let history = device(
      .attendanceReader,
      events: [
        EventPoint(time: at(-1), type: "card_scan", card: "c"),
        EventPoint(time: at(0), type: "card_scan", card: "a"),
        EventPoint(time: at(2), type: "card_scan", card: "b"),
        EventPoint(time: at(3), type: "card_scan", card: "a"),
        EventPoint(time: at(4), type: "card_scan"),
        EventPoint(time: at(5), type: "door_open"),
        EventPoint(time: at(60), type: "card_scan", card: "d"),
      ])
    let result = usage(history)
    // Scans at 0, 2, 3, 4 (the ones at -1 and 60 are outside): 4; distinct cards a and b: 2.
    #expect(result.scans == 4)
    #expect(result.distinctCards == 2)
  }
}
