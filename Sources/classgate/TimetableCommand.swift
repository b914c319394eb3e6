import Agent
import ArgumentParser
import EventLoop
import JSON
import Rollup

#if canImport(Glibc)
  import Glibc
#endif

extension ClassGate {
  struct TimetableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "timetable",
      abstract: "Show the school's timetable, or import its class list from a CSV export.",
      subcommands: [Show.self, Import.self], defaultSubcommand: Show.self)

    struct Show: ParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "The periods, teaching days, terms, closures and class list of [timetable].",
        discussion: """
          Examples:
            classgate timetable show
            classgate timetable show --date 2026-12-01 --json
          """)

      @Option(name: .shortAndLong, help: "The configuration file.")
      var config: String = "/etc/classgate/classgate.toml"

      @Option(help: "Say whether this local date (YYYY-MM-DD) has lessons (default: none).")
      var date: String?

      @Flag(help: "JSON output.") var json = false

      func run() throws {
        let agentConfig: AgentConfig
        do {
          agentConfig = try AgentConfig.load(path: config, environment: ProcessEnvironment.current())
        } catch {
          printError("configuration error: \(error.description)")
          throw ExitCode(78)
        }
        guard let timetable = agentConfig.uplink.summariser.timetable else {
          print("No [timetable] in \(config): no per-lesson usage (docs/configuration.md, \"Timetable\").")
          return
        }
        let day = try date.map { text in
          guard let day = LocalDate(text) else {
            throw ValidationError("Please specify 'date' as YYYY-MM-DD, e.g. 2026-11-28.")
          }
          return day
        }
        let output = TimetableOutput(timetable: timetable)
        if json { JSONOutput.print(output.json(date: day)) } else { print(output.text(date: day)) }
      }
    }

    struct Import: ParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Check a timetable CSV export and install it as [timetable] csv.",
        discussion: """
          The file needs the columns weekday, session, period, room and class (docs/configuration.md, \
          "Timetable"). A valid file replaces the one `timetable.csv` names, in one step; restart \
          the agent to use it. An invalid one changes nothing and exits 65 with the line at fault.

          Examples:
            classgate timetable import tkb-hk1.csv
            classgate timetable import tkb-hk1.csv --config /etc/classgate/classgate.toml
          """)

      @Argument(help: "The CSV export of the school's timetable.") var file: String

      @Option(name: .shortAndLong, help: "The configuration file.")
      var config: String = "/etc/classgate/classgate.toml"

      func run() throws {
        let text: String
        switch readTextFile(file, maxBytes: 4 << 20) {
        case .success(let contents): text = contents
        case .failure(let failure): throw CLIError(failure.message)
        }
        let lessons: [Timetable.Lesson]
        switch TimetableCSV.parse(text) {
        case .success(let parsed): lessons = parsed
        case .failure(let problem):
          printError("\(file) line \(problem.line): \(problem.message)")
          throw ExitCode(65)  // EX_DATAERR
        }
        let destination: String
        do {
          guard let path = try ConfigPeek(configFile: config, mustExist: true).timetableCSV else {
            throw CLIError("\(config) has no [timetable] csv = PATH: set where the class list lives first")
          }
          destination = path
        } catch let error as CLIError {
          throw error
        } catch {
          throw CLIError("\(error)")
        }
        // Written beside the destination, then renamed over it: the agent never reads half a file.
        let temporary = destination + ".importing"
        guard let handle = fopen(temporary, "w") else {
          throw CLIError("cannot write \(temporary): \(String(cString: strerror(errno)))")
        }
        let written = fputs(text, handle) >= 0 && fflush(handle) == 0 && fsync(fileno(handle)) == 0
        fclose(handle)
        guard written, rename(temporary, destination) == 0 else {
          unlink(temporary)
          throw CLIError("cannot write \(destination): \(String(cString: strerror(errno)))")
        }
        let rooms = Set(lessons.map(\.room)).count
        print(
          "imported \(lessons.count) lessons in \(rooms) rooms into \(destination); restart the agent to use them "
            + "(systemctl restart classgate)")
      }
    }
  }
}

/// `classgate timetable show`: the timetable as a table, or its documented JSON (docs/cli.md).
struct TimetableOutput {
  let timetable: Timetable
  static let weekdayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

  static func clock(_ minute: Int) -> String {
    "\(minute / 60 < 10 ? "0" : "")\(minute / 60):\(minute % 60 < 10 ? "0" : "")\(minute % 60)"
  }

  func json(date: LocalDate?) -> JSONValue {
    var object: JSONObject = [
      "periods": .array(
        timetable.slots.map { slot in
          .object([
            "session": .string(slot.session.rawValue), "period": .number(Double(slot.number)),
            "start": .string(Self.clock(slot.startMinute)), "end": .string(Self.clock(slot.endMinute)),
            "minutes": .number(Double(slot.lengthMinutes)),
          ])
        }),
      "weekdays": .array(timetable.weekdays.sorted().map { .string(Self.weekdayNames[$0 - 1]) }),
      "terms": .array(
        timetable.terms.map {
          .object(["start": .string("\($0.lowerBound)"), "end": .string("\($0.upperBound)")])
        }),
      "closures": .array(
        timetable.closures.map {
          .object([
            "start": .string("\($0.dates.lowerBound)"), "end": .string("\($0.dates.upperBound)"),
            "name": .string($0.name),
          ])
        }),
      "class_list_lessons": .number(Double(timetable.lessons.count)),
      "min_use_minutes": .number(Double(timetable.minUseMs / 60_000)),
    ]
    if let date {
      object["date"] = .object([
        "date": .string("\(date)"), "teaching_day": .bool(timetable.closure(on: date) == nil),
        "closure": timetable.closure(on: date).map(JSONValue.string) ?? .null,
      ])
    }
    return .object(object)
  }

  func text(date: LocalDate?) -> String {
    var table = TextTable(headers: ["SESSION", "PERIOD", "START", "END", "MINUTES"])
    for slot in timetable.slots {
      table.append([
        slot.session.rawValue, "\(slot.number)", Self.clock(slot.startMinute), Self.clock(slot.endMinute),
        "\(slot.lengthMinutes)",
      ])
    }
    var lines = [table.render(), ""]
    lines.append(
      "Teaching days: "
        + timetable.weekdays.sorted().map { Self.weekdayNames[$0 - 1] }.joined(separator: ", "))
    lines.append(
      "Terms: "
        + (timetable.terms.isEmpty
          ? "not set (every teaching day is in term)"
          : timetable.terms.map { "\($0.lowerBound) to \($0.upperBound)" }.joined(separator: ", ")))
    lines.append(
      "Closures: "
        + (timetable.closures.isEmpty
          ? "none"
          : timetable.closures.map { "\($0.dates.lowerBound) to \($0.dates.upperBound) (\($0.name))" }
            .joined(separator: ", ")))
    let rooms = Set(timetable.lessons.map(\.room)).count
    lines.append(
      timetable.lessons.isEmpty
        ? "Class list: none (every room with a board or projector has a lesson in every period)"
        : "Class list: \(timetable.lessons.count) lessons in \(rooms) rooms")
    if let date {
      lines.append(
        "\(date): " + (timetable.closure(on: date).map { "no lessons (\($0))" } ?? "a teaching day"))
    }
    return lines.joined(separator: "\n")
  }
}
