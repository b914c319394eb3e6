import Buffer
import Foundation
import TestSupport
import Testing

/// Faults a school box meets in the field (issue #13), on the real agent and broker.
@Suite("field faults", .serialized)
struct FieldFaultTests {
  /// Three 24 MiB QoS 1 messages (a stock mosquitto accepts up to 256 MiB): each is one counted
  /// dead letter, acknowledged, and a good message sent after them is stored within seconds.
  /// Before: the dead-letter path scanned every byte (about 2 s per MiB in a debug build).
  @Test func hugePayloadsAreOneDeadLetterEachAndGoodTrafficGoesOn() throws {
    let harness = try AgentHarness()
    try harness.startAgent()
    let device = try harness.publisher()
    let huge = Array("{\"co2\":\"".utf8) + [UInt8](repeating: 0x41, count: 24 << 20) + Array("\"}".utf8)
    try device.publish(
      bytes: (0..<3).map { _ in ("classgate/101/env_sensor/env-big/telemetry", huge) }, timeout: 60)
    let sentAt = Date()
    try device.publish(topic: "classgate/101/env_sensor/env-ok/telemetry", payload: #"{"co2":600}"#)
    #expect(waitUntil(timeout: 8) { ((try? harness.reader().readingCount(device: "env-ok")) ?? 0) == 1 })
    let delay = Date().timeIntervalSince(sentAt)
    #expect(delay < 8, "the good message waited \(delay) s")
    #expect(
      waitUntil(timeout: 10) {
        ((try? harness.reader().counters()["dead_letters.payload_too_large"]) ?? 0) == 3
      })
    let letters = try harness.reader().deadLetters()
    #expect(letters.count == 3)
    #expect(letters.allSatisfy { $0.payloadSize == huge.count && $0.payloadPrefix.count <= 512 })
    // Acknowledged: a restart gets none of them again.
    harness.agent.stop()
    try harness.startAgent(subscribedCount: 2)
    try device.publish(topic: "classgate/101/env_sensor/env-after/telemetry", payload: #"{"co2":610}"#)
    #expect(waitUntil(timeout: 10) { ((try? harness.reader().readingCount(device: "env-after")) ?? 0) == 1 })
    #expect(try harness.reader().deadLetters().count == 3)
  }
}

extension FieldFaultTests {
  /// One client publishing thousands of ids (a flood, or a broken bridge) creates at most the
  /// configured number of devices; the rest are counted dead letters, known devices go on.
  @Test func aDeviceFloodStopsAtTheDeviceLimitsAndKnownDevicesGoOn() throws {
    let harness = try AgentHarness(config: "\n[devices]\nmax = 60\nmax_new_per_minute = 40\n")
    try harness.startAgent()
    let device = try harness.publisher()
    try device.publish(topic: "classgate/101/env_sensor/env-known/telemetry", payload: #"{"co2":500}"#)
    #expect(waitUntil(timeout: 10) { ((try? harness.reader().readingCount(device: "env-known")) ?? 0) == 1 })
    let flood = (0..<2000).map {
      (topic: "classgate/101/env_sensor/flood-\($0)/telemetry", payload: #"{"co2":400}"#)
    }
    try device.publish(flood)
    try device.publish(
      topic: "classgate/101/env_sensor/env-known/telemetry", payload: #"{"co2":510,"ts":\#(nowMillis())}"#)
    #expect(waitUntil(timeout: 15) { ((try? harness.reader().readingCount(device: "env-known")) ?? 0) == 2 })
    // 40 new in a minute (a flood crossing a minute boundary may get a second 40), never past
    // 60 in all; each refused message is a counted dead letter.
    let devices = try harness.reader().devices().count
    #expect((40...60).contains(devices), "\(devices) devices")  // env-known used one of the 40
    #expect(
      waitUntil(timeout: 10) {
        ((try? harness.reader().counters()["dead_letters.device_limit"]) ?? 0) == Int64(2000 - (devices - 1))
      }, "\((try? harness.reader().counters()) ?? [:])")
    let doctor = try runClassgate([
      "doctor", "--config", harness.configPath, "--json", "--service-user", "nobody-such-user",
    ])
    #expect(doctor.stdout.contains("\(devices) of devices.max 60"), "\(doctor.stdout)")
    #expect(doctor.stdout.contains("\(2000 - (devices - 1)) messages from new devices refused"))
    // The line is written just after the commit that the counters come from.
    #expect(
      waitUntil(timeout: 10) { harness.occurrences(of: "New devices refused") >= 1 }, "\(harness.agent.log)")
  }
}

extension FieldFaultTests {
  /// 150 devices' readings from yesterday: the window summary is ~40 kB.
  func publishYesterdaysWindow(_ scenario: UplinkTests.Scenario) throws {
    let window = (nowMillis() / 300_000 - 26 * 12) * 300_000
    let messages = (0..<150).map { index in
      (
        topic: "classgate/1\(index / 10)/env_sensor/env-\(index)/telemetry",
        payload:
          "{\"ts\":\(window + Int64(index) * 100),\"co2\":\(500 + index),\"temperature\":25,\"humidity\":50}"
      )
    }
    try scenario.harness.publisher().publish(messages)
  }

