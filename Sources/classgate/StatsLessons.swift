import Buffer
import DeviceModel
import JSON
import Rollup
import Uplink

/// `classgate stats --lessons`: the per-lesson usage of summarised days, as sent to the IOC in
/// `classgate.lesson_summary` (docs/cli.md). One day: a row per room and period; several days:
/// a row per day.
struct LessonsOutput {
  let calendar: SchoolCalendar
  let co2Threshold: Double?
  let messages: UplinkMessages

  init(calendar: SchoolCalendar, co2Threshold: Double?) {
    self.calendar = calendar
    self.co2Threshold = co2Threshold
    messages = UplinkMessages(
      schoolID: "", timeZone: calendar.zoneName, localTime: { calendar.localISO($0) },
      localDate: { calendar.dayLabel($0) })
  }

  func json(_ days: [LessonDay], from: String, to: String) -> JSONValue {
    .object([
      "from": .string(from), "to": .string(to), "time_zone": .string(calendar.zoneName),
      "days": .array(
        days.map { day in
          .object([
            "date": .string(calendar.dayLabel(day.day.start)), "teaching_day": .bool(day.teaching),
            "closure": day.closure.map(JSONValue.string) ?? .null,
            "totals": UplinkMessages.lessonTotals(day),
            "lessons": .array(day.lessons.map { messages.lesson($0, co2Threshold: co2Threshold) }),
            "outside_timetable": .array(day.outside.map(UplinkMessages.outside)),
          ])
        }),
    ])
  }

  func text(_ days: [LessonDay], from: String, to: String) -> String {
    guard !days.isEmpty else {
      return "No lessons summarised from \(from) to \(to) (\(calendar.zoneName)): a day's lessons are "
        + "summarised after the day ends, when the configuration has a [timetable]."
    }
    if days.count == 1, let day = days.first { return text(day) }
    var table = TextTable(headers: [
      "DATE", "LESSONS", "USED", "BOARD", "PROJECTOR", "CO2 HIGH", "OUTSIDE", "NOTE",
    ])
    for day in days {
      table.append([
        calendar.dayLabel(day.day.start), "\(day.scheduledLessons)", share(day.scheduledUsed, day),
        share(day.scheduledUsingBoard, day), share(day.scheduledUsingProjector, day), "\(day.lessonsOverCO2)",
        day.outside.count == 1 ? "1 room" : "\(day.outside.count) rooms", day.closure ?? "",
      ])
    }
    let scheduled = days.reduce(0) { $0 + $1.scheduledLessons }
    let used = days.reduce(0) { $0 + $1.scheduledUsed }
    let total = scheduled == 0 ? "" : " (\(StatsOutput.percent(Double(used) * 100 / Double(scheduled))) %)"
    return "Lessons \(from) to \(to) (\(calendar.zoneName))\n\n\(table.render())\n\n"
      + "\(scheduled) scheduled lessons, \(used) used the board or projector\(total)"
  }

  private func text(_ day: LessonDay) -> String {
    let date = calendar.dayLabel(day.day.start)
    var lines = [
      "Lessons \(date) (\(calendar.zoneName))" + (day.closure.map { ": no lessons (\($0))" } ?? "")
    ]
    if !day.lessons.isEmpty {
      let above = co2Threshold.map { ">\(StatsOutput.short($0))" } ?? "ABOVE"
      var table = TextTable(headers: [
        "PERIOD", "TIME", "ROOM", "CLASS", "BOARD", "ACTIVE", "PROJECTOR", "USED", "CO2 AVG", "MAX", above,
        "TEMP", "SCANS", "CARDS",
      ])
      for lesson in day.lessons {
        table.append([
          "\(lesson.session) \(lesson.period)",
          String(calendar.localISO(lesson.start).dropFirst(11).prefix(5)),
          lesson.room, lesson.className ?? (lesson.scheduled ? "" : "(none)"),
          StatsOutput.duration(lesson.boardOnMs), StatsOutput.duration(lesson.boardActiveMs),
          StatsOutput.duration(lesson.projectorOnMs), used(lesson),
          lesson.co2Mean.map(StatsOutput.short) ?? "-", lesson.co2Max.map(StatsOutput.short) ?? "-",
          lesson.co2Mean == nil ? "-" : StatsOutput.duration(lesson.co2AboveMs),
          lesson.temperatureMean.map(StatsOutput.short) ?? "-", "\(lesson.scans)", "\(lesson.distinctCards)",
        ])
      }
      lines += ["", table.render()]
    }
    lines.append("")
    if day.teaching {
      let co2 = co2Threshold.map { " above \(StatsOutput.short($0)) ppm" } ?? " above the threshold"
      lines.append(
        "\(day.scheduledLessons) scheduled lessons: \(share(day.scheduledUsed, day)) used the board or projector "
          + "(board \(share(day.scheduledUsingBoard, day)), projector \(share(day.scheduledUsingProjector, day))); "
          + "\(day.lessonsOverCO2) with CO2\(co2); \(day.unscheduledUsed) periods used without a lesson")
    }
    if day.outside.isEmpty {
      lines.append("No board or projector on outside the timetable.")
    } else {
      let rooms = day.outside.map { room in
        var parts: [String] = []
        if room.boardOnMs > 0 { parts.append("board \(StatsOutput.duration(room.boardOnMs))") }
        if room.projectorOnMs > 0 { parts.append("projector \(StatsOutput.duration(room.projectorOnMs))") }
        return "\(room.room) (\(parts.joined(separator: ", ")))"
      }
      lines.append("On outside the timetable: " + rooms.joined(separator: ", "))
    }
    return lines.joined(separator: "\n")
  }

  private func used(_ lesson: LessonUsage) -> String {
    switch (lesson.usedBoard, lesson.usedProjector) {
    case (true, true): "board+projector"
    case (true, false): "board"
    case (false, true): "projector"
    case (false, false): lesson.scheduled ? "no" : "-"
    }
  }

  private func share(_ count: Int, _ day: LessonDay) -> String {
    guard day.scheduledLessons > 0 else { return "\(count)" }
    return "\(count) (\(StatsOutput.percent(Double(count) * 100 / Double(day.scheduledLessons))) %)"
  }
}
