import Buffer
import Foundation
import SQLiteStore
import TestSupport
import Testing

/// The agent run at chosen local times with libfaketime (the binary under a shifted clock, ten
/// times faster so a 1-minute window closes in seconds): data at each time lands in the right
/// window and local day, and an agent running across midnight summarises the day that ended —
/// with its lessons — and starts the next.
@Suite("The agent at chosen clocks")
struct AgentClockTests {
  /// 2026-12-01 00:00 in Asia/Ho_Chi_Minh (UTC+7), a Tuesday.
  static let localMidnight: Int64 = 1_796_058_000_000
  static let config = """

    [rollup]
    window_minutes = 1
    grace_s = 1

    [timetable]
    weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    """

  /// faketime's offset from now to `target` (ms), at ten times the speed.
  static func faketime(startingAt target: Int64) -> [String] {
    let seconds = (target - nowMillis()) / 1000
    return ["/usr/bin/faketime", "-f", "\(seconds >= 0 ? "+" : "")\(seconds) x10"]
  }

  static func send(_ harness: AgentHarness) throws {
    // No `ts`: the agent stamps them with its own (shifted) clock.
    try harness.publisher().publish([
      (topic: "classgate/101/env_sensor/env-101/telemetry", payload: #"{"co2":850}"#),
      (topic: "classgate/101/board/board-101/telemetry", payload: #"{"power_on":true}"#),
      (
        topic: "classgate/101/attendance_reader/reader-101/event",
        payload: #"{"type":"card_scan","card":"x"}"#
      ),
    ])
  }

  /// The rows of a query on the store (read-only), `columns` columns each, as text.
  static func rows(_ harness: AgentHarness, _ sql: String, columns: Int = 1) -> [[String]] {
    guard let connection = try? StoreFile.openForReading(path: harness.storePath),
      let statement = try? connection.makeStatement(sql: sql)
    else { return [] }
    defer { connection.close() }
    var rows: [[String]] = []
    while (try? statement.step()) == true {
      rows.append((0..<columns).map { statement.text(Int32($0)) ?? "" })
    }
    return rows
  }

  static func stop(_ harness: AgentHarness) {
    // faketime runs the agent as its child: stop that child (by its parent's pid), then faketime.
    let wrapper = harness.agent.pid
    if wrapper > 0 { _ = try? runShell("pkill -TERM -P \(wrapper)") }
    harness.agent.stop()
  }

  @Test(
    "data at a local time lands in that minute's window and that local day",
    arguments: [("00:00:30", 0), ("03:15:00", 195), ("07:00:30", 420), ("23:59:05", 1439)])
  func atLocalTime(clock: String, minute: Int64) throws {
    let seconds = clock.hasSuffix(":30") ? 30 : clock.hasSuffix(":05") ? 5 : 0
    let start = Self.localMidnight + minute * 60_000 + Int64(seconds) * 1000
    let harness = try AgentHarness(config: Self.config, wrapper: Self.faketime(startingAt: start))
    defer { Self.stop(harness) }
    try harness.startAgent()
    try Self.send(harness)
    let window = Self.localMidnight + minute * 60_000
    let query = """
      SELECT d.key, u.scans, u.distinct_cards, u.on_ms > 0 FROM device_usage u JOIN devices d ON d.id = u.device
      WHERE u.kind = 'window' AND u.start_ms = \(window) ORDER BY d.key
      """
    #expect(
      waitUntil(timeout: 30) { Self.rows(harness, query, columns: 4).count == 3 },
      "\(clock): no summary of the window at local minute \(minute); log:\n\(harness.agent.log)")
    // One scan (no card secret here: the card id is dropped, so no distinct card); the board on in
    // that minute.
    let rows = Self.rows(harness, query, columns: 4)
    #expect(
      rows == [["board-101", "0", "0", "1"], ["env-101", "0", "0", "0"], ["reader-101", "1", "0", "0"]],
      "\(clock)")
    // That local day's: to date, or, once its last minute is summarised, the day itself.
    let kind = minute == 1439 ? "day" : "day_to_date"
    #expect(
      waitUntil(timeout: 10) {
        Self.rows(harness, "SELECT start_ms FROM usage_periods WHERE kind = '\(kind)'").first?.first
          == String(Self.localMidnight)
      }, "\(clock)")
  }

  @Test func anAgentRunningAcrossMidnightSummarisesTheDayWithItsLessonsAndStartsTheNext() throws {
    let harness = try AgentHarness(
      config: Self.config, wrapper: Self.faketime(startingAt: Self.localMidnight + 86_400_000 - 25_000))
    defer { Self.stop(harness) }
    try harness.startAgent()
    try Self.send(harness)  // at 23:59:3x
    let day = Self.localMidnight
    #expect(
      waitUntil(timeout: 40) {
        !Self.rows(harness, "SELECT 1 FROM lesson_days WHERE start_ms = \(day)").isEmpty
      }, "the day was not summarised; log:\n\(harness.agent.log)")
    // The day row counts the scan of 23:59 once (no card secret: no distinct card); its lessons are a teaching day's (7 periods,
    // room 101 has a board: scheduled), none used (the board was on after school only, briefly).
    let reader = Self.rows(
      harness,
      """
      SELECT u.scans, u.distinct_cards FROM device_usage u JOIN devices d ON d.id = u.device
      WHERE u.kind = 'day' AND u.start_ms = \(day) AND d.key = 'reader-101'
      """, columns: 2)
    #expect(reader == [["1", "0"]])
    #expect(
      Self.rows(harness, "SELECT teaching, revision FROM lesson_days WHERE start_ms = \(day)", columns: 2)
        == [["1", "0"]])
    #expect(
      Self.rows(
        harness, "SELECT count(*), sum(scheduled), sum(used_board) FROM lesson_usage WHERE day_ms = \(day)",
        columns: 3)
        == [["7", "7", "0"]])
    // After midnight: a reading of the new day goes to its own day to date.
    try Self.send(harness)
    let next = day + 86_400_000
    #expect(
      waitUntil(timeout: 30) {
        Self.rows(harness, "SELECT start_ms FROM usage_periods WHERE kind = 'day_to_date'").first?.first
          == String(next)
      }, "no day to date for the new day; log:\n\(harness.agent.log)")
  }
}
