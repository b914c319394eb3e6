import Decode
import DeviceModel
import Foundation
import Profiles
import Rollup
import Simulator
import Testing

/// The simulated day decoded by the shipped profiles and rolled up per lesson with the default
/// timetable and the simulator's class list: the showcase room's numbers follow from its script
/// (ShowcaseRoom), worked out by hand below.
@Suite("The simulated day, per lesson")
struct SimulatedLessonsTests {
  static let minute: Int64 = 60_000

  static func lessonDay(holiday: Bool = false) throws -> (LessonDay, SchoolLayout) {
    let (layout, day) = SimulatorTests.simulate(holiday: holiday)
    let pseudonyms = try CardPseudonymizer(secret: Array("a demo school's card secret".utf8))
    let profiles = try ProfileSet.load(directories: [SimulatorTests.devicesDirectory], required: true)
    let inventory = try InventoryParser.parse(layout.inventoryTOML(), file: "generated.toml")
    let chain = DecoderChain(
      [NativeDecoder(pseudonymizer: pseudonyms)]
        + profiles.decoders(limits: DecodeLimits(), pseudonymizer: pseudonyms), inventory: inventory)
    let receivedAt = SimulatorTests.midnight + Int64(SchoolDay.closes + 60) * minute
    var histories: [String: DeviceHistory] = [:]
    for (_, message) in day.messages {
      guard
        case .decoded(let decoded) = chain.decode(
          topic: message.topic, payload: Array(message.payload.utf8), receivedAt: receivedAt)
      else { continue }
      let device = decoded.device
      var history =
        histories[device.id]
        ?? DeviceHistory(
          id: device.id, kind: device.kind, room: device.room, firstSeen: SimulatorTests.midnight)
      switch decoded.content {
      case .readings(let readings):
        for reading in readings {
          history.series[reading.metric, default: MetricSeries()].samples.append(
            Sample(time: reading.time, value: reading.value))
        }
      case .status(let status, let time):
        history.statusChanges.append(StatusPoint(time: time, status: status))
      case .event(let event):
        let data = try? JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any]
        history.events.append(EventPoint(time: event.time, type: event.type, card: data?["card"] as? String))
      }
      histories[device.id] = history
    }
    for (id, history) in histories {
      histories[id]?.series = history.series.mapValues {
        MetricSeries(samples: $0.samples.sorted { $0.time < $1.time })
      }
      histories[id]?.statusChanges.sort { $0.time < $1.time }
    }
    // 2025-11-28, the simulated day, is a closure when the day is a holiday.
    let date = LocalDate(year: 2025, month: 11, day: 28)
    let timetable = Timetable(
      slots: Timetable.defaultSlots(primary: false), weekdays: Set(1...7),
      closures: holiday ? [Timetable.Closure(dates: date...date, name: "holiday")] : [],
      lessons: try TimetableCSV.parse(layout.timetableCSV()).get())
    let calendar = SchoolCalendar(
      zone: try ZoneRules(
        tzif: [UInt8](
          try #require(FileManager.default.contents(atPath: "/usr/share/zoneinfo/Asia/Ho_Chi_Minh")))),
      zoneName: "Asia/Ho_Chi_Minh", windowMinutes: 5)
    let dayPeriod = Period(start: SimulatorTests.midnight, end: SimulatorTests.midnight + 1440 * minute)
    return (
      Rollup.lessons(Array(histories.values), day: dayPeriod, timetable: timetable, calendar: calendar),
      layout
    )
  }

  @Test func theSimulatorFollowsTheDefaultTimetable() {
    let slots = Timetable.defaultSlots(primary: false)
    #expect(SchoolDay.periods.map(\.start) == slots.map(\.startMinute))
    #expect(SchoolDay.periods.map(\.end) == slots.map(\.endMinute))
    #expect(SchoolDay.periods.map(\.session) == slots.map(\.session.rawValue))
  }

  @Test func theShowcaseRoomsLessonsMatchItsScript() throws {
    let (day, _) = try Self.lessonDay()
    let lessons = day.lessons.filter { $0.room == "101" }
    #expect(lessons.count == 7 && lessons.allSatisfy { $0.scheduled && $0.className == "6A1" })
    for (index, lesson) in lessons.enumerated() {
      let label = "\(lesson.session) \(lesson.period)"
      // Board on from 2 minutes after the start to 3 before the end: 45 − 5 = 40 min; active 20.
      #expect(lesson.boardOnMs == 40 * Self.minute && lesson.boardActiveMs == 20 * Self.minute, "\(label)")
      // The projector: the whole of the first two periods (45 min), off after.
      #expect(lesson.projectorOnMs == (index < 2 ? 45 : 0) * Self.minute, "\(label)")
      #expect(lesson.usedBoard && lesson.usedProjector == (index < 2), "\(label)")
      // CO2 600 + 20 k in minute k (each sample holds one minute): mean 600 + 20 × 22 = 1040,
      // max 600 + 20 × 44 = 1480, above 1000 from k = 21 to 44: 24 min.
      #expect(lesson.co2Mean.map { abs($0 - 1040) < 1e-9 } == true, "\(label): \(lesson.co2Mean ?? -1)")
      #expect(lesson.co2Max == 1480 && lesson.co2AboveMs == 24 * Self.minute, "\(label)")
      #expect(lesson.temperatureMean == 30, "\(label)")
    }
    // Period 1: cards 31, 32, 31 at 07:05–07:07; the first afternoon period: card 5. The 30
    // arrival scans at 06:50–06:59 are before the first lesson.
    #expect(lessons.map(\.scans) == [3, 0, 0, 0, 1, 0, 0])
    #expect(lessons.map(\.distinctCards) == [2, 0, 0, 0, 1, 0, 0])
    // Left on after school: 16:35 until the last sample at 16:59, held 10 more minutes: 34 min.
    #expect(
      day.outside.first { $0.room == "101" }
        == OutsideUse(room: "101", boardOnMs: 34 * Self.minute, projectorOnMs: 0))
  }

  @Test func everyThirdRoomHasNoLessonInTheLastPeriodAndTheDayCountsTheRest() throws {
    let (day, layout) = try Self.lessonDay()
    #expect(layout.rooms.count == 30)
    // 30 rooms × 7 periods, less the 10 rooms (103, 106, …, 310) whose class is away in period 7.
    #expect(day.teaching && day.scheduledLessons == 200)
    let last = day.lessons.filter { $0.session == "afternoon" && $0.period == 3 }
    #expect(
      last.filter { !$0.scheduled }.map(\.room) == [
        "103", "106", "109", "202", "205", "208", "301", "304", "307", "310",
      ])
    #expect(day.scheduledUsed <= day.scheduledLessons && day.scheduledUsingBoard > 100)
  }

  @Test func onAHolidayNobodyIsInAndTheBoardLeftOnIsOutsideTheTimetable() throws {
    let (day, _) = try Self.lessonDay(holiday: true)
    #expect(!day.teaching && day.closure == "holiday" && day.lessons.isEmpty)
    // Only the showcase board, 09:00–11:00 (last "on" sample 10:59, "off" at 11:00): 120 min.
    #expect(day.outside == [OutsideUse(room: "101", boardOnMs: 120 * Self.minute, projectorOnMs: 0)])
  }
}
