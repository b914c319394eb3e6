import Foundation
import JSON
import PostgresClient
import TestSupport
import Testing

@testable import IOCReceiver

/// `classgate-ioc schools` and `usage` against a real database the store filled.
@Suite("city view commands", .serialized)
struct CityViewCommandTests {
  /// Two schools: one online with a device down, one whose Last Will arrived.
  static func filled() throws -> IOCHarness {
    let harness = try IOCHarness()
    let store = try IOCStore(connection: try harness.connect(), nowMs: 1_795_827_930_000)
    let now = Int64(Date.nowMs)
    var presence = try Examples.object("presence")
    presence["time_ms"] = .number(Double(now - 1500))
    presence["devices"] = ["online": 4, "offline": 1, "stale": 1, "unknown": 0]
    var lastWill = try Examples.object("presence-last-will")
    lastWill["school_id"] = "hcm-q3-th-0007"
    _ = try store.store([
      IncomingMessage(
        topic: Examples.topic("presence"), payload: Examples.bytes(presence), retained: false, receivedMs: now
      ),
      IncomingMessage(
        topic: Examples.topic("window-summary"),
        payload: Examples.bytes(try Examples.object("window-summary")),
        retained: false, receivedMs: now),
      IncomingMessage(
        topic: Examples.topic("daily-summary"), payload: Examples.bytes(try Examples.object("daily-summary")),
        retained: false, receivedMs: now),
      IncomingMessage(
        topic: Examples.topic("lesson-summary"),
        payload: Examples.bytes(try Examples.object("lesson-summary")),
        retained: false, receivedMs: now),
      IncomingMessage(
        topic: Examples.topic("presence", school: "hcm-q3-th-0007"), payload: Examples.bytes(lastWill),
        retained: false, receivedMs: 1_795_827_000_000),
    ])
    return harness
  }

  @Test func schoolsShowsEachSchoolsStatus_asATable() throws {
    let harness = try Self.filled()
    let result = try harness.cli(["schools"])
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    #expect(lines.count == 3, "\(result.stdout)")
    #expect(lines[0].hasPrefix("SCHOOL"))
    #expect(lines[0].contains("CLOCK SKEW"))
    let online = try #require(lines.first { $0.hasPrefix("hcm-q1-th-0042") })
    #expect(online.contains("online"))
    #expect(online.contains("2 of 6"), "devices down: \(online)")
    #expect(online.contains("+1.5 s"), "clock skew: \(online)")
    let offline = try #require(lines.first { $0.hasPrefix("hcm-q3-th-0007") })
    // In the IOC's zone (TZ, see IOCHarness.cli), with the offset.
    #expect(offline.contains("offline since 2026-11-28T07:50:00+07:00"), "\(offline)")
  }

  @Test func schoolsJSON_andTheStatusFilter() throws {
    let harness = try Self.filled()
    let result = try harness.cli(["schools", "--json", "--status", "offline"])
    #expect(result.status == 0, "\(result.stderr)")
    let schools = try JSONParser.parse(result.stdout).arrayValue ?? []
    #expect(schools.count == 1)
    let school = try #require(schools.first?.objectValue)
    #expect(school["school_id"] == "hcm-q3-th-0007")
    #expect(school["status"] == "offline")
    // Instants as `classgate devices --json` gives them: local ISO 8601 with the offset.
    #expect(school["since"] == "2026-11-28T07:50:00+07:00")
    #expect(school["newest_data"] == .null)

    let online = try harness.cli(["schools", "--json", "--status", "online"])
    let entry = try #require(try JSONParser.parse(online.stdout).arrayValue?.first?.objectValue)
    #expect(entry["devices_down"]?.intValue == 2)
    #expect(entry["messages"]?.intValue == 3)  // window, day, lessons
    // The newest of the summaries: the daily one.
    #expect(entry["newest_data"] == "2026-11-29T10:12:40+07:00")
    #expect(entry["clock_skew_ms"]?.intValue == 1500)
  }

