/// The class list of the simulated school as a timetable CSV export (docs/configuration.md,
/// "Timetable"): the class of each room in every period it has a lesson, every day of the week
/// (the demo runs on any day). `classgate simulate --write-timetable FILE` writes it.
extension SchoolLayout {
  public func timetableCSV() -> String {
    var lines = ["weekday,session,period,room,class"]
    for weekday in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
      for (number, period) in SchoolDay.periods.enumerated() {
        for (index, room) in rooms.enumerated()
        where SchoolDay.hasLesson(roomIndex: index, period: number + 1) {
          lines.append("\(weekday),\(period.session),\(period.number),\(room.id),\(className(room))")
        }
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Grade 6 on the ground floor up to 9 on the fourth: `6A1` is room 101's class.
  public func className(_ room: Room) -> String {
    "\(room.floor + 5)A\((Int(room.id) ?? 0) % 100)"
  }
}
