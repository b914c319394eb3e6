import Decode
import DeviceModel
import Profiles
import TestSupport
import Testing

/// Behaviour the vendor formats need that the engine (Sources/) does not provide yet. These tests
/// FAIL on purpose until the engine is fixed; each names the source at fault. Not skipped.
@Suite("Engine gaps found while writing the vendor profiles (failing until Sources are fixed)")
struct EngineGapTests {
  /// Sources/DeviceModel/Inventory.swift, `apply(to:)`: the relay's power_on is replaced only when
  /// the same message carries `power`. Tasmota sends the relay (POWER) in tele/…/STATE and the
  /// power in tele/…/SENSOR, each every TelePeriod: a projector in standby (3 W) behind plug-101
  /// gets power_on 0 from SENSOR and power_on 1 from STATE, alternating every 5 minutes. The
  /// same for stat/…/RESULT and for Shelly NotifyStatus {"switch:0":{"output":true}}. For a device
  /// with on_above_w, a relay "on" says nothing about use and should not become power_on = 1.
  @Test("a metered projector behind a Tasmota plug: the relay-only STATE message does not say power_on 1")
  func relayOnlyMessage() throws {
    let inventory = try demoInventory()
    for (topic, payload) in [
      (
        "tele/plug-101/STATE", #"{"Time":"2025-11-29T15:05:00","POWER":"ON","Wifi":{"RSSI":82,"Signal":-59}}"#
      ),
      ("stat/plug-101/RESULT", #"{"POWER":"ON"}"#),
    ] {
      let result = try decodeChain(topic, payload, inventory: inventory)
      #expect(identity(result)?.kind == .projector, "\(topic)")
      #expect(
        readings(result)?.contains { $0.metric == "power_on" && $0.value == 1 } == false,
        "\(topic): the relay is on, which does not mean the projector is")
    }
  }

  /// Sources/Decode/ProfileDecoder.swift, `readings(_:…)`: every mapped field present becomes a
  /// reading, so two vendor fields mapped to one metric give two readings with the same metric and
  /// time. Zigbee2MQTT 1.x sends a Hue motion sensor's raw `illuminance` (16335) next to
  /// `illuminance_lux` (43). Without last_seen both are receipt-timed, BufferWriter moves the
  /// second 1 ms later, and 16335 lx becomes the latest value; with last_seen the store keeps the
  /// first row. Needs "first present field wins" (or a
  /// per-mapping `fallback_for`) so `illuminance_lux` and `illuminance` can both be mapped.
  @Test(
    "Zigbee2MQTT 1.x Hue motion sensor: illuminance_lux 43 and raw illuminance 16335 → one reading, 43 lx")
  func oneReadingPerMetric() throws {
    let result = try decode(
      "zigbee2mqtt/motion-102",
      #"{"illuminance":16335,"illuminance_lux":43,"occupancy":false,"battery":100}"#,
      profile: "zigbee2mqtt")
    #expect(readings(result)?.filter { $0.metric == "illuminance" }.map(\.value) == [43])
  }

  /// Sources/Decode/ProfileDecoder.swift, `decode`: a rule with a `when` condition is skipped when
  /// the payload is not JSON, so a truncated Shelly notification on events/rpc falls through every
  /// rule and the chain reports "no profile matches this topic" instead of the JSON error.
  @Test("malformed JSON on shelly/<id>/events/rpc is a malformedPayload, not an unknown topic")
  func malformedConditionalPayload() throws {
    let result = try decodeChain(
      "shelly/shellyplus1pm-a8032ab12345/events/rpc",
      #"{"method":"NotifyStatus","params":{"ts":1764403195.12"#)
    #expect(deadLetter(result)?.code == .malformedPayload)
  }

  /// Sources/Decode/ProfileDecoder.swift, `readings(_:…)`: a payload that is JSON but not an object
  /// (a number, a string, an array) looks up no field and decodes to an empty reading list, which
  /// marks the device as seen/online. The native decoder refuses it ("payload must be a JSON object").
  @Test("a JSON payload that is not an object is a wrongType, as in the native protocol")
  func notAnObject() throws {
    for payload in ["42", #""ON""#, "[22.5, 51]"] {
      #expect(
        try deadLetter(decode("zigbee2mqtt/env-101", payload, profile: "zigbee2mqtt"))?.code == .wrongType,
        "\(payload)")
    }
  }

  /// Sources/Profiles/ProfileSet.swift, `load`: "same directory" compares the directory as given
  /// with the directory part of the earlier file's path, which `profileFiles` builds without a
  /// trailing slash. With `profiles.directories = ["/etc/classgate/devices/"]` two files with the
  /// same name in that one directory are taken as an override instead of an error.
  @Test("the same name twice in one directory is an error even when the directory ends in /")
  func trailingSlash() throws {
    let directory = ProfileDirectory()
    try directory.write("a.toml", ProfileSetTests.plugs("site_plugs", "tele/{device}/SENSOR"))
    try directory.write("b.toml", ProfileSetTests.plugs("site_plugs", "stat/{device}/SENSOR"))
    #expect(throws: ProfileError.self) { try ProfileSet.load(directories: [directory.path + "/"]) }
  }
}
