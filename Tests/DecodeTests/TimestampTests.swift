import Decode
import DeviceModel
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `ts` in telemetry: epoch seconds, epoch milliseconds or ISO 8601 with a zone, checked against
/// the receipt time (2025-11-29T08:00:00Z), 10 minutes of future skew and 31 days of age.
@Suite("Telemetry timestamps")
struct TimestampTests {
  /// The time of the single `co2` reading decoded from `{"ts": <ts>, "co2": 1}`.
  func time(ts: String) -> EpochMillis? {
    readings(decode(telemetryTopic, "{\"ts\": \(ts), \"co2\": 1}"))?.first?.time
  }

  func reason(ts: String) -> DeadLetterReason? {
    deadLetter(decode(telemetryTopic, "{\"ts\": \(ts), \"co2\": 1}"))
  }

  @Test("epoch seconds, including a fraction, become milliseconds")
  func epochSeconds() {
    #expect(time(ts: "1764400000") == 1_764_400_000_000)
    #expect(time(ts: "1764400000.5") == 1_764_400_000_500)
  }

  @Test("epoch milliseconds are taken as they are")
  func epochMillis() {
    #expect(time(ts: "1764400000123") == 1_764_400_000_123)
  }

  @Test("ISO 8601 with Z")
  func isoWithZ() {
    #expect(time(ts: #""2025-11-29T07:59:30Z""#) == 1_764_403_170_000)
    #expect(time(ts: #""2025-11-29T07:59:30.042Z""#) == 1_764_403_170_042)
    #expect(time(ts: #""2025-11-29 07:59:30z""#) == 1_764_403_170_000)
  }

  @Test("ISO 8601 with +07:00 and -05:30 offsets")
  func isoWithOffset() {
    // 14:30:00.250 in Ho Chi Minh City is 07:30:00.250Z.
    #expect(time(ts: #""2025-11-29T14:30:00.250+07:00""#) == 1_764_401_400_250)
    // 00:30 at -05:30 is 06:00Z.
    #expect(time(ts: #""2025-11-29T00:30:00-05:30""#) == 1_764_396_000_000)
  }

  @Test("without ts the reading gets the receipt time")
  func missingTimestamp() {
    #expect(
      decode(telemetryTopic, #"{"co2": 640}"#)
        == telemetry([Reading(metric: "co2", value: 640, time: receivedAt, receiptTimed: true)]))
  }

  @Test("without ts every reading of the message is receipt-timed, at the receipt time")
  func missingTimestampMarksEveryReading() {
    #expect(
      decode(telemetryTopic, #"{"co2": 640, "occupancy": true, "noise": null}"#)
        == telemetry([
          Reading(metric: "co2", value: 640, time: receivedAt, receiptTimed: true),
          Reading(metric: "occupancy", value: 1, time: receivedAt, receiptTimed: true),
        ]))
  }

  @Test(
    "with a device ts no reading is receipt-timed, whatever the form or position of ts",
    arguments: [
      #"{"ts": 1764400000, "co2": 1, "rssi": -60}"#,
      #"{"ts": 1764400000123, "co2": 1, "rssi": -60}"#,
      #"{"ts": "2025-11-29T07:59:30Z", "co2": 1, "rssi": -60}"#,
      #"{"co2": 1, "rssi": -60, "ts": 1764400000}"#,
    ])
  func deviceTimestampIsNotReceiptTimed(payload: String) throws {
    let decoded = try #require(readings(decode(telemetryTopic, payload)))
    #expect(decoded.map(\.metric) == ["co2", "rssi"])
    #expect(decoded.map(\.receiptTimed) == [false, false])
  }

