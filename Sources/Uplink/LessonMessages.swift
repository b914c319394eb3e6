import DeviceModel
import JSON

/// `classgate.lesson_summary` (schemas/lesson-summary.v1.schema.json, docs/uplink.md): one day's
/// lessons per room and period, the day's totals, and the rooms used outside the timetable.
extension UplinkMessages {
  /// `part`: (index from 1, count) when the day's lessons are split over several messages; every
  /// part carries the whole day's totals and rooms used outside the timetable.
  public func lessonSummary(
    _ day: LessonDay, lessons: [LessonUsage], revision: Int, co2Threshold: Double?, seq: Int64,
    createdAt: EpochMillis, part: (index: Int, count: Int)? = nil
  ) -> [UInt8] {
    var body = envelope(schema: "classgate.lesson_summary", seq: seq, createdAt: createdAt)
    body["period"] = .object([
      "start_ms": .number(Double(day.day.start)), "end_ms": .number(Double(day.day.end)),
      "start": .string(localTime(day.day.start)), "end": .string(localTime(day.day.end)),
      "time_zone": .string(timeZone), "minutes": .number(Double(day.day.durationMs / 60_000)),
      "date": .string(localDate(day.day.start)),
    ])
    body["revision"] = .number(Double(revision))
    if let part {
      body["part"] = .number(Double(part.index))
      body["parts"] = .number(Double(part.count))
    }
    body["teaching_day"] = .bool(day.teaching)
    body["closure"] = day.closure.map(JSONValue.string) ?? .null
    body["totals"] = Self.lessonTotals(day)
    body["lessons"] = .array(lessons.map { lesson($0, co2Threshold: co2Threshold) })
    body["outside_timetable"] = .array(day.outside.map(Self.outside))
    return JSONWriter.compactBytes(.object(body))
  }

  /// The lessons split into parts whose messages stay under `maxBytes`, in order.
  public func lessonParts(_ lessons: [LessonUsage], co2Threshold: Double?, maxBytes: Int, outsideRooms: Int)
    -> [[LessonUsage]]
  {
    // The envelope, totals and the rooms used outside the timetable (~80 bytes each) go in every part.
    let budget = max(1024, maxBytes - 2048 - 100 * outsideRooms)
    var parts: [[LessonUsage]] = [[]]
    var used = 0
    for usage in lessons {
      let size = JSONWriter.compactBytes(lesson(usage, co2Threshold: co2Threshold)).count + 1
      if used + size > budget, !parts[parts.count - 1].isEmpty {
        parts.append([])
        used = 0
      }
      parts[parts.count - 1].append(usage)
      used += size
    }
    return parts
  }

  /// One lesson as the IOC gets it (also `classgate stats --lessons --json`).
  public func lesson(_ lesson: LessonUsage, co2Threshold: Double?) -> JSONValue {
    var object: JSONObject = [
      "room": .string(lesson.room), "session": .string(lesson.session),
      "period": .number(Double(lesson.period)), "start": .string(localTime(lesson.start)),
      "start_ms": .number(Double(lesson.start)), "end_ms": .number(Double(lesson.end)),
      "minutes": .number(Self.minutes(lesson.end - lesson.start)),
      "class": lesson.className.map(JSONValue.string) ?? .null, "scheduled": .bool(lesson.scheduled),
      "board_on_min": .number(Self.minutes(lesson.boardOnMs)),
      "board_active_min": .number(Self.minutes(lesson.boardActiveMs)),
      "projector_on_min": .number(Self.minutes(lesson.projectorOnMs)),
      "used_board": .bool(lesson.usedBoard), "used_projector": .bool(lesson.usedProjector),
      "scans": .number(Double(lesson.scans)), "distinct_cards": .number(Double(lesson.distinctCards)),
    ]
    if let mean = lesson.co2Mean, let max = lesson.co2Max, mean.isFinite, max.isFinite {
      var co2: JSONObject = [
        "mean": .number(Swift.min(Self.rounded(mean, places: 1), max)), "max": .number(max),
        "above_min": .number(Self.minutes(lesson.co2AboveMs)),
      ]
      if let co2Threshold { co2["threshold"] = .number(co2Threshold) }
      object["co2"] = .object(co2)
    }
    if let temperature = lesson.temperatureMean, temperature.isFinite {
      object["temperature_mean"] = .number(Self.rounded(temperature, places: 2))
    }
    return .object(object)
  }

  /// The day's totals (also `classgate stats --lessons --json`).
  public static func lessonTotals(_ day: LessonDay) -> JSONValue {
    let scheduled = day.scheduledLessons
    func share(_ count: Int) -> JSONValue {
      scheduled == 0 ? .null : .number(rounded(Double(count) * 100 / Double(scheduled), places: 1))
    }
    return .object([
      "scheduled_lessons": .number(Double(scheduled)),
      "used_lessons": .number(Double(day.scheduledUsed)),
      "used_board": .number(Double(day.scheduledUsingBoard)),
      "used_projector": .number(Double(day.scheduledUsingProjector)),
      "used_pct": share(day.scheduledUsed), "board_pct": share(day.scheduledUsingBoard),
      "projector_pct": share(day.scheduledUsingProjector),
      "co2_over_lessons": .number(Double(day.lessonsOverCO2)),
      "unscheduled_used": .number(Double(day.unscheduledUsed)),
      "rooms_outside_timetable": .number(Double(day.outside.count)),
    ])
  }

  public static func outside(_ room: OutsideUse) -> JSONValue {
    .object([
      "room": .string(room.room), "board_on_min": .number(minutes(room.boardOnMs)),
      "projector_on_min": .number(minutes(room.projectorOnMs)),
    ])
  }
}
