/// A school timetable export as CSV: which class has a lesson in which room in which period.
///
///     weekday,session,period,room,class
///     mon,morning,1,101,10A1
///     3,chiều,2,lab-1,11B2
///
/// `weekday`: `mon`…`sun`, or Vietnamese numbering (`2` = Thứ 2 = Monday … `7` = Saturday, `CN`
/// = Sunday); `session`: `morning`/`afternoon` or `sáng`/`chiều` (`s`/`c`); `period`: 1–7 within
/// the session. Extra columns (a subject, a teacher) are ignored; the header is required. Pure:
/// the text in, lessons or problems (with their line) out.
public enum TimetableCSV {
  public struct Problem: Error, Sendable, Equatable {
    public var line: Int
    public var message: String
  }

  static let required = ["weekday", "session", "period", "room", "class"]

  public static func parse(_ text: String) -> Result<[Timetable.Lesson], Problem> {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
      $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
    }
    guard let headerLine = lines.first else { return .failure(Problem(line: 1, message: "empty file")) }
    let header = fields(headerLine.hasPrefix("\u{FEFF}") ? String(headerLine.dropFirst()) : headerLine)
      .map { $0.lowercased() }
    var columns: [String: Int] = [:]
    for name in required {
      guard let index = header.firstIndex(of: name) else {
        return .failure(
          Problem(
            line: 1,
            message: "the header needs the columns \(required.joined(separator: ",")); \(name) is missing"))
      }
      columns[name] = index
    }
    var lessons: [Timetable.Lesson] = []
    var seen: Set<String> = []
    for (offset, line) in lines.enumerated().dropFirst() where !line.trimmed.isEmpty {
      let number = offset + 1
      let values = fields(line)
      func value(_ name: String) -> String {
        let index = columns[name] ?? 0
        return index < values.count ? values[index].trimmed : ""
      }
      guard let weekday = weekday(value("weekday")) else {
        return .failure(
          Problem(
            line: number,
            message: "weekday: expected mon…sun or 2…7/CN, found \"\(value("weekday").prefix(20))\""))
      }
      guard let session = session(value("session")) else {
        return .failure(
          Problem(
            line: number,
            message:
              "session: expected morning or afternoon (sáng/chiều), found \"\(value("session").prefix(20))\"")
        )
      }
      guard let period = Int(value("period")), (1...7).contains(period) else {
        return .failure(
          Problem(line: number, message: "period: expected 1 to 7, found \"\(value("period").prefix(20))\""))
      }
      let room = value("room")
      guard !room.isEmpty, room.utf8.count <= 64 else {
        return .failure(Problem(line: number, message: "room: expected a room id"))
      }
      let className = value("class")
      guard !className.isEmpty, className.utf8.count <= 64 else {
        return .failure(Problem(line: number, message: "class: expected a class name (1-64 bytes)"))
      }
      guard seen.insert("\(weekday) \(session) \(period) \(room)").inserted else {
        return .failure(Problem(line: number, message: "room \(room) has two lessons in this period"))
      }
      lessons.append(
        Timetable.Lesson(weekday: weekday, session: session, period: period, room: room, className: className)
      )
    }
    return .success(lessons)
  }

  static func weekday(_ text: String) -> Int? {
    switch text.lowercased() {
    case "mon", "monday", "2", "t2": 1
    case "tue", "tuesday", "3", "t3": 2
    case "wed", "wednesday", "4", "t4": 3
    case "thu", "thursday", "5", "t5": 4
    case "fri", "friday", "6", "t6": 5
    case "sat", "saturday", "7", "t7": 6
    case "sun", "sunday", "cn": 7
    default: nil
    }
  }

  static func session(_ text: String) -> Timetable.Session? {
    switch text.lowercased() {
    case "morning", "sáng", "sang", "s": .morning
    case "afternoon", "chiều", "chieu", "c": .afternoon
    default: nil
    }
  }

  /// One CSV record's fields: commas, and double quotes around fields that hold them.
  static func fields(_ line: String) -> [String] {
    var fields: [String] = []
    var current = ""
    var quoted = false
    var iterator = line.makeIterator()
    while let character = iterator.next() {
      switch character {
      case "\"" where quoted:
        // A doubled quote inside quotes is one quote.
        if let next = iterator.next() {
          if next == "\"" {
            current.append("\"")
          } else {
            quoted = false
            if next == "," {
              fields.append(current)
              current = ""
            } else {
              current.append(next)
            }
          }
        } else {
          quoted = false
        }
      case "\"" where current.isEmpty: quoted = true
      case "," where !quoted:
        fields.append(current)
        current = ""
      default: current.append(character)
      }
    }
    fields.append(current)
    return fields
  }
}

extension String {
  fileprivate var trimmed: String {
    var text = Substring(self)
    while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
    while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
    return String(text)
  }
}