  @Test("a device ts equal to the receipt time is still the device's time, not receipt-timed")
  func deviceTimestampAtReceiptTime() {
    #expect(
      decode(telemetryTopic, "{\"ts\": \(receivedAt), \"co2\": 640}")
        == telemetry([Reading(metric: "co2", value: 640, time: receivedAt, receiptTimed: false)]))
  }

  @Test("exactly 10 minutes ahead is accepted, one second more is refused")
  func futureSkewBoundary() {
    #expect(time(ts: "1764403800") == 1_764_403_800_000)
    #expect(reason(ts: "1764403801") == DeadLetterReason(.invalidTimestamp, "'ts' is 601 s in the future"))
  }

  @Test("a time refused for its distance from the clock carries the skew; a malformed one does not")
  func refusalsForSkewCarryIt() {
    #expect(reason(ts: "1764403801")?.clockSkewMs == 601_000)
    #expect(reason(ts: "1761638400")?.clockSkewMs == 1_761_638_400_000 - receivedAt)
    #expect(reason(ts: "-5")?.clockSkewMs == nil)
  }

  @Test("a timestamp years in the future is refused")
  func farFuture() {
    // 2030-03-17T17:46:40Z
    #expect(
      reason(ts: "1900000000")
        == DeadLetterReason(.invalidTimestamp, "'ts' is 135596800 s in the future"))
    // 9e15 ms is in the year 287 000, still far from Int64's range.
    #expect(reason(ts: "9e15")?.code == .invalidTimestamp)
    #expect(reason(ts: "99999999999")?.code == .invalidTimestamp)
  }

  @Test("exactly 31 days old is accepted, 32 days old is refused")
  func farPast() {
    #expect(time(ts: "1761724800") == 1_761_724_800_000)
    #expect(reason(ts: "1761638400") == DeadLetterReason(.invalidTimestamp, "'ts' is 32 days old"))
    #expect(reason(ts: "0") == DeadLetterReason(.invalidTimestamp, "'ts' is 20421 days old"))
    #expect(
      reason(ts: #""1969-07-20T20:17:40Z""#)
        == DeadLetterReason(.invalidTimestamp, "'ts' is 20585 days old"))
  }

  @Test("a negative timestamp is refused")
  func negative() {
    #expect(reason(ts: "-5") == DeadLetterReason(.invalidTimestamp, "'ts' must be a positive number"))
    #expect(
      reason(ts: "-1764400000") == DeadLetterReason(.invalidTimestamp, "'ts' must be a positive number"))
  }

  @Test(
    "NaN-like and non-ISO strings are refused",
    arguments: [
      #""NaN""#, #""Infinity""#, #""1764400000""#, #""2025-11-29T07:59:30""#, #""2025-11-29""#,
      #""2025-11-29T07:59:30+7:00""#, #""2025-13-29T07:59:30Z""#, #""2025-11-29T24:00:00Z""#,
      #""2025-11-29T07:59:30Z garbage""#, #""""#,
    ])
  func notISO(ts: String) {
    #expect(
      reason(ts: ts)
        == DeadLetterReason(
          .invalidTimestamp, "'ts' is not ISO 8601 with a zone (e.g. 2026-11-29T08:00:00+07:00)"))
  }

  @Test("a timestamp that is neither a number nor a string is refused")
  func otherTypes() {
    for ts in ["true", "[1764400000]", #"{"s": 1764400000}"#] {
      #expect(
        reason(ts: ts)
          == DeadLetterReason(.invalidTimestamp, "'ts' must be a number or an ISO 8601 string"),
        "\(ts)")
    }
  }

  @Test("NaN and infinity cannot reach the decoder: the JSON parser refuses them")
  func nonFiniteNumbers() {
    for ts in ["NaN", "Infinity", "1e400", "-1e400"] {
      #expect(reason(ts: ts)?.code == .malformedPayload, "\(ts)")
    }
  }

  // A finite number beyond Int64 milliseconds (1e19, 1e300) must be refused like any other
  // timestamp in the far future, not trap in `EpochMillis(number)`. Run in a child process so a
  // trap is reported as a failure instead of killing the whole test run.
  @Test("ts = 1e19 (beyond Int64 milliseconds) is an invalidTimestamp, not a crash")
  func timestampBeyondInt64Millis() async {
    await #expect(processExitsWith: .success) {
      let result = NativeDecoder().decode(
        topic: "classgate/r101/env_sensor/env-101/telemetry",
        payload: Array(#"{"ts": 1e19, "co2": 1}"#.utf8), receivedAt: 1_764_403_200_000)
      guard case .deadLetter(let reason)? = result, reason.code == .invalidTimestamp else {
        exit(1)
      }
    }
  }

  @Test("ts = 1e300 is an invalidTimestamp, not a crash")
  func hugeTimestamp() async {
    await #expect(processExitsWith: .success) {
      let result = NativeDecoder().decode(
        topic: "classgate/r101/env_sensor/env-101/event",
        payload: Array(#"{"type": "button", "ts": 1e300}"#.utf8), receivedAt: 1_764_403_200_000)
      guard case .deadLetter(let reason)? = result, reason.code == .invalidTimestamp else {
        exit(1)
      }
    }
  }

  @Test("custom limits change the accepted window")
  func customLimits() {
    let strict = NativeDecoder(limits: DecodeLimits(maxFutureSkewMs: 1_000, maxAgeMs: 60_000))
    func result(_ ts: String) -> DecodeResult? {
      decode(telemetryTopic, "{\"ts\": \(ts), \"co2\": 1}", with: strict)
    }
    #expect(readings(result("1764403201000"))?.first?.time == 1_764_403_201_000)
    #expect(deadLetter(result("1764403201001"))?.code == .invalidTimestamp)
    #expect(readings(result("1764403140000"))?.first?.time == 1_764_403_140_000)
    #expect(deadLetter(result("1764403139999"))?.code == .invalidTimestamp)
  }
}
