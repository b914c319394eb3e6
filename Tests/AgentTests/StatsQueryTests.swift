import Agent
import Buffer
import Reports
import Testing

/// `StatsQuery` as a library (classgate stats only renders it): the same store as the CLI tests.
@Suite("Reports: StatsQuery")
struct StatsQueryTests {
  @Test func twoWholeDaysAddTheirDayRowsAndCountTheFleetAtTheEnd() throws {
    let fixture = try StatsCommandTests.Fixture()
    let calendar = try UplinkSetup.calendar(timeZone: "Asia/Ho_Chi_Minh", windowMinutes: 5, file: "test")
    let store = UsageStore(connection: try StoreFile.openForReading(path: fixture.storePath))
    let query = StatsQuery(store: store, calendar: calendar, device: nil, room: nil, kind: nil)
    let result = try query.run(
      .days(first: fixture.dayBefore, last: fixture.yesterday), now: nowMillis(), windowsUntil: { nil })
    let board = try #require(result.devices.first { $0.id == "board-101" })
    // 8 h the day before and 7 h yesterday (the fixture's day rows).
    #expect(board.onlineMs == 15 * StatsCommandTests.hour)
    #expect(board.sessions == 7)
    // The status counts are the last day's: 4 online, 1 offline.
    #expect(result.fleet?.online == 4 && result.fleet?.offline == 1)
    #expect(result.missingDays.isEmpty)
    #expect(StatsPeriod.label(fixture.dayBefore) == fixture.label(fixture.dayBefore))
  }
}
