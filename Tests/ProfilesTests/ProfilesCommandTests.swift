import Foundation
import TestSupport
import Testing

/// `classgate profiles test` and `classgate profiles unmapped`, run as the built binary.
@Suite("classgate profiles test / unmapped")
struct ProfilesCommandTests {
  func test(_ arguments: [String]) throws -> CommandResult {
    try runClassgate(
      ["profiles", "test", "--profiles", devicesDirectory, "--config", "/nonexistent/classgate.toml"]
        + arguments)
  }

  @Test("a payload that starts with '-' is a payload, with or without '--'")
  func negativePayload() throws {
    for arguments in [
      ["co2-box-101/sensor/temperature/state", "-3.2"],
      ["co2-box-101/sensor/temperature/state", "--", "-3.2"],
    ] {
      let result = try test(arguments)
      #expect(result.status == 0, "\(result.stderr)")
      #expect(result.stdout.contains("temperature  -3.2"), "\(result.stdout)")
    }
  }

  @Test("the output names the rule that matched, why it beat the others, channels and not-mapped fields")
  func explains() throws {
    let result = try test([
      "tele/plug-3/SENSOR", #"{"ENERGY":{"Power":[45,0]},"S8X":{"CarbonDioxide":612}}"#,
    ])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stdout.contains(#"Rule     matched tasmota topics[1] "tele/{device}/SENSOR""#),
      "\(result.stdout)")
    #expect(result.stdout.contains("Channel  plug-3.2"), "\(result.stdout)")
    #expect(result.stdout.contains("Note     not mapped: S8X.CarbonDioxide"), "\(result.stdout)")
    let shadowed = try test(["zigbee2mqtt/online", #"{"co2":600}"#])
    #expect(
      shadowed.stdout.contains(
        "also matched, not used: shelly_gen2 topics[1] \"{device}/online\""), "\(shadowed.stdout)")
    #expect(shadowed.stdout.contains("level 1 is the fixed text 'zigbee2mqtt'"), "\(shadowed.stdout)")
  }

  @Test("--json carries rules, channels and notes")
  func json() throws {
    let result = try test(["--json", "tele/plug-3/SENSOR", #"{"ENERGY":{"Power":[45,0]},"Foo":{"Bar":1}}"#])
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect((object["rules"] as? [String])?.first?.hasPrefix("matched tasmota") == true)
    let channels = try #require(object["channels"] as? [[String: Any]])
    #expect((channels.first?["device"] as? [String: Any])?["id"] as? String == "plug-3.2")
    let notes = try #require(object["notes"] as? [[String: Any]])
    #expect(notes.first?["field"] as? String == "Foo.Bar")
    #expect(notes.first?["reason"] as? String == "not_mapped")
  }

  @Test("profiles unmapped reads the agent's counts from its metrics textfile")
  func unmapped() throws {
    let directory = TemporaryDirectory(prefix: "classgate-unmapped")
    defer { directory.remove() }
    let metrics = try directory.write(
      "classgate.prom",
      """
      # HELP classgate_unmapped_fields_total Decoded fields not stored.
      # TYPE classgate_unmapped_fields_total counter
      classgate_unmapped_fields_total{profile="tasmota",field="S8X.CarbonDioxide",reason="not_mapped"} 12
      classgate_unmapped_fields_total{profile="zigbee2mqtt",field="voc_index",reason="not_mapped"} 3
      # TYPE classgate_messages_without_readings_total counter
      classgate_messages_without_readings_total{profile="esphome"} 5

      """)
    let result = try runClassgate(["profiles", "unmapped", "--metrics", metrics])
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first?.hasPrefix("PROFILE") == true, "\(result.stdout)")
    #expect(
      lines.dropFirst().first?.contains("tasmota      S8X.CarbonDioxide  not_mapped  12") == true,
      "\(result.stdout)")
    #expect(result.stdout.contains("esphome  5"), "\(result.stdout)")
    let missing = try runClassgate(["profiles", "unmapped", "--config", directory.file("none.toml")])
    #expect(missing.status != 0)
    #expect(missing.stderr.contains("metrics.textfile"), "\(missing.stderr)")
  }
}
