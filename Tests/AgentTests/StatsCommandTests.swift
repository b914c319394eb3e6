import Buffer
import DeviceModel
import Foundation
import SQLiteStore
import TestSupport
import Testing

/// `classgate stats` on a store built by hand: day rows for the two days before today, a few
/// windows of today, and card scans, so every number below is a sum of the values written here.
@Suite("classgate stats")
struct StatsCommandTests {
  static let minute: Int64 = 60_000
  static let hour: Int64 = 3_600_000
  static let day: Int64 = 86_400_000
  /// Asia/Ho_Chi_Minh: UTC+7, no daylight saving.
  static let offset: Int64 = 7 * hour

  /// A store, a config naming the time zone, and the local days the rows were written for.
  final class Fixture: @unchecked Sendable {
    let directory = TemporaryDirectory(prefix: "classgate-stats")
    let storePath: String
    let configPath: String
    /// Local day numbers (days since 1970-01-01) of today and of the two days before.
    let today: Int
    var yesterday: Int { today - 1 }
    var dayBefore: Int { today - 2 }

    init(summaries: Bool = true) throws {
      storePath = directory.file("classgate.db")
      configPath = try directory.write(
        "classgate.toml",
        """
        school_id = "test-school"
        time_zone = "Asia/Ho_Chi_Minh"

        [store]
        path = "\(directory.file("classgate.db"))"
        """)
      today = Int((nowMillis() + StatsCommandTests.offset) / StatsCommandTests.day)
      let connection = try StoreFile.openForWriting(path: storePath, durability: .normal)
      let writer = try BufferWriter(connection: connection)
      try addDevicesAndScans(writer)
      if summaries { try writeUsage(connection, writer: writer) }
    }

    deinit { directory.remove() }

    func start(ofDay day: Int) -> Int64 { Int64(day) * StatsCommandTests.day - StatsCommandTests.offset }
    var todayStart: Int64 { start(ofDay: today) }

    func label(_ day: Int) -> String {
      let seconds = TimeInterval(Int64(day) * 86_400)
      let formatter = DateFormatter()
      formatter.dateFormat = "yyyy-MM-dd"
      formatter.timeZone = TimeZone(identifier: "UTC")
      return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }

    func stats(_ arguments: [String]) throws -> CommandResult {
      try runClassgate(["stats"] + arguments + ["--store", storePath, "--config", configPath])
    }

