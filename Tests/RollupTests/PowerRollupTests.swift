import DeviceModel
import Testing

@testable import Rollup

@Suite("Rollup: power_on, active, sessions")
struct PowerRollupTests {
  @Test("on time and sessions from a step function")
  func onTimeAndSessions() {
    let history = device(series: ["power_on": series((5, 1), (8, 0), (12, 1), (20, 1), (25, 0))])
    let result = usage(history)
    // On [5, 8) + [12, 20) + [20, 25) = 3 + 8 + 5 = 16 min.
    #expect(result.onMs == 16 * minute)
    // Off → on at 5 and at 12; the true sample at 20 continues the session: 2.
    #expect(result.sessions == 2)
  }

  @Test("a value holds at most maxHold; a true sample after the hold ran out is a new session")
  func maxHold() {
    let history = device(series: ["power_on": series((10, 1), (40, 1), (55, 1))])
    let result = usage(history)
    // [10, 20) cut by the 10-min hold, [40, 50) cut too (next sample at 55), [55, 60): 10 + 10 + 5 = 25.
    #expect(result.onMs == 25 * minute)
    // Rising edges at 10, 40 and 55 (no state in [50, 55)): 3.
    #expect(result.sessions == 3)
    let longHold = usage(history, settings: RollupSettings(maxHoldMs: 60 * minute))
    // Holds until the next sample: [10, 40) + [40, 55) + [55, 60) = 50 min, one session.
    #expect(longHold.onMs == 50 * minute)
    #expect(longHold.sessions == 1)
  }

  @Test("a true carry-in counts from the start while its hold lasts, and is no new session")
  func carryIn() {
    let recent = device(series: ["power_on": series(before: (-4, 1))])
    // Held from -4 until 6: [0, 6) = 6 min; the session started in the previous period.
    #expect(usage(recent).onMs == 6 * minute)
    #expect(usage(recent).sessions == 0)

    let expired = device(series: ["power_on": series(before: (-15, 1))])
    // Held until -5: nothing in the period.
    #expect(usage(expired).onMs == 0)

    let continued = device(series: ["power_on": series(before: (-4, 1), (3, 1))])
    // [0, 3) from the carry-in + [3, 13) = 13 min, still the earlier session.
    #expect(usage(continued).onMs == 13 * minute)
    #expect(usage(continued).sessions == 0)

    let justReaching = device(series: ["power_on": series(before: (-10, 1), (0, 1))])
    // The carry-in's hold ends exactly at 0, where the next true sample continues it: no new session.
    #expect(usage(justReaching).onMs == 10 * minute)
    #expect(usage(justReaching).sessions == 0)
  }

  @Test("a true sample at the start after a false carry-in is a session of this period")
  func sessionAtStart() {
    let history = device(series: ["power_on": series(before: (-4, 0), (0, 1))])
    let result = usage(history)
    // [0, 10) = 10 min, one session starting at 0 (start is inclusive).
    #expect(result.onMs == 10 * minute)
    #expect(result.sessions == 1)
  }

  @Test("a session running at the end counts in its period, not in the next")
  func sessionAcrossTheEnd() {
    let history = device(series: ["power_on": series((55, 1))])
    // [55, 60) = 5 min, 1 session.
    #expect(usage(history).onMs == 5 * minute)
    #expect(usage(history).sessions == 1)
    let next = device(series: ["power_on": series(before: (55, 1))])
    let nextHour = Period(start: at(60), end: at(120))
    // Carry-in from 55 held until 65: [60, 65) = 5 min, no new session.
    #expect(usage(next, over: nextHour).onMs == 5 * minute)
    #expect(usage(next, over: nextHour).sessions == 0)
  }

