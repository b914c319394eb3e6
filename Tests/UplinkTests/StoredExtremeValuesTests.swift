import Buffer
import DeviceModel
import Foundation
import JSON
import TestSupport
import Testing

@testable import Uplink

/// Readings an older agent stored before decode bounded them (ReadingBounds): the summaries made of
/// them still carry only finite numbers and validate against schemas/.
@Suite("summaries of extreme stored readings")
struct StoredExtremeValuesTests {
  @Test func summariesOfOverflowingReadingsValidate() throws {
    let store = try UplinkStore()
    let summariser = store.summariser()
    try summariser.step(now: t0 + 1000)
    try store.readings(
      "env-1",
      [
        (t0 + 60_000, "co2", 1e308), (t0 + 70_000, "co2", 1e308), (t0 + 80_000, "co2", 1.7e308),
        (t0 + 60_000, "temperature", -1.7e308), (t0 + 70_000, "temperature", 1.7e308),
        (t0 + 60_000, "humidity", 1e307), (t0 + 70_000, "humidity", 1e307 * 3),
      ], at: t0 + 100_000)
    try store.readings(
      "plug-1", kind: .plug, [(t0 + 60_000, "power_on", 1), (t0 + 60_000, "power", -1e300)], at: t0 + 100_000)
    try store.readings(
      "proj-1", kind: .projector, [(t0 + 60_000, "power_on", 1), (t0 + 60_000, "lamp_hours", -5)],
      at: t0 + 100_000)
    #expect(try summariser.step(now: t0 + 300_000) == true)
    let pending = try store.outbox.pending(.summaries, after: 0, limit: 100)
    #expect(pending.count == 1)
    for message in pending {
      let text = String(decoding: message.payload, as: UTF8.self)
      #expect(!text.contains("null,") && !text.contains("inf") && !text.contains("nan"), "\(text)")
    }
    let summary = try #require(try store.queued(.summaries).first)
    let devices = try #require(summary["devices"] as? [[String: Any]])
    let env = try #require(devices.first { $0["id"] as? String == "env-1" })
    let metrics = try #require(env["metrics"] as? [String: [String: Any]])
    for (name, entry) in metrics {
      let mean = try #require(entry["mean"] as? Double, "\(name): \(entry)")
      let low = try #require(entry["min"] as? Double)
      let high = try #require(entry["max"] as? Double)
      #expect(mean.isFinite && low <= mean && mean <= high, "\(name): \(entry)")
    }
    // Negative energy and lamp hours (the contract's minimum is 0) are left out, not sent.
    #expect(
      devices.allSatisfy {
        ($0["energy_kwh"] as? Double ?? 0) >= 0 && ($0["lamp_hours"] as? Double ?? 0) >= 0
      })

    let validation = try store.validate(pending)
    #expect(validation.status == 0, "\(validation.stdout)")
  }
}

@Suite("JSONWriter and non-finite numbers")
struct JSONWriterNonFiniteTests {
  @Test func nonFiniteNumbersAreWrittenAsNullSoTheDocumentStaysJSON() throws {
    let value = JSONValue.array([.number(.infinity), .number(-.infinity), .number(.nan), .number(1e308)])
    let text = JSONWriter.compact(value)
    #expect(text == "[null,null,null,1e+308]")
    #expect(try JSONParser.parse(Array(text.utf8)) == .array([.null, .null, .null, .number(1e308)]))
  }
}
