import Buffer
import DeviceModel
import Foundation
import TestSupport
import Testing

/// `classgate stats --lessons` on a store whose lesson rows are written by hand (LessonStore):
/// the command shows what is stored, for a day and for a week, as text and as JSON.
@Suite("classgate stats --lessons")
struct StatsLessonsCommandTests {
  /// 2026-11-30 and 2026-12-01 in Asia/Ho_Chi_Minh (UTC+7).
  static let monday: Int64 = 1_795_971_600_000
  static let tuesday: Int64 = monday + 86_400_000
  static let minute: Int64 = 60_000

  final class Fixture: @unchecked Sendable {
    let directory = TemporaryDirectory(prefix: "classgate-lessons")
    let storePath: String
    let configPath: String

    init() throws {
      storePath = directory.file("classgate.db")
      configPath = try directory.write(
        "classgate.toml", "school_id = \"test-school\"\ntime_zone = \"Asia/Ho_Chi_Minh\"\n")
      let connection = try StoreFile.openForWriting(path: storePath, durability: .normal)
      let store = LessonStore(connection: connection)
      var first = LessonUsage(
        room: "101", session: "morning", period: 1, start: monday + 420 * minute, end: monday + 465 * minute,
        className: "10A1", scheduled: true)
      first.boardOnMs = 30 * minute
      first.boardActiveMs = 10 * minute
      first.usedBoard = true
      first.co2Mean = 966.67
      first.co2Max = 1200
      first.co2AboveMs = 20 * minute
      first.temperatureMean = 29.84
      first.scans = 3
      first.distinctCards = 2
      let second = LessonUsage(
        room: "102", session: "morning", period: 1, start: first.start, end: first.end, className: "10A2",
        scheduled: true)
      try store.save(
        LessonDay(
          day: Period(start: monday, end: tuesday), teaching: true, lessons: [first, second],
          outside: [OutsideUse(room: "101", boardOnMs: 75 * minute, projectorOnMs: 0)]),
        revision: 0, createdAt: tuesday)
      try store.save(
        LessonDay(day: Period(start: tuesday, end: tuesday + 86_400_000), teaching: false, closure: "flood"),
        revision: 0, createdAt: tuesday + 86_400_000)
      connection.close()
    }

    deinit { directory.remove() }

    func stats(_ arguments: [String]) throws -> CommandResult {
      try runClassgate(["stats", "--lessons"] + arguments + ["--store", storePath, "--config", configPath])
    }
  }

  @Test func oneDayIsARowPerLessonWithTheDaysTotals() throws {
    let fixture = try Fixture()
    let result = try fixture.stats(["--day", "2026-11-30"])
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first == "Lessons 2026-11-30 (Asia/Ho_Chi_Minh)")
    let row = try #require(lines.first { $0.hasPrefix("morning 1") && $0.contains("101") })
    let cells = row.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    #expect(
      cells == [
        "morning", "1", "07:00", "101", "10A1", "30", "min", "10", "min", "0", "min", "board", "967", "1200",
        "20", "min", "29.8", "3", "2",
      ])
    #expect(
      lines.contains(
        "2 scheduled lessons: 1 (50 %) used the board or projector (board 1 (50 %), projector 0 (0 %)); "
          + "1 with CO2 above 1000 ppm; 0 periods used without a lesson"))
    #expect(lines.last == "On outside the timetable: 101 (board 1 h 15 min)")
  }

  @Test func theLastDayByDefaultAWeekAsDaysAndTheJSONShape() throws {
    let fixture = try Fixture()
    let latest = try fixture.stats([])
    #expect(
      latest.stdout.hasPrefix("Lessons 2026-12-01 (Asia/Ho_Chi_Minh): no lessons (flood)"), "\(latest.stdout)"
    )
    let week = try fixture.stats(["--day", "2026-12-01", "--week"])
    #expect(week.status == 0, "\(week.stderr)")
    #expect(week.stdout.contains("Lessons 2026-11-25 to 2026-12-01"))
    #expect(week.stdout.contains("2 scheduled lessons, 1 used the board or projector (50 %)"))
    let json = try fixture.stats(["--from", "2026-11-30", "--to", "2026-11-30", "--room", "101", "--json"])
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    let day = try #require((object["days"] as? [[String: Any]])?.first)
    #expect(day["date"] as? String == "2026-11-30" && day["teaching_day"] as? Bool == true)
    let lessons = try #require(day["lessons"] as? [[String: Any]])
    #expect(lessons.count == 1 && lessons.first?["board_on_min"] as? Double == 30)
    #expect((lessons.first?["co2"] as? [String: Any])?["mean"] as? Double == 966.7)
    #expect((day["totals"] as? [String: Any])?["scheduled_lessons"] as? Int == 1)
  }
}