    func json(_ arguments: [String]) throws -> [String: Any] {
      let result = try stats(arguments + ["--json"])
      #expect(result.status == 0, "\(result.stderr)")
      return try #require(
        try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    // MARK: Building the store

    private func identity(_ id: String, _ kind: DeviceKind, _ room: String) -> DeviceIdentity {
      DeviceIdentity(id: id, kind: kind, room: room, profile: "native")
    }

    private func addDevicesAndScans(_ writer: BufferWriter) throws {
      let first = start(ofDay: dayBefore)
      writer.add(
        DecodedMessage(
          device: identity("board-101", .board, "101"),
          content: .readings([Reading(metric: "power_on", value: 1, time: first)])),
        receivedAt: first)
      writer.add(
        DecodedMessage(
          device: identity("env-101", .envSensor, "101"),
          content: .readings([
            Reading(metric: "co2", value: 900, time: first),
            Reading(metric: "temperature", value: 28, time: first),
          ])), receivedAt: first)
      writer.add(
        DecodedMessage(
          device: identity("proj-102", .projector, "102"),
          content: .readings([Reading(metric: "power_on", value: 0, time: first)])),
        receivedAt: first)
      // Cards: reader-101 sees a, b the day before; b, c yesterday; a twice today.
      // reader-102 sees d, a yesterday; e today.
      let scans: [(String, String, Int64)] = [
        ("reader-101", "a", first + 8 * StatsCommandTests.hour),
        ("reader-101", "b", first + 9 * StatsCommandTests.hour),
        ("reader-101", "b", start(ofDay: yesterday) + 8 * StatsCommandTests.hour),
        ("reader-101", "c", start(ofDay: yesterday) + 9 * StatsCommandTests.hour),
        ("reader-102", "d", start(ofDay: yesterday) + 8 * StatsCommandTests.hour),
        ("reader-102", "a", start(ofDay: yesterday) + 10 * StatsCommandTests.hour),
        ("reader-101", "a", todayStart + 1 * StatsCommandTests.minute),
        ("reader-101", "a", todayStart + 6 * StatsCommandTests.minute),
        ("reader-102", "e", todayStart + 2 * StatsCommandTests.minute),
      ]
      for (reader, card, time) in scans {
        writer.add(
          DecodedMessage(
            device: identity(reader, .attendanceReader, reader == "reader-101" ? "101" : "102"),
            content: .event(DeviceEvent(type: "card_scan", time: time, data: #"{"card":"hmac:\#(card)"}"#))),
          receivedAt: time)
      }
      try writer.commit(now: nowMillis())
    }

    private func usage(
      _ id: String, _ kind: DeviceKind, _ room: String, online: Int64, on: Int64 = 0,
      active: Int64 = 0, sessions: Int = 0, energy: Double? = nil, lamp: Double? = nil,
      scans: Int = 0, cards: Int = 0, incidents: Int = 0, metrics: [String: MetricStats] = [:]
    ) -> DeviceUsage {
      var usage = DeviceUsage(id: id, kind: kind, room: room)
      usage.onlineMs = online
      usage.onMs = on
      usage.activeMs = active
      usage.sessions = sessions
      usage.energyKWh = energy
      usage.lampHours = lamp
      usage.scans = scans
      usage.distinctCards = cards
      usage.offlineIncidents = incidents
      usage.metrics = metrics
      return usage
    }

    private func fleet(online: Int, offline: Int, incidents: Int, onlineMs: Int64, observedMs: Int64)
      -> FleetUsage
    {
      var fleet = FleetUsage()
      fleet.online = online
      fleet.offline = offline
      fleet.offlineIncidents = incidents
      fleet.onlineMs = onlineMs
      fleet.observedMs = observedMs
      return fleet
    }

    private func writeUsage(_ connection: Connection, writer: BufferWriter) throws {
      let (h, m) = (StatsCommandTests.hour, StatsCommandTests.minute)
      let store = UsageStore(connection: connection)
      let dayBeforePeriod = Period(start: start(ofDay: dayBefore), end: start(ofDay: yesterday))
      try store.save(
        .day, period: dayBeforePeriod, revision: 0,
        devices: [
          usage("board-101", .board, "101", online: 8 * h, on: 5 * h, active: 3 * h, sessions: 4),
          usage(
            "env-101", .envSensor, "101", online: 10 * h,
            metrics: [
              "co2": MetricStats(count: 100, min: 400, max: 1400, sum: 85_000, aboveMs: 35 * m),
              "temperature": MetricStats(count: 100, min: 25, max: 31, sum: 2_800, aboveMs: 0),
            ]),
          usage("reader-101", .attendanceReader, "101", online: 9 * h, scans: 2, cards: 2),
          usage(
            "proj-102", .projector, "102", online: 8 * h, on: 4 * h, active: 2 * h, sessions: 2,
            energy: 1.5, lamp: 1400, incidents: 1),
          usage("reader-102", .attendanceReader, "102", online: 9 * h),
        ],
        fleet: fleet(online: 5, offline: 0, incidents: 1, onlineMs: 44 * h, observedMs: 120 * h),
        createdAt: nowMillis())
      let yesterdayPeriod = Period(start: start(ofDay: yesterday), end: todayStart)
      try store.save(
        .day, period: yesterdayPeriod, revision: 0,
        devices: [
          usage(
            "board-101", .board, "101", online: 7 * h, on: 4 * h + 30 * m, active: 2 * h + 15 * m, sessions: 3
          ),
          usage(
            "env-101", .envSensor, "101", online: 10 * h,
            metrics: [
              "co2": MetricStats(count: 50, min: 450, max: 1200, sum: 40_000, aboveMs: 20 * m),
              "temperature": MetricStats(count: 50, min: 26, max: 33, sum: 1_450, aboveMs: 10 * m),
            ]),
          usage("reader-101", .attendanceReader, "101", online: 9 * h, scans: 3, cards: 2),
          usage(
            "proj-102", .projector, "102", online: 6 * h, on: 3 * h, active: 1 * h, sessions: 1,
            energy: 1.25, lamp: 1404),
          usage("reader-102", .attendanceReader, "102", online: 9 * h, scans: 2, cards: 2),
        ],
        fleet: fleet(online: 4, offline: 1, incidents: 2, onlineMs: 41 * h, observedMs: 120 * h),
        createdAt: nowMillis())
      // A window of a day that has its day row: never read (the day row already holds it).
      try store.save(
        .window, period: Period(start: dayBeforePeriod.start, end: dayBeforePeriod.start + 5 * m),
        revision: 0, devices: [usage("board-101", .board, "101", online: 1 * m, sessions: 99)],
        fleet: fleet(online: 1, offline: 4, incidents: 7, onlineMs: m, observedMs: 5 * m),
        createdAt: nowMillis())
      // Three windows of today (not yet summarised as a day).
      for index in 0..<3 {
        let window = Period(
          start: todayStart + Int64(index) * 5 * m, end: todayStart + Int64(index + 1) * 5 * m)
        let co2 = [900.0, 1100, 1000][index]
        try store.save(
          .window, period: window, revision: 0,
          devices: [
            usage(
              "board-101", .board, "101", online: 5 * m, on: 5 * m, active: 4 * m,
              sessions: index == 0 ? 1 : 0),
            usage(
              "env-101", .envSensor, "101", online: 5 * m,
              metrics: [
                "co2": MetricStats(count: 1, min: co2, max: co2, sum: co2, aboveMs: index == 1 ? 2 * m : 0)
              ]),
            usage(
              "reader-101", .attendanceReader, "101", online: 5 * m, scans: index < 2 ? 1 : 0,
              cards: index < 2 ? 1 : 0),
            usage("proj-102", .projector, "102", online: 5 * m, energy: 0.01),
            usage(
              "reader-102", .attendanceReader, "102", online: 5 * m, scans: index == 0 ? 1 : 0,
              cards: index == 0 ? 1 : 0),
          ],
          fleet: fleet(online: 5, offline: 0, incidents: 0, onlineMs: 25 * m, observedMs: 25 * m),
          createdAt: nowMillis())
      }
      try writer.setMeta(MetaKey.windowsSummarisedUntil, String(todayStart + 15 * m))
    }
  }

  static func lines(_ text: String) -> [String] {
    text.split(separator: "\n").map {
      $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
  }

  static func line(_ text: String, startingWith prefix: String) -> String? {
    lines(text).first { $0.hasPrefix(prefix + " ") }
  }

  /// The device ids of the table rows, in order.
  static func deviceIDs(_ text: String) -> [String] {
    lines(text).compactMap { $0.split(separator: " ").first.map(String.init) }
      .filter { id in ["board-", "env-", "reader-", "proj-"].contains { id.hasPrefix($0) } }
  }

  static func device(_ document: [String: Any], _ id: String) -> [String: Any]? {
    (document["devices"] as? [[String: Any]])?.first { $0["id"] as? String == id }
  }

  @Test func oneWholeDayComesFromItsDayRow() throws {
    let fixture = try Fixture()
    let result = try fixture.stats(["--day", fixture.label(fixture.dayBefore)])
    #expect(result.status == 0, "\(result.stderr)")
    let text = result.stdout
    #expect(text.hasPrefix("\(fixture.label(fixture.dayBefore)) (Asia/Ho_Chi_Minh)\n"))
    #expect(
      Self.line(text, startingWith: "board-101")
        == "board-101 board 101 8 h 5 h 3 h 4 -")
    #expect(
      Self.line(text, startingWith: "env-101")
        == "env-101 env_sensor 101 10 h - - - - co2 avg 850 max 1400 ppm, >1000: 35 min; temperature avg 28 max 31 °C, >32: 0 min"
    )
    #expect(
      Self.line(text, startingWith: "reader-101")
        == "reader-101 attendance_reader 101 9 h - - - - scans 2, cards 2")
    #expect(
      Self.line(text, startingWith: "proj-102")
        == "proj-102 projector 102 8 h 4 h 2 h 2 1.5 lamp 1400 h; 1 offline incident")
    #expect(text.contains("5 devices; attendance: 2 scans, 2 distinct cards"))
    // 44 h online of 120 h observed.
    #expect(
      text.contains("Fleet: uptime 36.7 %, 1 offline incident; at the end: 5 online, 0 offline, 0 stale"))
    // Rows are ordered by room, then id.
    #expect(Self.deviceIDs(text) == ["board-101", "env-101", "reader-101", "proj-102", "reader-102"])
  }

