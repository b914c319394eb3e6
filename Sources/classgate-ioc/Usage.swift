import ArgumentParser
import IOCReceiver
import JSON

extension ClassGateIOC {
  struct Usage: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show each school's use of boards and projectors, CO2 and energy on one day.",
      discussion: """
        From the schools' daily summaries (the highest revision, all parts). A display is a board \
        or a projector; used means active at some time of the day. CO2 counts sensors that were \
        above their threshold, and for how long in total.
        """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The school-local date, YYYY-MM-DD.")
    var day: String

    func validate() throws {
      guard CityPages.isDay(day) else {
        throw ValidationError("Please give --day as YYYY-MM-DD, e.g. 2026-11-28.")
      }
    }

    func run() throws {
      let connection = try database.connect()
      defer { connection.close() }
      let usage = try CityView.usage(connection, day: day)
      if database.json {
        print(JSONWriter.pretty(.object(["day": .string(day), "schools": .array(usage.map(Self.json))])))
        return
      }
      guard !usage.isEmpty else {
        print("no daily summaries for \(day)")
        return
      }
      print(Format.table(CityTable.usageHeader, usage.map(CityTable.usageRow)))
    }

    static func json(_ school: SchoolUsage) -> JSONValue {
      .object([
        "school_id": .string(school.schoolID), "displays": .number(Double(school.displays)),
        "displays_used": .number(Double(school.displaysUsed)),
        "display_share_used": school.displayShareUsed.map(JSONValue.number) ?? .null,
        "display_on_min": .number(school.displayOnMinutes),
        "display_active_min": .number(school.displayActiveMinutes),
        "co2_sensors": .number(Double(school.co2Sensors)),
        "co2_sensors_over": .number(Double(school.co2SensorsOver)),
        "co2_above_min": .number(school.co2AboveMinutes), "energy_kwh": .number(school.energyKWh),
        "scans": .number(Double(school.scans)),
        "lessons": school.lessons.map { lessons in
          .object([
            "scheduled": .number(Double(lessons.scheduled)), "used": .number(Double(lessons.used)),
            "share_used": lessons.shareUsed.map(JSONValue.number) ?? .null,
            "co2_over": .number(Double(lessons.co2Over)),
            "rooms_outside_timetable": .number(Double(lessons.roomsOutsideTimetable)),
          ])
        } ?? .null,
      ])
    }
  }
}
