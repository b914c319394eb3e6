import Agent
import Rollup
import Testing

@Suite("AgentConfig.load: [timetable]")
struct TimetableConfigTests {
  private static let school = "school_id = \"hcm-q1-th-01\"\n"

  @Test("absent: no timetable; an empty section: the secondary defaults, Monday to Friday")
  func defaults() throws {
    let files = ConfigDirectory()
    #expect(try files.load(Self.school).uplink.summariser.timetable == nil)
    let timetable = try #require(try files.load(Self.school + "[timetable]\n").uplink.summariser.timetable)
    #expect(timetable.slots == Timetable.defaultSlots(primary: false))
    #expect(timetable.weekdays == [1, 2, 3, 4, 5] && timetable.minUseMs == 300_000)
    #expect(timetable.terms.isEmpty && timetable.closures.isEmpty && timetable.lessons.isEmpty)
  }

  @Test("sessions, periods, breaks, weekdays, terms, closures and the class list from a CSV")
  func full() throws {
    let files = ConfigDirectory()
    let csv = try files.write(
      "weekday,session,period,room,class,subject\nmon,morning,1,101,10A1,Toán\n3,chiều,2,\"lab-1\",\"11B2\",Lý\n",
      name: "timetable.csv")
    let timetable = try #require(
      try files.load(
        Self.school + """
          [timetable]
          level = "primary"
          weekdays = ["mon", "tue", "wed", "thu", "fri", "sat"]
          min_use_minutes = 10
          csv = "\(csv)"

          [timetable.morning]
          start = "07:15"
          periods = 3
          breaks = [5, 25]

          [timetable.afternoon]
          starts = ["13:30", "14:10"]
          period_minutes = 40

          [[timetable.term]]
          start = 2026-09-05
          end = 2027-01-16

          [[timetable.closure]]
          start = 2027-02-14
          end = "2027-02-22"
          name = "Tết"
          """
      ).uplink.summariser.timetable)
    // Primary: 35 minutes. 07:15, 07:55, 08:55; the afternoon's own 40 minutes.
    #expect(timetable.slots.map(\.startMinute) == [435, 475, 535, 810, 850])
    #expect(timetable.slots.map(\.lengthMinutes) == [35, 35, 35, 40, 40])
    #expect(timetable.weekdays == [1, 2, 3, 4, 5, 6] && timetable.minUseMs == 600_000)
    #expect(
      timetable.terms == [LocalDate(year: 2026, month: 9, day: 5)...LocalDate(year: 2027, month: 1, day: 16)])
    #expect(timetable.closure(on: LocalDate(year: 2027, month: 2, day: 17)) == "Tết")
    #expect(
      timetable.lessons == [
        Timetable.Lesson(weekday: 1, session: .morning, period: 1, room: "101", className: "10A1"),
        Timetable.Lesson(weekday: 2, session: .afternoon, period: 2, room: "lab-1", className: "11B2"),
      ])
  }

  @Test("every problem names the file, the line and the key; CSV problems their CSV line")
  func problems() throws {
    let files = ConfigDirectory()
    let csv = try files.write("weekday,session,period,room,class\nmon,morning,9,101,10A1\n", name: "t.csv")
    let problems = try files.problems(
      Self.school + """
        [timetable]
        level = "college"
        weekdays = ["mon", "funday"]
        csv = "\(csv)"
        lunch = 60

        [timetable.morning]
        start = "7h00"
        breaks = [5]

        [timetable.afternoon]
        start = "10:00"
        periods = 8

        [[timetable.closure]]
        start = 2027-02-14
        end = 2027-02-01
        """)
    #expect(
      problems == [
        #"classgate.toml line 3: key 'timetable.level': expected "secondary" or "primary", found "college""#,
        #"classgate.toml line 4: key 'timetable.weekdays': expected days among mon, tue, wed, thu, fri, sat, sun, found "funday""#,
        #"classgate.toml line 9: key 'timetable.morning.start': expected a local time such as "07:00", found "7h00""#,
        "classgate.toml line 10: key 'timetable.morning.breaks': expected 3 break lengths in minutes (0-240), one between each two periods",
        "classgate.toml line 14: key 'timetable.afternoon.periods': expected an integer from 0 to 7, found 8",
        "classgate.toml line 18: key 'timetable.closure[0].end': is before start 2027-02-14",
        "classgate.toml line 5: key 'timetable.csv': \(csv) line 2: period: expected 1 to 7, found \"9\"",
        "classgate.toml line 6: key 'timetable.lunch': unknown key (known in [timetable]: level, period_minutes, weekdays, min_use_minutes, csv, morning, afternoon, term, closure)",
      ])
  }

  @Test("overlapping periods are refused")
  func overlap() throws {
    let problems = try ConfigDirectory().problems(
      Self.school + "[timetable]\n[timetable.afternoon]\nstart = \"10:00\"\n")
    #expect(
      problems == [
        "classgate.toml line 3: key 'timetable.afternoon': period 1 starts before morning period 4 ends"
      ])
  }
}
