import Foundation
import TestSupport
import Testing

/// `classgate timetable import` and `show`, on a config in a temp directory.
@Suite("classgate timetable")
struct TimetableCommandTests {
  @Test func importRefusesABadFileKeepsTheOldOneAndInstallsAGoodOne() throws {
    let directory = TemporaryDirectory(prefix: "classgate-timetable")
    defer { directory.remove() }
    let csv = directory.file("timetable.csv")
    let config = try directory.write(
      "classgate.toml",
      """
      school_id = "test-school"
      [store]
      path = "\(directory.file("classgate.db"))"
      [timetable]
      csv = "\(csv)"
      [[timetable.closure]]
      start = 2027-02-12
      end = 2027-02-21
      name = "Tết"
      """)
    let bad = try directory.write("bad.csv", "weekday,session,period,room,class\nmon,noon,1,101,6A1\n")
    let refused = try runClassgate(["timetable", "import", bad, "--config", config])
    #expect(refused.status == 65)
    #expect(
      refused.stderr.contains("bad.csv line 2: session: expected morning or afternoon"), "\(refused.stderr)")
    #expect(!FileManager.default.fileExists(atPath: csv))

    let good = try directory.write(
      "export.csv", "weekday,session,period,room,class\nmon,sáng,1,101,6A1\nT3,chiều,2,102,6A2\n")
    let imported = try runClassgate(["timetable", "import", good, "--config", config])
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(imported.stdout.hasPrefix("imported 2 lessons in 2 rooms into \(csv)"))
    #expect(try String(contentsOfFile: csv, encoding: .utf8).contains("T3,chiều,2,102,6A2"))

    let shown = try runClassgate(["timetable", "--config", config, "--date", "2027-02-15"])
    #expect(shown.status == 0, "\(shown.stderr)")
    #expect(shown.stdout.contains("morning    1       07:00  07:45  45"))
    #expect(shown.stdout.contains("Class list: 2 lessons in 2 rooms"))
    #expect(shown.stdout.hasSuffix("2027-02-15: no lessons (Tết)\n"))
  }
}