  @Test func yesterdayAndTodayAddDayRowsAndTodaysWindows() throws {
    let fixture = try Fixture()
    let document = try fixture.json(["--days", "2"])
    let period = try #require(document["period"] as? [String: Any])
    #expect(period["from"] as? String == "\(fixture.label(fixture.yesterday))T00:00:00+07:00")
    #expect(period["to"] as? String == "\(fixture.label(fixture.today + 1))T00:00:00+07:00")
    #expect(period["time_zone"] as? String == "Asia/Ho_Chi_Minh")
    #expect(period["first_date"] as? String == fixture.label(fixture.yesterday))
    #expect(period["last_date"] as? String == fixture.label(fixture.today))
    #expect(period["summarised_until"] as? String == "\(fixture.label(fixture.today))T00:15:00+07:00")
    #expect((period["missing_dates"] as? [Any])?.isEmpty == true)

    let board = try #require(Self.device(document, "board-101"))
    #expect(board["online_min"] as? Double == 435)  // 7 h + 3 × 5 min
    #expect(board["on_min"] as? Double == 285)  // 4 h 30 min + 15 min
    #expect(board["active_min"] as? Double == 147)  // 2 h 15 min + 12 min
    #expect(board["sessions"] as? Int == 4)
    #expect(board["room"] as? String == "101")
    #expect(board["kind"] as? String == "board")

    let env = try #require(Self.device(document, "env-101"))
    let co2 = try #require((env["metrics"] as? [String: Any])?["co2"] as? [String: Any])
    #expect(co2["count"] as? Int == 53)
    #expect(co2["min"] as? Double == 450)
    #expect(co2["max"] as? Double == 1200)
    #expect(co2["mean"] as? Double == 811.321)  // (40000 + 900 + 1100 + 1000) / 53
    #expect(co2["above_min"] as? Double == 22)
    #expect(co2["threshold"] as? Double == 1000)
    #expect(env["sessions"] == nil && env["scans"] == nil)

    // Distinct cards are counted from the scans, never summed (2 + 1 + 1) or the largest part (2).
    let reader101 = try #require(Self.device(document, "reader-101"))
    #expect(reader101["scans"] as? Int == 5)
    #expect(reader101["distinct_cards"] as? Int == 3)  // b, c yesterday; a today
    let reader102 = try #require(Self.device(document, "reader-102"))
    #expect(reader102["scans"] as? Int == 3)
    #expect(reader102["distinct_cards"] as? Int == 3)  // d, a yesterday; e today

    let projector = try #require(Self.device(document, "proj-102"))
    #expect(projector["energy_kwh"] as? Double == 1.28)
    #expect(projector["lamp_hours"] as? Double == 1404)
    #expect(projector["online_min"] as? Double == 375)

    let fleet = try #require(document["fleet"] as? [String: Any])
    #expect(fleet["offline_incidents"] as? Int == 2)
    #expect(fleet["online"] as? Int == 5)  // at the end of the last window
    #expect(fleet["offline"] as? Int == 0)
    // (41 h + 75 min) / (120 h + 75 min)
    #expect(fleet["uptime_pct"] as? Double == 34.845)
    let attendance = try #require(document["attendance"] as? [String: Any])
    #expect(attendance["scans"] as? Int == 8)
    #expect(attendance["distinct_cards"] as? Int == 5)  // a, b, c, d, e

    // The table says today is not over.
    let text = try fixture.stats(["--days", "2"]).stdout
    #expect(
      text.hasPrefix(
        "\(fixture.label(fixture.yesterday)) to \(fixture.label(fixture.today)) (Asia/Ho_Chi_Minh), summarised until \(fixture.label(fixture.today)) 00:15\n"
      ))
    #expect(
      Self.line(text, startingWith: "board-101") == "board-101 board 101 7 h 15 min 4 h 45 min 2 h 27 min 4 -"
    )
  }

  @Test func todayAloneIsAddedUpFromItsWindows() throws {
    let fixture = try Fixture()
    let document = try fixture.json([])
    #expect((document["period"] as? [String: Any])?["first_date"] as? String == fixture.label(fixture.today))
    let board = try #require(Self.device(document, "board-101"))
    #expect(board["online_min"] as? Double == 15)
    #expect(board["sessions"] as? Int == 1)
    let reader = try #require(Self.device(document, "reader-101"))
    #expect(reader["scans"] as? Int == 2)
    #expect(reader["distinct_cards"] as? Int == 1)  // card a twice
    let env = try #require(Self.device(document, "env-101"))
    let co2 = try #require((env["metrics"] as? [String: Any])?["co2"] as? [String: Any])
    #expect(co2["mean"] as? Double == 1000)
    #expect(co2["above_min"] as? Double == 2)
  }

  @Test func twoWholeDaysCountDistinctCardsAcrossBoth() throws {
    let fixture = try Fixture()
    let document = try fixture.json([
      "--from", fixture.label(fixture.dayBefore), "--to", fixture.label(fixture.yesterday),
    ])
    #expect(Self.device(document, "reader-101")?["distinct_cards"] as? Int == 3)  // a, b, c
    #expect(Self.device(document, "reader-101")?["scans"] as? Int == 5)
    #expect(Self.device(document, "reader-102")?["distinct_cards"] as? Int == 2)  // d, a
    #expect(Self.device(document, "board-101")?["online_min"] as? Double == 900)
    #expect(Self.device(document, "proj-102")?["energy_kwh"] as? Double == 2.75)
    #expect(Self.device(document, "proj-102")?["offline_incidents"] as? Int == 1)
    let period = try #require(document["period"] as? [String: Any])
    #expect(period["to"] as? String == "\(fixture.label(fixture.today))T00:00:00+07:00")
    #expect(period["summarised_until"] as? String == "\(fixture.label(fixture.today))T00:00:00+07:00")
    let fleet = try #require(document["fleet"] as? [String: Any])
    #expect(fleet["offline_incidents"] as? Int == 3)
    #expect(fleet["offline"] as? Int == 1)  // at the end of yesterday
  }

  @Test func filtersByRoomDeviceAndKind() throws {
    let fixture = try Fixture()
    let room = try fixture.stats(["--days", "2", "--room", "102"])
    #expect(room.status == 0)
    #expect(Self.deviceIDs(room.stdout) == ["proj-102", "reader-102"])
    #expect(room.stdout.contains("2 devices; attendance: 3 scans, 3 distinct cards"))
    #expect(room.stdout.contains("Fleet (whole school, not filtered): uptime"))

    let device = try fixture.json(["--days", "2", "--device", "reader-101"])
    #expect((device["devices"] as? [[String: Any]])?.map { $0["id"] as? String } == ["reader-101"])
    #expect(Self.device(device, "reader-101")?["distinct_cards"] as? Int == 3)
    #expect((device["attendance"] as? [String: Any])?["distinct_cards"] as? Int == 3)

    let kind = try fixture.json(["--day", fixture.label(fixture.yesterday), "--kind", "attendance_reader"])
    #expect(
      (kind["devices"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [
        "reader-101", "reader-102",
      ])

    let unknown = try fixture.stats(["--device", "nope"])
    #expect(unknown.status != 0)
    #expect(unknown.stderr.contains("no device 'nope'"))
  }

  @Test func lastWindowOnly() throws {
    let fixture = try Fixture()
    let result = try fixture.stats(["--window"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stdout.hasPrefix("Window 00:10–00:15 on \(fixture.label(fixture.today)) (Asia/Ho_Chi_Minh)\n"))
    #expect(
      Self.line(result.stdout, startingWith: "board-101") == "board-101 board 101 5 min 5 min 4 min 0 -")
    let document = try fixture.json(["--window"])
    #expect((document["period"] as? [String: Any])?["kind"] as? String == "window")
    #expect(Self.device(document, "proj-102")?["energy_kwh"] as? Double == 0.01)
  }

  @Test func saysWhenNothingIsSummarised() throws {
    let empty = try Fixture(summaries: false)
    let today = try empty.stats([])
    #expect(today.status == 0, "\(today.stderr)")
    #expect(
      today.stdout
        == "No summaries for \(empty.label(empty.today)) yet: the agent summarises each 5-minute window a minute after it ends.\n"
    )
    let window = try empty.stats(["--window"])
    #expect(window.stdout.hasPrefix("No summarised window yet"))
    let json = try empty.json([])
    #expect(json["fleet"] is NSNull)
    #expect((json["devices"] as? [Any])?.isEmpty == true)

    let fixture = try Fixture()
    let past = try fixture.stats(["--day", fixture.label(fixture.today - 10)])
    #expect(
      past.stdout.hasPrefix(
        "No summaries for \(fixture.label(fixture.today - 10)): the agent was not running then"))
    // Days before the first summary are named, the rest still shown.
    let days = try fixture.stats(["--days", "4"])
    #expect(
      days.stdout.contains(
        "note: nothing summarised for \(fixture.label(fixture.today - 3)) (the agent was not running then)"))
    #expect(Self.deviceIDs(days.stdout).count == 5)
  }

  @Test func badSelectionsAreRefused() throws {
    let fixture = try Fixture(summaries: false)
    for arguments in [
      ["--day", "2026-13-01"], ["--day", "yesterday"], ["--days", "0"], ["--from", "2026-11-01"],
      ["--from", "2026-11-02", "--to", "2026-11-01"], ["--day", "2026-11-01", "--window"],
    ] {
      let result = try fixture.stats(arguments)
      #expect(result.status == 64, "\(arguments): \(result.stderr)")
    }
  }
}
