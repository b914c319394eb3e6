import Foundation
import JSON

/// A small city for the page's screenshots: five schools as their agents would report
/// 2026-11-28 (the contract's examples, renumbered and varied, lessons with matching totals),
/// one of them offline (its Last Will), and the first with a morning of windows and events.
enum SampleCity {
  static let schools = [
    "hcm-q1-th-0042", "hcm-q1-th-0051", "hcm-q3-th-0007", "hcm-q5-thcs-0012", "hcm-q10-th-0003",
  ]
  static let offline = "hcm-q3-th-0007"
  /// 2026-11-28T07:00:00+07:00
  static let morningMs = 1_795_824_000_000

  static func messages(nowMs: Int64) throws -> [(topic: String, payload: String)] {
    var messages: [(String, JSONObject)] = []
    for (index, school) in schools.enumerated() {
      let stream = "3f9c2a7be41d0c5\(index)"
      func stamped(_ object: JSONObject, seq: Int) -> JSONObject {
        var copy = object
        copy["school_id"] = .string(school)
        copy["stream"] = .string(stream)
        copy["seq"] = .number(Double(seq))
        return copy
      }
      if school == offline {
        var lastWill = try Examples.object("presence-last-will")
        lastWill["school_id"] = .string(school)
        messages.append(("presence", lastWill))
      } else {
        var presence = try Examples.object("presence")
        presence["school_id"] = .string(school)
        presence["time_ms"] = .number(Double(nowMs - 800 - Int64(index) * 300))
        let backlog = [2, 0, 0, 14, 1][index]
        presence["backlog"] = .number(Double(backlog))
        presence["oldest_pending_ms"] = backlog == 0 ? .null : .number(Double(nowMs - 90_000))
        presence["devices"] = [
          "online": .number(Double([38, 24, 0, 47, 30][index])),
          "offline": .number(Double([1, 0, 0, 3, 0][index])),
          "stale": .number(Double([0, 1, 0, 1, 0][index])), "unknown": 0,
        ]
        messages.append(("presence", presence))
      }
      messages.append(("daily-summary", stamped(try daily(index), seq: 100)))
      messages.append(("lesson-summary", stamped(try lessons(index), seq: 101)))
      if index == 0 {
        for number in 0..<48 {
          messages.append(("window-summary", stamped(try window(number), seq: 200 + number)))
        }
        var down = try Examples.object("event-device-status")
        down.set("event.time_ms", .number(Double(morningMs + 95 * 60_000)))
        messages.append(("event-device-status", stamped(down, seq: 300)))
        var up = down
        up.set("event.status", "online")
        up.set("event.time_ms", .number(Double(morningMs + 140 * 60_000)))
        messages.append(("event-device-status", stamped(up, seq: 301)))
        var alert = try Examples.object("event-threshold-alert")
        alert.set("event.time_ms", .number(Double(morningMs + 170 * 60_000)))
        messages.append(("event-threshold-alert", stamped(alert, seq: 302)))
      }
    }
    return messages.map { name, object in
      (
        Examples.topic(name, school: object["school_id"]?.stringValue ?? ""),
        JSONWriter.compact(.object(object))
      )
    }
  }

  /// The day's devices: one board per room of four, used in some; the CO2 sensor of the example.
  static func daily(_ index: Int) throws -> JSONObject {
    var day = try Examples.object("daily-summary")
    let original = day["devices"]?.arrayValue ?? []
    var devices: [JSONValue] = []
    for room in 0..<4 {
      guard var board = original.first?.objectValue else { break }
      board["id"] = .string("board-10\(room + 1)")
      board["room"] = .string("10\(room + 1)")
      board["active_min"] = .number((room + index) % 3 == 0 ? 0 : Double(120 + 60 * room))
      devices.append(.object(board))
    }
    devices += original.dropFirst()
    day["devices"] = .array(devices)
    return day
  }

