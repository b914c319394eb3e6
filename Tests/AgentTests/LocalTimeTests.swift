import Foundation
import TestSupport
import Testing

/// Every time the CLI prints is the school's local time with its offset, as `stats` prints it.
@Suite("CLI local time", .serialized)
struct LocalTimeTests {
  /// `2026-12-02T03:17:02+07:00`: Asia/Ho_Chi_Minh, to the second.
  static var localTime: Regex<Substring> { #/20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00/# }

  @Test func deviceDevicesDeadLettersAndDoctorPrintTheSchoolsOffset() throws {
    let harness = try AgentHarness()
    try harness.startAgent()
    try harness.publisher().publish([
      ("classgate/101/board/b-1/telemetry", #"{"power_on":1}"#),
      ("classgate/101/board/b-1/telemetry", "{bad"),
    ])
    #expect(waitUntil(timeout: 10) { ((try? harness.reader().readingCount()) ?? 0) == 1 })
    let config = ["--config", harness.configPath]
    let device = try harness.cli(["device", "b-1"] + config)
    let status = try #require(device.stdout.split(separator: "\n").first { $0.hasPrefix("Status") })
    #expect(status.contains(Self.localTime), "\(device.stdout)")
    #expect(!device.stdout.contains("Z\n") && !device.stdout.contains("Z "))

    let json = try harness.cli(["devices", "--json"] + config)
    let document = try #require(
      try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    let generated = try #require(document["generated_at"] as? String)
    #expect(generated.wholeMatch(of: Self.localTime) != nil, "\(generated)")
    let first = try #require((document["devices"] as? [[String: Any]])?.first)
    #expect((first["last_seen"] as? String)?.wholeMatch(of: Self.localTime) != nil)

    let letters = try harness.cli(["dead-letters", "--json"] + config)
    #expect(
      letters.stdout.contains(#/"time": "20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00"/#), "\(letters.stdout)")

    let doctor = try runClassgate(["doctor", "--service-user", "nobody"] + config)
    let clock = try #require(doctor.stdout.split(separator: "\n").first { $0.contains(" clock ") })
    #expect(clock.contains(Self.localTime), "\(doctor.stdout)")
  }

  /// Every string in a JSON document, at any depth.
  static func strings(in value: Any) -> [String] {
    switch value {
    case let text as String: [text]
    case let array as [Any]: array.flatMap { strings(in: $0) }
    case let object as [String: Any]: object.values.flatMap { strings(in: $0) }
    default: []
    }
  }

  @Test func everyJSONDocumentHasASchemaVersionAndOneTimeEncoding() throws {
    let harness = try AgentHarness()
    try harness.startAgent()
    try harness.publisher().publish([
      ("classgate/101/board/b-1/telemetry", #"{"power_on":1}"#),
      ("classgate/101/board/b-1/telemetry", "{bad"),
    ])
    #expect(waitUntil(timeout: 10) { ((try? harness.reader().readingCount()) ?? 0) == 1 })
    let config = ["--config", harness.configPath]
    let store = ["--store", harness.storePath]
    let commands: [[String]] = [
      ["devices"] + store + config, ["device", "b-1"] + store + config, ["dead-letters"] + store + config,
      ["uplink"] + store + config, ["doctor", "--service-user", "nobody"] + config,
      ["stats"] + store + config,
      ["config", "show"] + config,
      ["profiles", "list", "--profiles", SecurityChecksTests.packageRoot + "/Devices"] + config,
    ]
    for command in commands {
      let result = try runClassgate(command + ["--json"])
      let firstKey = result.stdout.split(separator: "\n").dropFirst().first ?? ""
      #expect(
        firstKey.contains("\"schema_version\" : 1") || firstKey.contains("\"schema_version\": 1"),
        "\(command): \(firstKey)")
      let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
      let times = Self.strings(in: document).filter { $0.contains(#/^\d{4}-\d\d-\d\dT\d\d:/#) }
      for time in times {
        #expect(time.wholeMatch(of: Self.localTime) != nil, "\(command): \(time)")
      }
    }
  }
}
