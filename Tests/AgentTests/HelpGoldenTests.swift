import Foundation
import TestSupport
import Testing

/// Every `--help` screen at 80 columns, pinned: a changed option, default or text shows in review.
/// After a deliberate change: CLASSGATE_UPDATE_GOLDEN=1 swift test --filter HelpGoldenTests.
@Suite("CLI help screens")
struct HelpGoldenTests {
  static let commands: [[String]] = [
    [], ["run"], ["devices"], ["device"], ["dead-letters"], ["profiles"], ["profiles", "list"],
    ["profiles", "test"], ["profiles", "unmapped"], ["simulate"], ["broker"], ["broker", "add-device"],
    ["broker", "add-agent"],
    ["doctor"], ["uplink"], ["stats"], ["pjlink"], ["config"], ["config", "show"], ["config", "sample"],
    ["timetable"], ["timetable", "show"], ["timetable", "import"],
  ]

  static let directory = SecurityChecksTests.packageRoot + "/Tests/AgentTests/Golden/help"

  @Test(arguments: commands) func helpScreenIsTheGoldenOne(command: [String]) throws {
    let help = try runClassgate(command + ["--help"], environment: ["COLUMNS": "80"])
    #expect(help.status == 0)
    let file = "\(Self.directory)/\((["classgate"] + command).joined(separator: "-")).txt"
    if ProcessInfo.processInfo.environment["CLASSGATE_UPDATE_GOLDEN"] == "1" {
      try help.stdout.write(toFile: file, atomically: true, encoding: .utf8)
    }
    let golden = try String(contentsOfFile: file, encoding: .utf8)
    #expect(help.stdout == golden, "\(command) --help changed; see \(file)")
    // swift-argument-parser does not wrap its USAGE line; everything else fits the console.
    #expect(help.stdout.split(separator: "\n").allSatisfy { $0.count <= 80 || $0.hasPrefix("USAGE:") })
  }
}