  @Test func usageOfADay_asATableAndJSON() throws {
    let harness = try Self.filled()
    let table = try harness.cli(["usage", "--day", "2026-11-28"])
    #expect(table.status == 0, "\(table.stderr)")
    let row = try #require(table.stdout.split(separator: "\n").first { $0.hasPrefix("hcm-q1-th-0042") })
    #expect(row.contains("1 of 1 (100 %)"), "\(row)")
    #expect(row.contains("6.2"), "active hours 371.75 min: \(row)")
    // The lesson summary's totals: 3 of the 4 scheduled lessons used a board or projector.
    #expect(row.contains("3 of 4 (75 %)"), "\(row)")
    let json = try harness.cli(["usage", "--day", "2026-11-28", "--json"])
    let document = try #require(try JSONParser.parse(json.stdout).objectValue)
    #expect(document["day"] == "2026-11-28")
    let school = try #require(document["schools"]?.arrayValue?.first?.objectValue)
    #expect(school["display_share_used"] == 1)
    #expect(school["co2_above_min"] == 96.5)
    let lessons = try #require(school["lessons"]?.objectValue)
    #expect(lessons["scheduled"] == 4 && lessons["used"] == 3 && lessons["share_used"] == 0.75)
    #expect(lessons["co2_over"] == 2 && lessons["rooms_outside_timetable"] == 1)
    let empty = try harness.cli(["usage", "--day", "2026-11-27"])
    #expect(empty.stdout.contains("no daily summaries for 2026-11-27"))
  }

  @Test func rejectedListsTheNewestFirst_withTheirReasons() throws {
    let harness = try Self.filled()
    let store = try IOCStore(connection: try harness.connect(), nowMs: 1_795_827_930_000)
    _ = try store.store([
      IncomingMessage(
        topic: "ioc/v1/schools/hcm-q1-th-0042/events", payload: Array("{".utf8), retained: false,
        receivedMs: 1_795_827_000_000),
      IncomingMessage(
        topic: "ioc/v1/schools/hcm-q3-th-0007/summaries/day", payload: Array("[]".utf8), retained: false,
        receivedMs: 1_795_828_000_000),
    ])
    let table = try harness.cli(["rejected"])
    #expect(table.status == 0, "\(table.stderr)")
    let lines = table.stdout.split(separator: "\n")
    #expect(lines.count == 3, "\(table.stdout)")
    #expect(lines[1].contains("hcm-q3-th-0007") && lines[1].contains("payload is not a JSON object"))
    #expect(lines[2].contains("hcm-q1-th-0042") && lines[2].contains("not valid JSON"))
    let one = try harness.cli(["rejected", "--school", "hcm-q1-th-0042", "--json"])
    let entries = try JSONParser.parse(one.stdout).arrayValue ?? []
    #expect(entries.count == 1)
    #expect(entries.first?.objectValue?["payload_size"] == 1)
    #expect(entries.first?.objectValue?["topic"] == "ioc/v1/schools/hcm-q1-th-0042/events")
  }

  @Test func aMalformedDayIsAUsageError() throws {
    let harness = try IOCHarness()
    let result = try harness.cli(["usage", "--day", "28/11/2026"])
    #expect(result.status == 64)
    #expect(result.stderr.contains("YYYY-MM-DD"))
  }
}

