import DeviceModel
import Testing

@testable import Rollup

@Suite("Rollup: energy and lamp hours")
struct EnergyRollupTests {
  @Test("the energy counter's increase, with the carry-in as the base")
  func counter() {
    let history = device(
      .plug, series: ["energy": series(before: (-5, 100), (10, 100.5), (30, 101.25), (50, 101.5))])
    // 0.5 + 0.75 + 0.25 = 1.5 kWh.
    #expect(approximately(usage(history).energyKWh, 1.5))
  }

  @Test("a counter reset counts the new value itself")
  func counterReset() {
    let history = device(.plug, series: ["energy": series(before: (-5, 10), (10, 10.5), (20, 0.25), (40, 1))])
    // 10 → 10.5: 0.5; 10.5 → 0.25 is a reset: 0.25; 0.25 → 1: 0.75. Total 1.5 kWh.
    #expect(approximately(usage(history).energyKWh, 1.5))
  }

  @Test("without a carry-in the first sample is only the base; a carry-in alone is zero")
  func counterWithoutBase() {
    let noBase = device(.plug, series: ["energy": series((10, 5), (20, 6))])
    // 6 - 5 = 1 kWh.
    #expect(approximately(usage(noBase).energyKWh, 1))
    let onlyCarryIn = device(.plug, series: ["energy": series(before: (-5, 5))])
    #expect(usage(onlyCarryIn).energyKWh == 0)
    let empty = device(.plug, series: ["energy": series()])
    #expect(usage(empty).energyKWh == nil)
  }

  @Test("the counter counts even while offline (it is a counter, not a state)")
  func counterWhileOffline() {
    let history = device(.plug, status: .offline, series: ["energy": series(before: (-5, 1), (30, 2))])
    // 2 - 1 = 1 kWh.
    #expect(approximately(usage(history).energyKWh, 1))
  }

  @Test("without a counter, power is integrated with the hold rules")
  func powerIntegration() {
    let history = device(.plug, series: ["power": series((0, 600), (30, 1200))])
    // Hold 10 min: 600 W × 10 min = 100 Wh; 1200 W × 10 min = 200 Wh. 0.3 kWh.
    #expect(approximately(usage(history).energyKWh, 0.3))
    let longHold = usage(history, settings: RollupSettings(maxHoldMs: 60 * minute))
    // 600 W × 30 min = 300 Wh; 1200 W × 30 min = 600 Wh. 0.9 kWh.
    #expect(approximately(longHold.energyKWh, 0.9))
  }

  @Test("power integration stops while offline and uses the carry-in")
  func powerIntegrationOffline() {
    let history = device(
      .plug, changes: [(5, .offline), (20, .online)], series: ["power": series(before: (-2, 120), (25, 60))])
    // Carry-in 120 W over [0, 5) (offline at 5): 10 Wh; 60 W over [25, 35): 10 Wh. 0.02 kWh.
    #expect(approximately(usage(history).energyKWh, 0.02))
  }

  @Test("the counter wins over power; neither gives nil")
  func counterWins() {
    let both = device(.plug, series: ["energy": series((10, 1), (20, 3)), "power": series((0, 1000))])
    // Counter: 3 - 1 = 2 kWh (power alone would give 1000 W × 10 min ≈ 0.167).
    #expect(approximately(usage(both).energyKWh, 2))
    #expect(usage(device(.plug)).energyKWh == nil)
    // power stays a metric with statistics; energy does not.
    #expect(usage(both).metrics.keys.sorted() == ["power"])
  }

  @Test("lamp hours: the last sample in the period, else nil")
  func lampHours() {
    let history = device(
      .projector, series: ["lamp_hours": series(before: (-5, 1395.5), (5, 1396), (45, 1396.5))])
    #expect(usage(history).lampHours == 1396.5)
    #expect(usage(history).metrics["lamp_hours"] == nil)
    let onlyCarryIn = device(.projector, series: ["lamp_hours": series(before: (-5, 1395.5))])
    #expect(usage(onlyCarryIn).lampHours == nil)
  }
}
