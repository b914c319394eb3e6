import DeviceModel
import Testing

@testable import Rollup

func period(_ start: String, _ end: String) -> Period { Period(start: utc(start), end: utc(end)) }

/// Windows must tile: each starts where the previous one ended.
func tiles(_ windows: [Period]) -> Bool {
  zip(windows, windows.dropFirst()).allSatisfy { $0.end == $1.start }
    && windows.allSatisfy { $0.end > $0.start }
}

@Suite("SchoolCalendar")
struct SchoolCalendarTests {
  @Test("60-minute windows in Kathmandu (+05:45) start at local :00, i.e. :15 UTC")
  func kathmanduWindows() throws {
    let calendar = SchoolCalendar(
      zone: try zone("Asia/Kathmandu"), zoneName: "Asia/Kathmandu", windowMinutes: 60)
    // 03:20Z is 09:05 local: the 09:00–10:00 window is 03:15Z–04:15Z.
    #expect(
      calendar.window(containing: utc("2026-11-28T03:20:00Z"))
        == period("2026-11-28T03:15:00Z", "2026-11-28T04:15:00Z"))
    // A window's start belongs to it, its end to the next one.
    #expect(calendar.window(containing: utc("2026-11-28T03:15:00Z")).start == utc("2026-11-28T03:15:00Z"))
    #expect(calendar.window(containing: utc("2026-11-28T04:15:00Z")).start == utc("2026-11-28T04:15:00Z"))
    #expect(calendar.window(containing: utc("2026-11-28T03:14:59.999Z")).start == utc("2026-11-28T02:15:00Z"))
    // 03:00Z–05:00Z overlaps 02:15–03:15, 03:15–04:15 and 04:15–05:15 (whole windows).
    let windows = calendar.windows(in: period("2026-11-28T03:00:00Z", "2026-11-28T05:00:00Z"))
    #expect(
      windows.map(\.start)
        == ["2026-11-28T02:15:00Z", "2026-11-28T03:15:00Z", "2026-11-28T04:15:00Z"].map(utc))
    #expect(windows.last?.end == utc("2026-11-28T05:15:00Z"))
    #expect(calendar.localISO(utc("2026-11-28T03:15:00Z")) == "2026-11-28T09:00:00+05:45")
  }

  @Test("5-minute windows in Ho Chi Minh City")
  func fiveMinuteWindows() throws {
    let calendar = SchoolCalendar(
      zone: try zone("Asia/Ho_Chi_Minh"), zoneName: "Asia/Ho_Chi_Minh", windowMinutes: 5)
    // 01:07:30Z is 08:07:30 local: the 08:05 window.
    #expect(
      calendar.window(containing: utc("2026-11-28T01:07:30Z"))
        == period("2026-11-28T01:05:00Z", "2026-11-28T01:10:00Z"))
    // A local day has 24 × 12 = 288 five-minute windows.
    let day = calendar.day(containing: utc("2026-11-28T01:07:30Z"))
    let windows = calendar.windows(in: day)
    #expect(windows.count == 288)
    #expect(tiles(windows))
    #expect(windows.first?.start == day.start && windows.last?.end == day.end)
    #expect(calendar.windows(in: Period(start: day.start, end: day.start)).isEmpty)
  }

  @Test("days run from local midnight to local midnight")
  func days() throws {
    let calendar = SchoolCalendar(
      zone: try zone("Asia/Ho_Chi_Minh"), zoneName: "Asia/Ho_Chi_Minh", windowMinutes: 5)
    // 20:00Z on the 28th is 03:00 on the 29th local; that day is 17:00Z (28th) to 17:00Z (29th).
    #expect(
      calendar.day(containing: utc("2026-11-28T20:00:00Z"))
        == period("2026-11-28T17:00:00Z", "2026-11-29T17:00:00Z"))
    #expect(calendar.dayLabel(utc("2026-11-28T20:00:00Z")) == "2026-11-29")
    #expect(calendar.dayLabel(utc("2026-11-28T16:59:59.999Z")) == "2026-11-28")
    #expect(calendar.dayLabel(utc("2026-11-28T17:00:00Z")) == "2026-11-29")
    let kathmandu = SchoolCalendar(
      zone: try zone("Asia/Kathmandu"), zoneName: "Asia/Kathmandu", windowMinutes: 60)
    // Local midnight at +05:45 is 18:15Z the day before.
    #expect(
      kathmandu.day(containing: utc("2026-11-28T03:20:00Z"))
        == period("2026-11-27T18:15:00Z", "2026-11-28T18:15:00Z"))
  }

  @Test("local ISO text with the offset")
  func localISO() throws {
    let hcm = SchoolCalendar(
      zone: try zone("Asia/Ho_Chi_Minh"), zoneName: "Asia/Ho_Chi_Minh", windowMinutes: 5)
    #expect(hcm.localISO(utc("2026-11-28T01:05:00.999Z")) == "2026-11-28T08:05:00+07:00")
    #expect(hcm.localISO(utc("2026-11-28T17:00:00Z")) == "2026-11-29T00:00:00+07:00")
    // Local mean time before 1906: +7:06:30.
    #expect(hcm.localISO(utc("1900-01-01T00:00:00Z")) == "1900-01-01T07:06:30+07:06:30")
    let berlin = SchoolCalendar(zone: try zone("Europe/Berlin"), zoneName: "Europe/Berlin", windowMinutes: 60)
    #expect(berlin.localISO(utc("2026-11-28T01:05:00Z")) == "2026-11-28T02:05:00+01:00")
    #expect(berlin.localISO(utc("2026-07-01T12:00:00Z")) == "2026-07-01T14:00:00+02:00")
    let utcCalendar = SchoolCalendar(zone: .utc, zoneName: "UTC", windowMinutes: 60)
    #expect(utcCalendar.localISO(utc("2026-11-28T01:05:00Z")) == "2026-11-28T01:05:00+00:00")
    let newfoundland = SchoolCalendar(
      zone: .fixed(offsetSeconds: -12_600), zoneName: "fixed", windowMinutes: 60)
    #expect(newfoundland.localISO(utc("2026-11-28T01:05:00Z")) == "2026-11-27T21:35:00-03:30")
    // Before 1970 the division floors: 1969-12-31T23:59:59.500Z is still 23:59:59.
    #expect(utcCalendar.localISO(-500) == "1969-12-31T23:59:59+00:00")
  }

  @Test("the spring-forward day in Berlin has 23 hours and 23 hourly windows")
  func berlinSpringForward() throws {
    let calendar = SchoolCalendar(
      zone: try zone("Europe/Berlin"), zoneName: "Europe/Berlin", windowMinutes: 60)
    // Local midnight is 23:00Z (CET) on the 28th; the next one 22:00Z (CEST) on the 29th.
    let day = calendar.day(containing: utc("2026-03-29T12:00:00Z"))
    #expect(day == period("2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z"))
    #expect(day.durationMs == 23 * 3_600_000)
    #expect(calendar.day(containing: utc("2026-03-28T23:30:00Z")) == day)
    let windows = calendar.windows(in: day)
    #expect(windows.count == 23)
    #expect(tiles(windows))
    // 01:00–02:00 local (00:00Z–01:00Z), then 03:00–04:00 local (01:00Z–02:00Z): 02:00 does not exist.
    #expect(
      calendar.window(containing: utc("2026-03-29T00:30:00Z"))
        == period("2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z"))
    #expect(
      calendar.window(containing: utc("2026-03-29T01:30:00Z"))
        == period("2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"))
    #expect(calendar.localISO(utc("2026-03-29T01:00:00Z")) == "2026-03-29T03:00:00+02:00")
  }

  @Test("the fall-back day in Berlin has 25 hours; the repeated 02:00 hour is one two-hour window")
  func berlinFallBack() throws {
    let hourly = SchoolCalendar(zone: try zone("Europe/Berlin"), zoneName: "Europe/Berlin", windowMinutes: 60)
    let day = hourly.day(containing: utc("2026-10-25T12:00:00Z"))
    #expect(day == period("2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z"))
    #expect(day.durationMs == 25 * 3_600_000)
    // 02:00–03:00 CEST (00:00Z–01:00Z) is followed by 02:00–03:00 CET (01:00Z–02:00Z): one window.
    let repeated = period("2026-10-25T00:00:00Z", "2026-10-25T02:00:00Z")
    #expect(hourly.window(containing: utc("2026-10-25T00:30:00Z")) == repeated)
    #expect(hourly.window(containing: utc("2026-10-25T01:30:00Z")) == repeated)
    let windows = hourly.windows(in: day)
    #expect(windows.count == 24)
    #expect(tiles(windows))
    // With 30-minute windows the two 02:00 and two 02:30 slots are four windows: 25 × 2 = 50.
    let halfHourly = SchoolCalendar(
      zone: try zone("Europe/Berlin"), zoneName: "Europe/Berlin", windowMinutes: 30)
    let halves = halfHourly.windows(in: day)
    #expect(halves.count == 50)
    #expect(tiles(halves))
    #expect(
      halfHourly.window(containing: utc("2026-10-25T01:10:00Z"))
        == period("2026-10-25T01:00:00Z", "2026-10-25T01:30:00Z"))
    #expect(hourly.localISO(utc("2026-10-25T00:30:00Z")) == "2026-10-25T02:30:00+02:00")
    #expect(hourly.localISO(utc("2026-10-25T01:30:00Z")) == "2026-10-25T02:30:00+01:00")
  }

  @Test("window lengths that do not divide the day end at midnight; lengths are clamped to 1…1440")
  func oddLengths() {
    let seven = SchoolCalendar(zone: .utc, zoneName: "UTC", windowMinutes: 7)
    // 1440 = 7 × 205 + 5: the last window of the day is 23:55–24:00.
    #expect(
      seven.window(containing: utc("2026-11-28T23:58:00Z"))
        == period("2026-11-28T23:55:00Z", "2026-11-29T00:00:00Z"))
    #expect(seven.windows(in: seven.day(containing: utc("2026-11-28T12:00:00Z"))).count == 206)
    #expect(SchoolCalendar(zone: .utc, zoneName: "UTC", windowMinutes: 0).windowMinutes == 1)
    let whole = SchoolCalendar(zone: .utc, zoneName: "UTC", windowMinutes: 10_000)
    #expect(whole.windowMinutes == 1440)
    #expect(
      whole.window(containing: utc("2026-11-28T12:00:00Z"))
        == period("2026-11-28T00:00:00Z", "2026-11-29T00:00:00Z"))
  }

  @Test("a day with a transition exactly at local midnight (synthetic: +00 → +01 at 00:00 local)")
  func transitionAtMidnight() throws {
    // Clocks jump from 00:00 to 01:00 at 2026-03-29T00:00Z: that local day has 23 hours.
    let rules = try ZoneRules(
      tzif: tzif(transitions: [utc("2026-03-29T00:00:00Z") / 1000], types: [1], offsets: [0, 3600]))
    let calendar = SchoolCalendar(zone: rules, zoneName: "test", windowMinutes: 60)
    #expect(
      calendar.day(containing: utc("2026-03-29T12:00:00Z"))
        == period("2026-03-29T00:00:00Z", "2026-03-29T23:00:00Z"))
    #expect(
      calendar.day(containing: utc("2026-03-28T12:00:00Z"))
        == period("2026-03-28T00:00:00Z", "2026-03-29T00:00:00Z"))
    #expect(calendar.dayLabel(utc("2026-03-29T00:00:00Z")) == "2026-03-29")
  }
}
