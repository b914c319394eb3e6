import DeviceModel

extension Rollup {
  /// One day's lessons from all of its histories at once (tests, small schools). The summariser
  /// feeds `LessonRollup` one device at a time instead.
  public static func lessons(
    _ histories: [DeviceHistory], day: Period, timetable: Timetable, calendar: SchoolCalendar,
    settings: RollupSettings = RollupSettings()
  ) -> LessonDay {
    var rollup = LessonRollup(day: day, timetable: timetable, calendar: calendar, settings: settings)
    for history in histories { rollup.add(history) }
    return rollup.result()
  }
}

/// One day's lessons: for every room with devices (and every room the timetable schedules) and
/// every period, what its boards, projectors, air sensors and card readers did; plus the rooms
/// whose board or projector was on outside the sessions. Fed one device's whole-day history at a
/// time (carry-in at the day's start), so memory is bounded by the busiest device and the rooms'
/// running totals. Pure; the rules are in docs/rollups.md, "Lessons".
public struct LessonRollup: Sendable {
  private let day: Period
  private let timetable: Timetable
  private let settings: RollupSettings
  private let closure: String?
  private let weekday: Int
  /// The timetable's periods on this day, as instants (none on a day without lessons).
  private let spans: [Period]
  private let sessions: [Period]
  private var rooms: [String: Room] = [:]

  /// A room's running totals: per period, and outside the sessions.
  private struct Room: Sendable {
    var hasBoardOrProjector = false
    var slots: [Slot]
    var boardOutsideMs: Int64 = 0
    var projectorOutsideMs: Int64 = 0
  }

  private struct Slot: Sendable {
    var boardOnMs: Int64 = 0
    var boardActiveMs: Int64 = 0
    var projectorOnMs: Int64 = 0
    var co2 = WeightedMean()
    var co2AboveMs: Int64 = 0
    var temperature = WeightedMean()
    var scans = 0
    var cards: Set<String> = []
  }

  public init(day: Period, timetable: Timetable, calendar: SchoolCalendar, settings: RollupSettings) {
    self.day = day
    self.timetable = timetable
    self.settings = settings
    let date = calendar.localDate(day.start)
    closure = timetable.closure(on: date)
    weekday = date.weekday
    func period(_ start: Int, _ end: Int) -> Period {
      Period(
        start: calendar.instant(minute: start, ofDayStartingAt: day.start),
        end: calendar.instant(minute: end, ofDayStartingAt: day.start))
    }
    let teaching = closure == nil
    spans = teaching ? timetable.slots.map { period($0.startMinute, $0.endMinute) } : []
    sessions = teaching ? timetable.sessionSpans.map { period($0.start, $0.end) } : []
  }

  /// Adds one device's history over the whole day. Several devices of one kind in a room (two
  /// boards): the longest on time counts, so a lesson never has more minutes than it lasts.
  public mutating func add(_ history: DeviceHistory) {
    guard let roomID = history.room else { return }
    var room = rooms[roomID] ?? Room(slots: Array(repeating: Slot(), count: spans.count))
    let switched = history.kind == .board || history.kind == .projector
    room.hasBoardOrProjector = room.hasBoardOrProjector || switched
    for (index, span) in spans.enumerated() {
      add(history.restricted(to: span), over: span, to: &room.slots[index])
    }
    if switched {
      var outside = Rollup.usage(of: history, over: day, settings: settings).onMs
      for session in sessions {
        outside -= Rollup.usage(of: history.restricted(to: session), over: session, settings: settings).onMs
      }
      if history.kind == .board {
        room.boardOutsideMs = max(room.boardOutsideMs, outside)
      } else {
        room.projectorOutsideMs = max(room.projectorOutsideMs, outside)
      }
    }
    rooms[roomID] = room
  }

  private func add(_ device: DeviceHistory, over span: Period, to slot: inout Slot) {
    let usage = Rollup.usage(of: device, over: span, settings: settings)
    switch device.kind {
    case .board:
      slot.boardOnMs = max(slot.boardOnMs, usage.onMs)
      slot.boardActiveMs = max(slot.boardActiveMs, usage.activeMs)
    case .projector:
      slot.projectorOnMs = max(slot.projectorOnMs, usage.onMs)
    case .envSensor:
      // The air is the room's sensors' (a board's panel temperature is not the room's).
      let timeline = StatusTimeline(device, over: span)
      if let series = device.series["co2"] {
        slot.co2.add(timeline.steps(of: series, maxHoldMs: settings.maxHoldMs))
        slot.co2AboveMs = max(slot.co2AboveMs, usage.metrics["co2"]?.aboveMs ?? 0)
      }
      if let series = device.series["temperature"] {
        slot.temperature.add(timeline.steps(of: series, maxHoldMs: settings.maxHoldMs))
      }
    default: break
    }
    let scans = device.events.filter { $0.type == "card_scan" }
    slot.scans += scans.count
    slot.cards.formUnion(scans.compactMap(\.card))
  }

  public func result() -> LessonDay {
    var result = LessonDay(day: day, teaching: closure == nil, closure: closure)
    let classes = timetable.lessons.filter { $0.weekday == weekday }
    for (index, slot) in timetable.slots.enumerated() where index < spans.count {
      let here = classes.filter { $0.session == slot.session && $0.period == slot.number }
      for roomID in Set(rooms.keys).union(here.map(\.room)).sorted() {
        let room = rooms[roomID]
        let scheduled =
          timetable.lessons.isEmpty ? room?.hasBoardOrProjector ?? false : here.contains { $0.room == roomID }
        var lesson = LessonUsage(
          room: roomID, session: slot.session.rawValue, period: slot.number, start: spans[index].start,
          end: spans[index].end, className: here.first { $0.room == roomID }?.className, scheduled: scheduled)
        if let measured = room?.slots[index] {
          lesson.boardOnMs = measured.boardOnMs
          lesson.boardActiveMs = measured.boardActiveMs
          lesson.projectorOnMs = measured.projectorOnMs
          lesson.usedBoard = measured.boardOnMs >= timetable.minUseMs
          lesson.usedProjector = measured.projectorOnMs >= timetable.minUseMs
          lesson.co2Mean = measured.co2.mean
          lesson.co2Max = measured.co2.max
          lesson.co2AboveMs = measured.co2AboveMs
          lesson.temperatureMean = measured.temperature.mean
          lesson.scans = measured.scans
          lesson.distinctCards = measured.cards.count
        }
        result.lessons.append(lesson)
      }
    }
    for (roomID, room) in rooms.sorted(by: { $0.key < $1.key })
    where room.boardOutsideMs >= timetable.minUseMs || room.projectorOutsideMs >= timetable.minUseMs {
      result.outside.append(
        OutsideUse(room: roomID, boardOnMs: room.boardOutsideMs, projectorOnMs: room.projectorOutsideMs))
    }
    return result
  }
}

/// A time-weighted mean of held values (docs/rollups.md): each value weighs the time it held.
struct WeightedMean: Sendable {
  private(set) var sum = 0.0
  private(set) var heldMs: Int64 = 0
  private(set) var max: Double?

  mutating func add(_ steps: [Step]) {
    for step in steps {
      sum += step.value * Double(step.span.durationMs)
      heldMs += step.span.durationMs
      max = Swift.max(max ?? step.value, step.value)
    }
  }

  var mean: Double? { heldMs == 0 ? nil : sum / Double(heldMs) }
}