extension Date {
  static var nowMs: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

@Suite("city page", .serialized)
struct CityPageTests {
  @Test func thePageShowsEverySchoolWithSVGCharts_andNoScript() throws {
    let harness = try CityViewCommandTests.filled()
    let file = harness.directory.file("index.html")
    let result = try harness.cli(["page", "--day", "2026-11-28", "--out", file])
    #expect(result.status == 0, "\(result.stderr)")
    let page = try String(contentsOfFile: file, encoding: .utf8)
    #expect(page.hasPrefix("<!DOCTYPE html>"))
    #expect(page.contains("2 schools: 1 online, 1 offline"))
    #expect(
      page.contains(
        "<td><a href=\"school-hcm-q1-th-0042.html\">hcm-q1-th-0042</a></td><td class=\"online\">online</td>"))
    #expect(
      page.contains(
        "<td><a href=\"school-hcm-q3-th-0007.html\">hcm-q3-th-0007</a></td>"
          + "<td class=\"offline\">offline since 2026-11-28T07:50:00+07:00</td>"
      ))
    // Devices: 4 online, 2 down, as two bars of one school (4/6 and 2/6 of 440 px).
    #expect(page.contains("width=\"293.3\" height=\"18\" fill=\"#1a7f37\""), "\(page)")
    #expect(page.contains("width=\"146.7\" height=\"18\" fill=\"#b42318\""))
    #expect(page.contains("100 % of 1"))
    #expect(page.contains("<td>3 of 4 (75 %)</td>"), "the usage table, as `usage` prints it")
    #expect(page.components(separatedBy: "<svg").count - 1 == 2)
    #expect(!page.contains("<script"))
  }

  @Test func aSchoolsPageChartsItsWindows() throws {
    let harness = try CityViewCommandTests.filled()
    // A second window, later, with one device down and CO2 up to 1200.
    var later = try Examples.object("window-summary")
    later["seq"] = 18_300
    later.set("period.start_ms", 1_795_827_900_000)
    later.set("period.end_ms", 1_795_828_200_000)
    later.set("period.start", "2026-11-28T08:05:00+07:00")
    later.set("period.end", "2026-11-28T08:10:00+07:00")
    later.set("fleet.online", 4)
    later.set("fleet.offline", 1)
    var devices = later["devices"]?.arrayValue ?? []
    let env = devices.firstIndex { $0.objectValue?["id"]?.stringValue == "env-101" }!
    var sensor = devices[env].objectValue!
    sensor.set("metrics.co2.max", 1200)
    devices[env] = .object(sensor)
    later["devices"] = .array(devices)
    let store = try IOCStore(connection: try harness.connect(), nowMs: 1_795_827_930_000)
    let outcome = try store.store([
      IncomingMessage(
        topic: Examples.topic("window-summary"), payload: Examples.bytes(later), retained: false,
        receivedMs: 1_795_828_300_000)
    ])
    #expect(outcome.stored == 1, "\(outcome)")
    let file = harness.directory.file("school-hcm-q1-th-0042.html")
    let result = try harness.cli(["page", "--school", "hcm-q1-th-0042", "--out", file])
    #expect(result.status == 0, "\(result.stderr)")
    let page = try String(contentsOfFile: file, encoding: .utf8)
    #expect(page.contains("<h1>hcm-q1-th-0042</h1>"))
    #expect(page.contains("The newest 2 windows"))
    // CO2 1012 then 1200 on a 0…1500 scale, 156 px high: the two points of the line.
    #expect(page.contains("points=\"0,54.8 600,35.2\""), "\(page)")
    #expect(page.contains("<title>1</title></rect>"))
    let downChart = try #require(page.components(separatedBy: "aria-label=\"devices down per window\"").last)
    #expect(downChart.components(separatedBy: "<rect").count - 1 == 1)
    let missing = try harness.cli(["page", "--school", "nowhere"])
    #expect(missing.status == 1 && missing.stderr.contains("no school nowhere"))
  }

  @Test func textIsEscaped() {
    let school = SchoolStatus(
      schoolID: "<b>&\"x\"", online: nil, sinceMs: nil, presenceReceivedMs: nil, newestDataMs: nil,
      backlog: nil,
      oldestPendingMs: nil, devices: nil, clockSkewMs: nil, version: nil, diskFreeBytes: nil, messages: 0,
      duplicates: 0, rejected: 0)
    let page = CityPage.render(schools: [school], usage: [], day: nil, nowMs: 0, time: .utc, links: .served)
    #expect(page.contains("&lt;b&gt;&amp;&quot;x&quot;"))
    #expect(page.contains("href=\"/schools/%3Cb%3E%26%22x%22\""))
    #expect(!page.contains("<b>"))
    let detail = SchoolDetail(
      school: school, day: "2026-11-28", usage: nil,
      lessons: [
        LessonRow(
          room: "<i>", start: "2026-11-28T07:00:00+07:00", minutes: 45, className: "</td><script>",
          scheduled: true, usedBoard: true, usedProjector: false, co2Max: 1200, scans: 3)
      ],
      events: [EventRow(timeMs: 0, type: "x", device: "<img src=x>", room: nil, detail: "a=<svg onload=1>")],
      windows: [])
    let drill = SchoolPage.render(detail, nowMs: 0, time: .utc, links: .served)
    #expect(drill.contains("&lt;/td&gt;&lt;script&gt;") && drill.contains("&lt;img src=x&gt;"))
    #expect(!drill.contains("<script") && !drill.contains("<i>") && !drill.contains("<img"))
    #expect(!drill.contains("<svg onload"))
  }
}
