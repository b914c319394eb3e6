import Foundation
import TestSupport
import Testing

/// One glitching sensor must not cost the IOC the school's numbers: readings too large to sum
/// are dead letters, and every summary the IOC receives validates against schemas/.
@Suite("Extreme values end to end", .serialized)
struct ExtremeValuesTests {
  @Test func extremeReadingsBecomeDeadLettersAndEverySummaryValidates() throws {
    let scenario = try UplinkTests.Scenario()
    try scenario.harness.startAgent()
    let publisher = try scenario.harness.publisher()
    // Yesterday's windows (closed, so summarised at once by the late-data rule).
    let base = (nowMillis() / 300_000 - 26 * 12) * 300_000
    func telemetry(_ device: String, kind: String = "env_sensor", _ minute: Int, _ body: String) -> (
      topic: String, payload: String
    ) {
      ("classgate/101/\(kind)/\(device)/telemetry", "{\"ts\":\(base + Int64(minute) * 60_000),\(body)}")
    }
    let refused: [(topic: String, payload: String)] = [
      telemetry("env-x", 0, "\"co2\":1e308"),
      telemetry("env-x", 1, "\"co2\":-1e308"),
      telemetry("env-x", 2, "\"co2\":1.7976931348623157e308"),
      // Each finite, but their sum is not.
      telemetry("env-x", 3, "\"temperature\":9e307"),
      telemetry("env-x", 4, "\"temperature\":9e307"),
      telemetry("env-x", 5, "\"temperature\":-9e307"),
      telemetry("env-x", 6, "\"humidity\":1000000000000001"),
      // Negative where the contract has no negative (energy_kwh and lamp_hours are >= 0).
      telemetry("plug-x", kind: "plug", 0, "\"power\":-1e15"),
      telemetry("proj-x", kind: "projector", 0, "\"lamp_hours\":-5"),
    ]
    let accepted: [(topic: String, payload: String)] = [
      // At the bound: stored, and every sum and mean of them is finite.
      telemetry("env-x", 7, "\"co2\":1e15"),
      telemetry("env-x", 8, "\"co2\":1e15"),
      telemetry("env-x", 9, "\"co2\":-1e15"),
      telemetry("env-x", 7, "\"humidity\":5e-324"),
      telemetry("env-x", 8, "\"humidity\":123456789012345.6"),
      telemetry("env-x", 9, "\"humidity\":123456789012345.6"),
      telemetry("plug-x", kind: "plug", 1, "\"power\":1e15"),
      telemetry("plug-x", kind: "plug", 2, "\"power\":1e15,\"power_on\":true"),
      telemetry("proj-x", kind: "projector", 1, "\"lamp_hours\":1e15,\"power_on\":true"),
      telemetry("env-ok", 0, "\"co2\":800,\"temperature\":27.5"),
      telemetry("env-ok", 1, "\"co2\":900,\"temperature\":28.5"),
    ]
    try publisher.publish(refused + accepted)
    #expect(
      waitUntil(timeout: 15) {
        ((try? scenario.harness.reader().counters()["messages_received"]) ?? 0)
          == Int64(refused.count + accepted.count)
      })
    let letters = try scenario.harness.reader().deadLetters(limit: 100)
    #expect(letters.count == refused.count, "\(letters.map(\.reason))")
    #expect(letters.allSatisfy { $0.reason == "invalid_value" }, "\(letters.map(\.detail))")

    #expect(
      scenario.observer.pump(for: 30) {
        $0.documents(endingWith: "/summaries/window").count >= 2
          && !$0.documents(endingWith: "/summaries/day").isEmpty
      })
    _ = try scenario.waitUntilDrained(minimum: 2)
    let windows = scenario.observer.documents(endingWith: "/summaries/window")
    let devices = windows.flatMap { ($0["devices"] as? [[String: Any]]) ?? [] }
    let co2 = devices.filter { $0["id"] as? String == "env-x" }.compactMap {
      ($0["metrics"] as? [String: Any])?["co2"] as? [String: Any]
    }
    #expect(co2.compactMap { $0["count"] as? Int }.reduce(0, +) == 3, "\(co2)")
    #expect(co2.compactMap { $0["max"] as? Double }.max() == 1e15, "\(co2)")
    // The healthy sensor's numbers arrive as they were.
    let ok = devices.filter { $0["id"] as? String == "env-ok" }.compactMap {
      (($0["metrics"] as? [String: Any])?["co2"] as? [String: Any])?["mean"] as? Double
    }
    #expect(ok == [850], "\(ok)")

    let file = scenario.harness.directory.file("ioc.tsv")
    try scenario.observer.write(to: file)
    let validation = try runShell("python3 scripts/validate-uplink.py '\(file)' 2>&1")
    #expect(validation.status == 0, "\(validation.stdout)")
    let strict = try runShell("python3 scripts/validate-uplink.py --strict '\(file)' 2>&1")
    #expect(strict.status == 0, "\(strict.stdout)")
  }
}
