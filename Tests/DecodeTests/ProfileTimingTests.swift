import Decode
import DeviceModel
import TestSupport
import Testing

/// Receipt timing in profile-decoded telemetry, and through the inventory's derived `power_on`.
@Suite("Profile telemetry: receipt-timed readings")
struct ProfileTimingTests {
  let topic = "site/plugs/plug-101/SENSOR"
  let plug = DeviceIdentity(id: "plug-101", kind: .plug, room: nil, profile: "test-plug")

  /// `site/plugs/{device}/SENSOR` → `power` from `ENERGY.Power`, the device time (if any) from `timestamp`.
  func decoder(timestamp: String?) throws -> ProfileDecoder {
    let telemetry = Profile.Telemetry(
      timestamp: timestamp.map { FieldPath(dotted: $0) },
      fields: [Profile.FieldMapping(path: FieldPath(dotted: "ENERGY.Power"), metric: "power")])
    let profile = Profile(
      name: "test-plug", summary: "a plug for tests", file: "test-plug.toml", kind: .plug,
      rules: [
        Profile.Rule(pattern: try TopicPattern("site/plugs/{device}/SENSOR"), content: .telemetry(telemetry))
      ])
    return ProfileDecoder(profile: profile)
  }

  func decode(_ payload: String, with decoder: ProfileDecoder) -> DecodeResult? {
    decoder.decode(topic: topic, payload: Array(payload.utf8), receivedAt: receivedAt)
  }

  func power(_ value: Double, time: EpochMillis, receiptTimed: Bool) -> DecodeResult {
    telemetry([Reading(metric: "power", value: value, time: time, receiptTimed: receiptTimed)], device: plug)
  }

  @Test("the profile's timestamp field present: the device's time, not receipt-timed")
  func timestampPresent() throws {
    let decoder = try decoder(timestamp: "ts")
    #expect(
      decode(#"{"ts": 1764400000, "ENERGY": {"Power": 45}}"#, with: decoder)
        == power(45, time: 1_764_400_000_000, receiptTimed: false))
  }

  @Test("the profile's timestamp field missing from the payload: receipt-timed")
  func timestampMissing() throws {
    let decoder = try decoder(timestamp: "ts")
    #expect(
      decode(#"{"ENERGY": {"Power": 45}}"#, with: decoder)
        == power(45, time: receivedAt, receiptTimed: true))
  }

  @Test("a profile without a timestamp field: receipt-timed, even when the payload has a 'ts'")
  func noTimestampField() throws {
    let decoder = try decoder(timestamp: nil)
    #expect(
      decode(#"{"ts": 1764400000, "ENERGY": {"Power": 45}}"#, with: decoder)
        == .decoded(
          DecodedMessage(
            device: plug,
            content: .readings([Reading(metric: "power", value: 45, time: receivedAt, receiptTimed: true)]),
            notes: [FieldNote(field: "ts", reason: .notMapped)])))
  }

  @Test("the inventory's power_on takes its power reading's time and receipt timing")
  func derivedPowerOn() throws {
    let chain = DecoderChain(
      [try decoder(timestamp: "ts")],
      inventory: Inventory(devices: [Inventory.Device(id: "plug-101", onAboveWatts: 10)]))
    func readings(_ payload: String) -> [Reading]? {
      guard
        case .decoded(let message) = chain.decode(
          topic: topic, payload: Array(payload.utf8), receivedAt: receivedAt),
        case .readings(let readings) = message.content
      else { return nil }
      return readings
    }
    #expect(
      readings(#"{"ENERGY": {"Power": 45}}"#)
        == [
          Reading(metric: "power", value: 45, time: receivedAt, receiptTimed: true),
          Reading(metric: "power_on", value: 1, time: receivedAt, receiptTimed: true),
        ])
    #expect(
      readings(#"{"ts": 1764400000, "ENERGY": {"Power": 4}}"#)
        == [
          Reading(metric: "power", value: 4, time: 1_764_400_000_000, receiptTimed: false),
          Reading(metric: "power_on", value: 0, time: 1_764_400_000_000, receiptTimed: false),
        ])
  }
}
