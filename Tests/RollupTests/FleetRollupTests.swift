import DeviceModel
import Testing

@testable import Rollup

@Suite("Rollup: fleet")
struct FleetRollupTests {
  @Test("status counts at the end, incidents, online and observed time, a device first seen mid-period")
  func fleet() {
    let histories = [
      // Online all hour: online 60, observed 60, ends online.
      device(status: .online),
      // Online [0, 20) + [30, 50) = 40, observed 60, 2 incidents, ends stale.
      device(status: .online, changes: [(20, .offline), (30, .online), (50, .stale)]),
      // First seen at 30: online 30, observed 30, ends online.
      device(firstSeen: 30, status: .unknown, changes: [(30, .online)]),
      // Offline all hour: online 0, observed 60, ends offline.
      device(status: .offline),
      // Seen but never reported a status: online 0, observed 60, ends unknown.
      device(firstSeen: -5, status: .unknown),
      // First seen at or after the end: left out.
      device(firstSeen: 60, status: .unknown, changes: [(60, .online)]),
      device(firstSeen: 90, status: .unknown),
    ]
    let fleet = Rollup.fleet(histories, over: hour)
    #expect(fleet.online == 2)
    #expect(fleet.stale == 1)
    #expect(fleet.offline == 1)
    #expect(fleet.unknown == 1)
    #expect(fleet.offlineIncidents == 2)
    // 60 + 40 + 30 + 0 + 0 = 130 min online; 60 + 60 + 30 + 60 + 60 = 270 min observed.
    #expect(fleet.onlineMs == 130 * minute)
    #expect(fleet.observedMs == 270 * minute)
    // 130 / 270 = 48.148…%
    #expect(abs(fleet.uptimePercent - 13_000.0 / 270) < 1e-9)
  }

  @Test("the status at the end includes a change exactly at the end")
  func changeAtTheEnd() {
    let fleet = Rollup.fleet([device(status: .online, changes: [(60, .offline)])], over: hour)
    #expect(fleet.offline == 1 && fleet.online == 0)
    // Still online for the whole period, and the change at 60 is the next period's incident.
    #expect(fleet.onlineMs == 60 * minute)
    #expect(fleet.offlineIncidents == 0)
  }

  /// `stats` said "78 unknown" for a fleet `devices` showed all online: devices that send data
  /// and never a status are online where their data is, at the end as for online time.
  @Test("a device whose data covers the end but that never reported a status ends online")
  func dataWithoutStatusEndsOnline() {
    let sending = device(status: .unknown, series: ["co2": series((50, 800), (58, 810))])
    // Its last sample is held at most maxHoldMs: one long before the end does not cover it.
    let silent = device(status: .unknown, series: ["co2": series((1, 800))])
    let settings = RollupSettings(maxHoldMs: 10 * minute)
    let fleet = Rollup.fleet([sending, silent], over: hour, settings: settings)
    #expect(fleet.online == 1)
    #expect(fleet.unknown == 1)
    #expect(fleet.online + fleet.unknown == 2)
  }

  @Test("an empty fleet")
  func empty() {
    let fleet = Rollup.fleet([], over: hour)
    #expect(fleet == FleetUsage())
    #expect(fleet.uptimePercent == 0)
  }
}
