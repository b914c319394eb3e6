import DeviceModel

extension Rollup {
  /// One day's lessons: for every room with devices (and every room the timetable schedules) and
  /// every period, what its boards, projectors, air sensors and card readers did; plus the rooms
  /// whose board or projector was on outside the sessions. `histories` cover the whole `day`
  /// (carry-in at its start). Pure; the rules are in docs/rollups.md, "Lessons".
  public static func lessons(
    _ histories: [DeviceHistory], day: Period, timetable: Timetable, calendar: SchoolCalendar,
    settings: RollupSettings = RollupSettings()
  ) -> LessonDay {
    let date = calendar.localDate(day.start)
    let closure = timetable.closure(on: date)
    var result = LessonDay(day: day, teaching: closure == nil, closure: closure)
    var byRoom: [String: [DeviceHistory]] = [:]
    for history in histories {
      if let room = history.room { byRoom[room, default: []].append(history) }
    }
    func period(_ start: Int, _ end: Int) -> Period {
      Period(
        start: calendar.instant(minute: start, ofDayStartingAt: day.start),
        end: calendar.instant(minute: end, ofDayStartingAt: day.start))
    }
    if closure == nil {
      let classes = timetable.lessons.filter { $0.weekday == date.weekday }
      for slot in timetable.slots {
        let span = period(slot.startMinute, slot.endMinute)
        let here = classes.filter { $0.session == slot.session && $0.period == slot.number }
        for room in Set(byRoom.keys).union(here.map(\.room)).sorted() {
          let devices = byRoom[room] ?? []
          let scheduled =
            timetable.lessons.isEmpty
            ? devices.contains { $0.kind == .board || $0.kind == .projector }
            : here.contains { $0.room == room }
          var lesson = LessonUsage(
            room: room, session: slot.session.rawValue, period: slot.number, start: span.start,
            end: span.end, className: here.first { $0.room == room }?.className, scheduled: scheduled)
          measure(&lesson, devices.map { $0.restricted(to: span) }, span, timetable.minUseMs, settings)
          result.lessons.append(lesson)
        }
      }
    }
    let sessions = closure == nil ? timetable.sessionSpans.map { period($0.start, $0.end) } : []
    for (room, devices) in byRoom.sorted(by: { $0.key < $1.key }) {
      let board = outsideOnMs(devices, .board, day: day, sessions: sessions, settings)
      let projector = outsideOnMs(devices, .projector, day: day, sessions: sessions, settings)
      if board >= timetable.minUseMs || projector >= timetable.minUseMs {
        result.outside.append(OutsideUse(room: room, boardOnMs: board, projectorOnMs: projector))
      }
    }
    return result
  }

  /// Fills one lesson from the room's devices over its span. Several devices of one kind in a
  /// room (two boards): the longest on time counts, so a lesson never has more minutes than it lasts.
  private static func measure(
    _ lesson: inout LessonUsage, _ devices: [DeviceHistory], _ span: Period, _ minUseMs: Int64,
    _ settings: RollupSettings
  ) {
    var co2 = WeightedMean()
    var temperature = WeightedMean()
    var cards: Set<String> = []
    for device in devices {
      let usage = Rollup.usage(of: device, over: span, settings: settings)
      switch device.kind {
      case .board:
        lesson.boardOnMs = max(lesson.boardOnMs, usage.onMs)
        lesson.boardActiveMs = max(lesson.boardActiveMs, usage.activeMs)
      case .projector:
        lesson.projectorOnMs = max(lesson.projectorOnMs, usage.onMs)
      default: break
      }
      let timeline = StatusTimeline(device, over: span)
      // The air is the room's sensors' (a board's panel temperature is not the room's).
      if device.kind == .envSensor, let series = device.series["co2"] {
        co2.add(timeline.steps(of: series, maxHoldMs: settings.maxHoldMs))
        lesson.co2AboveMs = max(lesson.co2AboveMs, usage.metrics["co2"]?.aboveMs ?? 0)
      }
      if device.kind == .envSensor, let series = device.series["temperature"] {
        temperature.add(timeline.steps(of: series, maxHoldMs: settings.maxHoldMs))
      }
      let scans = device.events.filter { $0.type == "card_scan" }
      lesson.scans += scans.count
      cards.formUnion(scans.compactMap(\.card))
    }
    lesson.usedBoard = lesson.boardOnMs >= minUseMs
    lesson.usedProjector = lesson.projectorOnMs >= minUseMs
    lesson.co2Mean = co2.mean
    lesson.co2Max = co2.max
    lesson.temperatureMean = temperature.mean
    lesson.distinctCards = cards.count
  }

  /// On time of the room's devices of `kind` outside the sessions: the day's on time minus each
  /// session's (held values add up over disjoint spans). The longest device's.
  private static func outsideOnMs(
    _ devices: [DeviceHistory], _ kind: DeviceKind, day: Period, sessions: [Period],
    _ settings: RollupSettings
  ) -> Int64 {
    var longest: Int64 = 0
    for device in devices where device.kind == kind {
      var outside = Rollup.usage(of: device, over: day, settings: settings).onMs
      for session in sessions {
        outside -= Rollup.usage(of: device.restricted(to: session), over: session, settings: settings).onMs
      }
      longest = max(longest, outside)
    }
    return longest
  }
}

/// A time-weighted mean of held values (docs/rollups.md): each value weighs the time it held.
struct WeightedMean {
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