  /// The IOC broker takes no packet over 20 kB (mosquitto max_packet_size; EMQX defaults to 1 MB)
  /// and closes the link on one. Before: the agent reconnected ~5 times a second and sent the
  /// same summary first every time; nothing behind it ever arrived.
  @Test func aSummaryTheIOCRefusesIsSetAsideAndTheRestFlows() throws {
    let scenario = try UplinkTests.Scenario(iocBrokerConfig: "max_packet_size 20000")
    try scenario.harness.startAgent()
    try publishYesterdaysWindow(scenario)
    // Yesterday's window is summarised once the late data settles (~10 s), then refused.
    var state: [String: Any] = [:]
    #expect(
      waitUntil(timeout: 90) {
        scenario.observer.pump(for: 0.2)
        state = (try? scenario.uplink()) ?? [:]
        return (state["set_aside"] as? Int ?? 0) >= 1
      }, "\(state)\n\(scenario.harness.agent.log)")
    #expect(
      waitUntil(timeout: 30) {
        state = (try? scenario.uplink()) ?? [:]
        return state["queue_depth"] as? Int == 0 && state["connected"] as? Bool == true
      }, "\(state)")
    // The link then stays up: libmosquitto no longer resends the refused message first.
    scenario.observer.pump(for: 2)
    let connections = scenario.harness.occurrences(of: "Connected to the IOC")
    scenario.observer.pump(for: 4)
    #expect(scenario.harness.occurrences(of: "Connected to the IOC") == connections)
    #expect(
      waitUntil(timeout: 10) {
        scenario.harness.occurrences(of: "Set aside a message the IOC will not take") >= 1
      })
    // The events behind it (150 devices coming online) all arrived.
    let statuses = scenario.observer.documents(endingWith: "/events").filter {
      ($0["event"] as? [String: Any])?["type"] as? String == "device_status"
    }
    #expect(statuses.count >= 150)
    // The text output names it too.
    #expect(try scenario.harness.cli(["uplink"]).stdout.contains("Set aside"))
  }

  /// The same broker limit with ioc.max_message_kb under it: the summary goes in parts, all
  /// delivered, nothing set aside.
  @Test func underTheConfiguredLimitASummaryGoesInPartsAndArrives() throws {
    let scenario = try UplinkTests.Scenario(
      iocBrokerConfig: "max_packet_size 20000", iocConfig: "max_message_kb = 16")
    try scenario.harness.startAgent()
    try publishYesterdaysWindow(scenario)
    #expect(
      scenario.observer.pump(for: 60) {
        $0.documents(endingWith: "/summaries/window").contains { ($0["parts"] as? Int ?? 0) > 1 }
      })
    let state = try scenario.waitUntilDrained(minimum: 3, timeout: 60)
    #expect(state["set_aside"] as? Int == 0, "\(state)")
    let parts = scenario.observer.documents(endingWith: "/summaries/window").filter { $0["parts"] != nil }
    let ids = parts.flatMap { ($0["devices"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } }
    #expect(Set(ids).count == 150)
  }
}

extension FieldFaultTests {

  /// A box with no RTC booted a year behind (NTP not synced yet): devices stamp their readings
  /// correctly, so to the agent they are a year "in the future" and are refused. Once the clock
  /// is right (here: the agent restarted without faketime; a live jump triggers the same), the
  /// refused readings are decoded again and stored, and the dead letters go.
  @Test func readingsRefusedWhileTheClockWasWrongAreStoredOnceItIsRight() throws {
    let harness = try AgentHarness(wrapper: ["/usr/bin/faketime", "-f", "-365d"])
    try harness.startAgent()
    let now = nowMillis()
    let messages = (0..<20).map {
      (
        topic: "classgate/101/env_sensor/env-clock/telemetry",
        payload: "{\"ts\":\(now - Int64($0) * 1000),\"co2\":\(600 + $0)}"
      )
    }
    try harness.publisher().publish(messages)
    #expect(
      waitUntil(timeout: 10) {
        ((try? harness.reader().counters()["dead_letters.invalid_timestamp"]) ?? 0) == 20
      })
    #expect(try harness.reader().readingCount(device: "env-clock") == 0)
    // Two more devices stamping the right time: the agent concludes its own clock is wrong,
    // logs it, and doctor says so (from the store, as the running agent wrote it).
    try harness.publisher().publish(
      ["env-clock-b", "env-clock-c"].map {
        (topic: "classgate/101/env_sensor/\($0)/telemetry", payload: "{\"ts\":\(now),\"co2\":700}")
      })
    #expect(
      waitUntil(timeout: 15) {
        ((try? harness.reader().meta(MetaKey.clockReason)) ?? nil)?.contains("22 of 22 device-stamped")
          == true
      }, "\(harness.agent.log)")
    #expect(try harness.reader().meta(MetaKey.clockTrusted) == "0")
    #expect(harness.occurrences(of: "The wall clock is not trusted") >= 1)
    let doctor = try runClassgate([
      "doctor", "--config", harness.configPath, "--json", "--service-user", "nobody-such-user",
    ])
    #expect(doctor.stdout.contains("the agent does not trust the clock"), "\(doctor.stdout)")
    #expect(doctor.stdout.contains("device-stamped messages"))
    // faketime runs the agent as its child: stop the agent itself, then the wrapper.
    _ = try runShell("pkill -TERM -f 'classgate run --config \(harness.configPath)'")
    harness.agent.stop()
    #expect(
      waitUntil(timeout: 10) {
        ((try? runShell("pgrep -f 'run --config \(harness.configPath)'"))?.status ?? 0) != 0
      })

    let fixed = AgentProcess(configPath: harness.configPath, logPath: harness.directory.file("fixed.log"))
    try fixed.start()
    defer { fixed.stop() }
    #expect(waitUntil(timeout: 15) { ((try? harness.reader().readingCount(device: "env-clock")) ?? 0) == 20 })
    let values = try harness.reader().readings(device: "env-clock", metric: "co2").map(\.value)
    #expect(values == (0..<20).reversed().map { Double(600 + $0) })
    #expect(waitUntil(timeout: 10) { ((try? harness.reader().deadLetters().count) ?? -1) == 0 })
    #expect(try harness.reader().readingCount(device: "env-clock-b") == 1)
    #expect(fixed.log.contains("Stored messages refused earlier for their time"))
  }
}
