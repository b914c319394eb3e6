import DeviceModel
import Testing

@testable import Rollup

@Suite("Rollup: status, online time, offline incidents")
struct StatusRollupTests {
  @Test("online time follows the status timeline")
  func onlineTime() {
    let history = device(
      status: .offline, changes: [(10, .online), (25, .stale), (30, .online), (50, .offline)])
    let result = usage(history)
    // Online [10, 25) + [30, 50) = 15 + 20 = 35 min.
    #expect(result.onlineMs == 35 * minute)
    // stale at 25 (from online) and offline at 50 (from online): 2.
    #expect(result.offlineIncidents == 2)
  }

  @Test("online for the whole period, and a status known only from the start")
  func wholePeriod() {
    #expect(usage(device(status: .online)).onlineMs == 60 * minute)  // 60 min
    #expect(usage(device(status: .unknown)).onlineMs == 0)
    #expect(usage(device(status: .stale)).onlineMs == 0)
  }

  @Test("a change at the start takes effect at the start; a change at the end is not an incident")
  func changesAtBoundaries() {
    let history = device(status: .offline, changes: [(0, .online), (60, .offline)])
    let result = usage(history)
    // Online [0, 60) = 60 min; the change at 60 is outside [start, end).
    #expect(result.onlineMs == 60 * minute)
    #expect(result.offlineIncidents == 0)
  }

  @Test("an incident needs a different status before it; stale → offline is a second one")
  func incidents() {
    let history = device(
      status: .offline, changes: [(5, .offline), (10, .online), (20, .stale), (22, .offline), (30, .online)])
    let result = usage(history)
    // offline → offline (5) no; online → stale (20) yes; stale → offline (22) yes: 2.
    #expect(result.offlineIncidents == 2)
    // Online [10, 20) + [30, 60) = 10 + 30 = 40 min.
    #expect(result.onlineMs == 40 * minute)
  }

  @Test("changes to online or unknown are not incidents")
  func notIncidents() {
    let history = device(status: .online, changes: [(10, .unknown), (20, .online)])
    let result = usage(history)
    #expect(result.offlineIncidents == 0)
    // Online [0, 10) + [20, 60) = 10 + 40 = 50 min.
    #expect(result.onlineMs == 50 * minute)
  }

  @Test("time before first seen is not observed, even if the status claims online")
  func firstSeenMidPeriod() {
    let seen = device(firstSeen: 20, status: .unknown, changes: [(20, .online)])
    // Online [20, 60) = 40 min.
    #expect(usage(seen).onlineMs == 40 * minute)
    let inconsistent = device(firstSeen: 20, status: .online)
    // Clipped to [20, 60) = 40 min.
    #expect(usage(inconsistent).onlineMs == 40 * minute)
  }

  @Test("online → online changes do not split the online time")
  func repeatedOnline() {
    let history = device(status: .online, changes: [(15, .online), (30, .online)])
    let result = usage(history)
    #expect(result.onlineMs == 60 * minute)
    #expect(result.offlineIncidents == 0)
  }
}
