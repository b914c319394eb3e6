import JSON

/// schemas/lesson-summary.v1.schema.json, plus what scripts/validate-uplink.py adds: a closure
/// exactly when not a teaching day, each lesson inside the day and within its own minutes, a room
/// once per period, cards ≤ scans, and (for a whole message, not a part) totals that match the
/// lessons. Stored like the other summaries: kind `lessons`, the day as its period.
enum LessonChecks {
  static let topLevel: Set<String> = [
    "schema", "schema_version", "school_id", "stream", "seq", "created_ms", "period", "revision", "part",
    "parts", "teaching_day", "closure", "totals", "lessons", "outside_timetable",
  ]
  /// Minutes are rounded to 3 decimals.
  static let tolerance = 0.001

  static func summary(_ fields: FieldReader, zones: ZoneLookup) throws(InvalidMessage) -> SummaryMessage {
    try fields.onlyKeys(topLevel)
    let envelope = try UplinkValidator.envelope(fields)
    let (start, end, dayMinutes, date, zone) = try SummaryChecks.period(fields, kind: .lessons, zones: zones)
    let (revision, part, parts) = try SummaryChecks.revisionAndParts(fields)
    let teaching = try fields.bool("teaching_day")
    let closure = try fields.nullableString(
      "closure", "1–64 characters", TextShape.anyText(minLength: 1, maxLength: 64))
    guard teaching == (closure == nil) else {
      throw InvalidMessage("teaching_day \(teaching) with closure: a closure exactly when not a teaching day")
    }
    let lessons = try fields.array("lessons")
    if !teaching && !lessons.isEmpty { throw InvalidMessage("lessons on a day without lessons") }
    var tally = Tally()
    var seen = Set<String>()
    for (index, value) in lessons.enumerated() {
      let path = "lessons[\(index)]"
      guard let object = value.objectValue else { throw InvalidMessage("\(path): expected an object") }
      let lesson = FieldReader(object, path: path)
      let room = try lesson.string("room", "a room id", TextShape.identifier)
      let lessonStart = try lesson.integer("start_ms", minimum: start)
      let lessonEnd = try lesson.integer("end_ms", minimum: lessonStart + 1, maximum: end)
      guard seen.insert("\(room) \(lessonStart)").inserted else {
        throw InvalidMessage("\(path): room \(room) appears twice in this period")
      }
      let minutes = try lesson.integer("minutes", minimum: 1, maximum: 240)
      guard abs(minutes * 60_000 - (lessonEnd - lessonStart)) <= 1 else {
        throw InvalidMessage("\(path): minutes \(minutes) but end_ms − start_ms is not")
      }
      _ = try lesson.choice("session", among: ["morning", "afternoon"])
      _ = try lesson.integer("period", minimum: 1, maximum: 7)
      let localStart = try lesson.string("start", "an RFC 3339 local time", TextShape.localTime)
      try LocalTimeChecks.instant(localStart, is: Int64(lessonStart), in: zone, path: "\(path).start")
      let limit = Double(minutes) + tolerance
      let boardOn = try lesson.number("board_on_min", minimum: 0, maximum: limit)
      _ = try lesson.number("board_active_min", minimum: 0, maximum: boardOn + tolerance)
      let projectorOn = try lesson.number("projector_on_min", minimum: 0, maximum: limit)
      let usedBoard = try lesson.bool("used_board")
      let usedProjector = try lesson.bool("used_projector")
      if usedBoard && boardOn == 0 { throw InvalidMessage("\(path): used_board with board_on_min 0") }
      if usedProjector && projectorOn == 0 {
        throw InvalidMessage("\(path): used_projector with projector_on_min 0")
      }
      let scans = try lesson.integer("scans", minimum: 0)
      let cards = try lesson.integer("distinct_cards", minimum: 0)
      guard cards <= scans else { throw InvalidMessage("\(path): distinct_cards \(cards) > scans \(scans)") }
      var co2Over = false
      if lesson.has("co2") {
        let co2 = try lesson.object("co2")
        let max = try co2.number("max")
        _ = try co2.number("mean", maximum: max + Swift.max(0.0005, abs(max) * 1e-9))
        co2Over = try co2.number("above_min", minimum: 0, maximum: limit) > 0
      }
      tally.count(
        scheduled: try lesson.bool("scheduled"), board: usedBoard, projector: usedProjector, co2Over: co2Over)
    }
    let outside = try fields.array("outside_timetable")
    var rooms = Set<String>()
    for (index, value) in outside.enumerated() {
      guard let object = value.objectValue else {
        throw InvalidMessage("outside_timetable[\(index)]: expected an object")
      }
      let entry = FieldReader(object, path: "outside_timetable[\(index)]")
      let room = try entry.string("room", "a room id", TextShape.identifier)
      guard rooms.insert(room).inserted else { throw InvalidMessage("outside_timetable: room \(room) twice") }
      _ = try entry.number("board_on_min", minimum: 0, maximum: Double(dayMinutes) + tolerance)
      _ = try entry.number("projector_on_min", minimum: 0, maximum: Double(dayMinutes) + tolerance)
    }
    let totals = try fields.object("totals")
    guard try totals.integer("rooms_outside_timetable", minimum: 0) == outside.count else {
      throw InvalidMessage("totals.rooms_outside_timetable does not match outside_timetable")
    }
    // A part holds some of the day's lessons; the totals are the whole day's.
    if parts == nil { try tally.check(totals) }
    return SummaryMessage(
      envelope: envelope, kind: .lessons, periodStartMs: Int64(start), periodEndMs: Int64(end), date: date,
      revision: revision, part: part ?? 1, parts: parts ?? 1)
  }

  /// What the totals must say, counted from the lessons.
  struct Tally {
    var scheduled = 0
    var used = 0
    var board = 0
    var projector = 0
    var co2Over = 0
    var unscheduledUsed = 0

    mutating func count(
      scheduled isScheduled: Bool, board usedBoard: Bool, projector usedProjector: Bool, co2Over over: Bool
    ) {
      guard isScheduled else {
        if usedBoard || usedProjector { unscheduledUsed += 1 }
        return
      }
      scheduled += 1
      if usedBoard || usedProjector { used += 1 }
      if usedBoard { board += 1 }
      if usedProjector { projector += 1 }
      if over { co2Over += 1 }
    }

    func check(_ totals: FieldReader) throws(InvalidMessage) {
      for (key, expected) in [
        ("scheduled_lessons", scheduled), ("used_lessons", used), ("used_board", board),
        ("used_projector", projector), ("co2_over_lessons", co2Over), ("unscheduled_used", unscheduledUsed),
      ] {
        let stated = try totals.integer(key, minimum: 0)
        guard stated == expected else {
          throw InvalidMessage("totals.\(key) is \(stated) but the lessons give \(expected)")
        }
      }
    }
  }
}