  @Test("the held value counts only while online; coming back on is a new session")
  func offlineCutsOnTime() {
    let history = device(
      status: .online, changes: [(8, .offline), (9, .online), (30, .offline), (40, .online)],
      series: ["power_on": series((0, 1), (5, 1), (12, 1), (35, 1))])
    let result = usage(history)
    // 0: [0, 5). 5: held [5, 12), online only in [5, 8) and [9, 12). 12: [12, 22).
    // 35 (sent while offline): held [35, 45), online in [40, 45). 5 + 3 + 3 + 10 + 5 = 26 min.
    #expect(result.onMs == 26 * minute)
    // On [0, 8), [9, 22), [40, 45): rising edges at 0 (no carry-in), 9 and 40: 3.
    #expect(result.sessions == 3)
    // Online [0, 8) + [9, 30) + [40, 60) = 8 + 21 + 20 = 49 min; incidents at 8 and 30.
    #expect(result.onlineMs == 49 * minute)
    #expect(result.offlineIncidents == 2)
  }

  @Test("a true carry-in on a device offline at the start counts once it is online, as a new session")
  func carryInWhileOffline() {
    let history = device(
      status: .offline, changes: [(2, .online)], series: ["power_on": series(before: (-1, 1), (5, 1))])
    let result = usage(history)
    // The carry-in holds [0, 5) (next sample), online from 2: [2, 5); then [5, 15). 3 + 10 = 13 min.
    #expect(result.onMs == 13 * minute)
    // Off (offline) before 2, on from 2: one session, started in this period.
    #expect(result.sessions == 1)
    let backAtStart = device(
      status: .offline, changes: [(0, .online)], series: ["power_on": series(before: (-1, 1))])
    // Held until 9, online from 0: [0, 9) = 9 min; offline just before the start, so a session at 0.
    #expect(usage(backAtStart).onMs == 9 * minute)
    #expect(usage(backAtStart).sessions == 1)
  }

  @Test("stale stops the step function; unknown status does not, and data there is online time")
  func staleAndUnknown() {
    let stale = device(changes: [(4, .stale)], series: ["power_on": series((0, 1))])
    // [0, 4) = 4 min.
    #expect(usage(stale).onMs == 4 * minute)
    let unknown = device(status: .unknown, series: ["power_on": series((0, 1))])
    // No status ever: the sample at 0 holds 10 min (max hold) of the hour.
    #expect(usage(unknown).onMs == 10 * minute)
    #expect(usage(unknown).onlineMs == 10 * minute)
    // Unknown, then online at 12: data covers [0, 10), status [12, 60): 10 + 48 = 58 min online.
    let later = device(status: .unknown, changes: [(12, .online)], series: ["power_on": series((0, 1))])
    #expect(usage(later).onlineMs == 58 * minute)
    // A reader that only sends scans: scans at 0 and 30 cover [0, 10) and [30, 40): 20 min.
    let reader = device(
      .attendanceReader, status: .unknown,
      events: [EventPoint(time: at(0), type: "card_scan"), EventPoint(time: at(30), type: "card_scan")])
    #expect(usage(reader).onlineMs == 20 * minute)
  }

  @Test("active time is measured like on time, values ≥ 0.5 are true")
  func activeTime() {
    let history = device(
      .projector,
      series: [
        "power_on": series((0, 1), (10, 1), (20, 0)), "active": series((2, 0.5), (7, 0.49), (9, 1), (15, 0)),
      ])
    let result = usage(history)
    // power_on: [0, 10) + [10, 20) = 20 min, one session.
    #expect(result.onMs == 20 * minute)
    #expect(result.sessions == 1)
    // active: [2, 7) (0.5 is true) + [9, 15) = 5 + 6 = 11 min.
    #expect(result.activeMs == 11 * minute)
  }

  @Test("on time is for boards, projectors and plugs only; power_on and active are never metric stats")
  func kinds() {
    let samples = ["power_on": series((0, 1)), "active": series((0, 1))]
    for kind in [DeviceKind.board, .projector, .plug] {
      #expect(usage(device(kind, series: samples)).onMs == 10 * minute)  // [0, 10)
    }
    let sensor = usage(device(.envSensor, series: samples))
    #expect(sensor.onMs == 0 && sensor.activeMs == 0 && sensor.sessions == 0)
    #expect(sensor.metrics.isEmpty)
  }
}
