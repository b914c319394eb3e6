import Buffer
import Foundation
import TestSupport
import Testing

@Suite("Profiles in the running agent", .serialized)
struct ProfileReloadTests {
  static let plugProfile = """
    name = "acme_plug"
    kind = "plug"

    [[topics]]
    pattern = "acme/{device}/power"
    type = "telemetry"
    [topics.metrics]
    watts = "power"
    relay = { metric = "power_on", map = { ON = 1, OFF = 0 } }
    """

  static let sensorProfile = """
    name = "acme_air"
    kind = "env_sensor"

    [[topics]]
    pattern = "air/{room}/{device}"
    type = "telemetry"
    [topics.metrics]
    "data.co2" = "co2"
    """

  /// SIGHUP while a device streams at QoS 1: the new profile's topic is subscribed on the live
  /// connection, the old profile keeps working, and no message of the stream is lost.
  @Test func sighupAddsAProfileWithoutDroppingTheConnectionOrAnyMessage() throws {
    let profiles = TemporaryDirectory(prefix: "classgate-profiles")
    defer { profiles.remove() }
    _ = try profiles.write("acme-plug.toml", Self.plugProfile)
    let harness = try AgentHarness(config: "\n[profiles]\ndirectories = [\"\(profiles.path)\"]\n")
    try harness.startAgent()

    let total = 1500
    let done = DispatchSemaphore(value: 0)
    let failure = LockedBox<String?>(nil)
    DispatchQueue.global().async {
      do {
        let plug = try harness.publisher("acme-publisher")
        for start in stride(from: 0, to: total, by: 50) {
          try plug.publish(
            (start..<min(total, start + 50)).map { index in
              ("acme/plug-1/power", "{\"watts\":\(index),\"relay\":\"\(index % 2 == 0 ? "ON" : "off")\"}")
            })
          usleep(10_000)
        }
      } catch {
        failure.value = "\(error)"
      }
      done.signal()
    }

    #expect(waitUntil(timeout: 20) { ((try? harness.reader().readingCount(device: "plug-1")) ?? 0) > 200 })
    _ = try profiles.write("acme-air.toml", Self.sensorProfile)
    kill(harness.agent.pid, SIGHUP)
    #expect(waitUntil(timeout: 10) { harness.occurrences(of: "Reloaded") == 1 })
    // The new profile's topic is subscribed on the live connection (a second "Subscribed" line).
    #expect(waitUntil(timeout: 10) { harness.occurrences(of: "Subscribed") == 2 })
    try harness.publisher().publish(topic: "air/lab-2/air-7", payload: #"{"data":{"co2":731}}"#)

    #expect(done.wait(timeout: .now() + 60) == .success)
    #expect(failure.value == nil)
    #expect(
      waitUntil(timeout: 20) { ((try? harness.reader().readingCount(device: "plug-1")) ?? 0) == total * 2 })
    let watts = try harness.reader().readings(device: "plug-1", metric: "power").map(\.value)
    #expect(Set(watts) == Set((0..<total).map(Double.init)))
    #expect(
      waitUntil(timeout: 10) {
        (try? harness.reader().device(id: "lab-2:air-7"))??.values.first?.value == 731
      })
    // A {room} capture qualifies the id (Devices/README.md, "Device ids from names").
    let sensor = try #require(try harness.reader().device(id: "lab-2:air-7"))
    #expect(sensor.kind == .envSensor && sensor.room == "lab-2" && sensor.profile == "acme_air")
    #expect(harness.occurrences(of: "Connected to the local broker") == 1)
  }

  @Test func invalidReloadKeepsTheRunningProfilesAndSaysWhy() throws {
    let profiles = TemporaryDirectory(prefix: "classgate-profiles")
    defer { profiles.remove() }
    _ = try profiles.write("acme-plug.toml", Self.plugProfile)
    let harness = try AgentHarness(config: "\n[profiles]\ndirectories = [\"\(profiles.path)\"]\n")
    try harness.startAgent()
    // A second profile claiming the same topics: refused on reload, naming both.
    _ = try profiles.write(
      "clash.toml", Self.plugProfile.replacingOccurrences(of: "acme_plug", with: "clash"))
    kill(harness.agent.pid, SIGHUP)
    #expect(waitUntil(timeout: 10) { harness.occurrences(of: "Reload failed") == 1 })
    #expect(harness.agent.log.contains("'acme_plug'") && harness.agent.log.contains("'clash'"))
    try harness.publisher().publish(topic: "acme/plug-2/power", payload: #"{"watts":12}"#)
    #expect(waitUntil(timeout: 10) { ((try? harness.reader().readingCount(device: "plug-2")) ?? 0) == 1 })
    #expect(try harness.reader().device(id: "plug-2")?.profile == "acme_plug")
    #expect(harness.agent.isRunning)
  }

  @Test func badProfileAtStartIsAConfigErrorNamingFileLineAndKey() throws {
    let profiles = TemporaryDirectory(prefix: "classgate-profiles")
    defer { profiles.remove() }
    _ = try profiles.write(
      "broken.toml", "name = \"broken\"\n\n[[topics]]\npattern = \"x/{serial}\"\ntype = \"telemetry\"\n")
    let harness = try AgentHarness(config: "\n[profiles]\ndirectories = [\"\(profiles.path)\"]\n")
    try harness.agent.start()
    #expect(harness.agent.stop(signal: 0, timeout: 10) == 78)
    #expect(
      harness.agent.log.contains(
        "broken.toml line 4: key 'topics[1].pattern': \"x/{serial}\" unknown capture '{serial}'"))
  }
}
