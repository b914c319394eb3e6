import Foundation
import TestSupport
import Testing

/// Every table and `doctor` at COLUMNS=80, the school box's console: no line wraps.
@Suite("80-column terminal", .serialized)
struct NarrowTerminalTests {
  static let narrow = ["COLUMNS": "80"]

  static func overlong(_ text: String, width: Int = 80) -> [String] {
    text.split(separator: "\n").map(String.init).filter { $0.count > width }
  }

  @Test func devicesDeadLettersProfilesAndDoctorFitEightyColumns() throws {
    let harness = try AgentHarness()
    try harness.startAgent()
    try harness.publisher().publish([
      (
        "classgate/101/env_sensor/env-0x00158d0001a2b3c4/telemetry",
        #"{"co2":812,"temperature":27.4,"humidity":61.5,"noise":48.2,"pm25":12.3,"light":340}"#
      ),
      ("classgate/101/attendance_reader/reader-101/telemetry", #"{"battery":87}"#),
      ("classgate/room-with-a-long-name-204/board/b-1/telemetry", "{broken json that goes on and on and on}"),
    ])
    #expect(waitUntil(timeout: 15) { ((try? harness.reader().readingCount()) ?? 0) >= 7 })
    let devices = try runClassgate(
      ["devices", "--store", harness.storePath, "--config", harness.configPath], environment: Self.narrow)
    #expect(devices.status == 0)
    #expect(devices.stdout.contains("env-0x00158d0001a2b3c4  sensor"))
    #expect(devices.stdout.contains("reader-101"))
    #expect(Self.overlong(devices.stdout).isEmpty, "\(devices.stdout)")
    // The same command into a pipe cuts nothing.
    let piped = try runClassgate(["devices", "--store", harness.storePath, "--config", harness.configPath])
    #expect(piped.stdout.contains("attendance_reader"))
    #expect(piped.stdout.contains("noise=48.2 dBA +2"))

    let letters = try runClassgate(
      ["dead-letters", "--store", harness.storePath, "--config", harness.configPath], environment: Self.narrow
    )
    #expect(letters.stdout.contains("malformed_payload"))
    #expect(Self.overlong(letters.stdout).isEmpty, "\(letters.stdout)")

    let profiles = try runClassgate(
      [
        "profiles", "list", "--profiles", SecurityChecksTests.packageRoot + "/Devices", "--config",
        harness.configPath,
      ],
      environment: Self.narrow)
    #expect(profiles.stdout.contains("tasmota.toml"))
    #expect(Self.overlong(profiles.stdout).isEmpty, "\(profiles.stdout)")

    let doctor = try runClassgate(
      ["doctor", "--config", harness.configPath, "--service-user", "nobody"], environment: Self.narrow)
    #expect(doctor.stdout.contains("config"))
    #expect(Self.overlong(doctor.stdout).isEmpty, "\(doctor.stdout)")
  }

  @Test func statsPutsEachDevicesDetailsOnALineOfItsOwn() throws {
    let fixture = try StatsCommandTests.Fixture()
    let result = try runClassgate(
      [
        "stats", "--day", fixture.label(fixture.dayBefore), "--store", fixture.storePath, "--config",
        fixture.configPath,
      ],
      environment: Self.narrow)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(Self.overlong(result.stdout).isEmpty, "\(result.stdout)")
    let lines = StatsCommandTests.lines(result.stdout)
    let row = try #require(lines.firstIndex { $0.hasPrefix("env-101 ") })
    #expect(lines[row] == "env-101 sensor 101 10h00 - - - -")
    #expect(lines[row + 1].hasPrefix("co2 avg 850 max 1400 ppm, >1000: 35 min; temperature avg 28"))
  }
}
