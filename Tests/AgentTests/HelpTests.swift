import TestSupport
import Testing

/// What `--help` shows a technician: examples to copy, and each option's values once.
@Suite("CLI help")
struct HelpTests {
  static let commands: [[String]] = [
    ["run"], ["devices"], ["device"], ["dead-letters"], ["doctor"], ["uplink"], ["stats"],
    ["config", "show"],
    ["config", "sample"], ["timetable", "show"], ["timetable", "import"],
  ]

  @Test(arguments: commands) func everyCommandsHelpHasExamplesThatNameIt(command: [String]) throws {
    let help = try runClassgate(command + ["--help"])
    #expect(help.status == 0)
    let examples = try #require(help.stdout.range(of: "Examples:\n"), "\(help.stdout)")
    let first = help.stdout[examples.upperBound...].split(separator: "\n").first ?? ""
    #expect(first.contains("classgate " + command.joined(separator: " ")), "\(first)")
  }

  @Test func kindAndStatusValuesAreListedOnce() throws {
    for command in ["devices", "stats"] {
      let help = try runClassgate([command, "--help"])
      #expect(help.stdout.components(separatedBy: "attendance_reader").count - 1 == 1, "\(help.stdout)")
    }
    let devices = try runClassgate(["devices", "--help"])
    #expect(devices.stdout.components(separatedBy: "online, offline").count - 1 == 1, "\(devices.stdout)")
  }
}