  /// Four rooms, five morning periods each; which are used and which run over 1000 ppm varies.
  static func lessons(_ index: Int) throws -> JSONObject {
    var summary = try Examples.object("lesson-summary")
    let template = summary["lessons"]?.arrayValue?.first?.objectValue ?? [:]
    var lessons: [JSONValue] = []
    var used = 0
    var board = 0
    var projector = 0
    var over = 0
    for room in 1...4 {
      for period in 1...5 {
        let start = morningMs + (period - 1) * 50 * 60_000
        let usesBoard = (room * 3 + period + index) % 4 != 0
        let usesProjector = (room + period * 2 + index) % 5 == 0
        let co2 = 700 + (room * 97 + period * 131 + index * 53) % 600
        var lesson = template
        lesson["room"] = .string("10\(room)")
        lesson["period"] = .number(Double(period))
        lesson["class"] = .string("\(9 + room % 3)A\(room)")
        lesson["start"] = .string(SchoolClock.local(start))
        lesson["start_ms"] = .number(Double(start))
        lesson["end_ms"] = .number(Double(start + 45 * 60_000))
        lesson["board_on_min"] = .number(usesBoard ? 40 : 0)
        lesson["board_active_min"] = .number(usesBoard ? 30 : 0)
        lesson["projector_on_min"] = .number(usesProjector ? 35 : 0)
        lesson["used_board"] = .bool(usesBoard)
        lesson["used_projector"] = .bool(usesProjector)
        lesson["co2"] = [
          "mean": .number(Double(co2 - 150)), "max": .number(Double(co2)),
          "above_min": .number(co2 > 1000 ? 12 : 0), "threshold": 1000,
        ]
        lessons.append(.object(lesson))
        if usesBoard || usesProjector { used += 1 }
        if usesBoard { board += 1 }
        if usesProjector { projector += 1 }
        if co2 > 1000 { over += 1 }
      }
    }
    summary["lessons"] = .array(lessons)
    summary["outside_timetable"] = []
    summary.set("totals.scheduled_lessons", .number(Double(lessons.count)))
    summary.set("totals.used_lessons", .number(Double(used)))
    summary.set("totals.used_board", .number(Double(board)))
    summary.set("totals.used_projector", .number(Double(projector)))
    summary.set("totals.co2_over_lessons", .number(Double(over)))
    summary.set("totals.unscheduled_used", 0)
    summary.set("totals.rooms_outside_timetable", 0)
    return summary
  }

  /// The `number`th five-minute window from 07:00: CO2 climbs through each lesson and falls in
  /// each break; a projector is down from 08:35 to 09:20.
  static func window(_ number: Int) throws -> JSONObject {
    var window = try Examples.object("window-summary")
    let start = morningMs + number * 300_000
    window.set("period.start_ms", .number(Double(start)))
    window.set("period.end_ms", .number(Double(start + 300_000)))
    window.set("period.start", .string(SchoolClock.local(start)))
    window.set("period.end", .string(SchoolClock.local(start + 300_000)))
    let down = (19..<28).contains(number)
    window.set("fleet.online", .number(down ? 4 : 5))
    window.set("fleet.offline", .number(down ? 1 : 0))
    var devices = window["devices"]?.arrayValue ?? []
    if let env = devices.firstIndex(where: { $0.objectValue?["id"]?.stringValue == "env-101" }),
      var sensor = devices[env].objectValue
    {
      let intoLesson = number % 10
      let co2 = intoLesson < 9 ? 650 + intoLesson * 70 : 700
      sensor.set("metrics.co2.max", .number(Double(co2)))
      sensor.set("metrics.co2.mean", .number(Double(co2 - 40)))
      sensor.set("metrics.co2.min", .number(Double(co2 - 80)))
      sensor.set("metrics.co2.time_weighted_mean", .number(Double(co2 - 30)))
      sensor.set("metrics.co2.above_min", .number(co2 > 1000 ? 3 : 0))
      devices[env] = .object(sensor)
    }
    window["devices"] = .array(devices)
    return window
  }
}

/// Asia/Ho_Chi_Minh has been UTC+7 without daylight saving since 1975: the sample's local times.
enum SchoolClock {
  static func local(_ ms: Int) -> String {
    let date = Date(timeIntervalSince1970: Double(ms) / 1000 + 7 * 3600)
    let formatter = DateFormatter()
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
    return formatter.string(from: date) + "+07:00"
  }
}
