import Decode
import DeviceModel
import TestSupport
import Testing

@Suite("Native telemetry payloads")
struct TelemetryTests {
  @Test("numbers, booleans and null become readings in payload order; null is skipped")
  func numbersBooleansAndNull() {
    let result = decode(
      telemetryTopic,
      #"{"ts": 1764400000, "co2": 812, "temperature": 27.4, "occupancy": true, "power_on": false, "noise": null, "rssi": -67}"#
    )
    let time: EpochMillis = 1_764_400_000_000
    #expect(
      result
        == telemetry([
          Reading(metric: "co2", value: 812, time: time),
          Reading(metric: "temperature", value: 27.4, time: time),
          Reading(metric: "occupancy", value: 1, time: time),
          Reading(metric: "power_on", value: 0, time: time),
          Reading(metric: "rssi", value: -67, time: time),
        ]))
  }

  @Test("a field that is a string, an object or an array is a wrongType naming the field")
  func wrongTypes() {
    let payloads = [
      #"{"co2": "812"}"#, #"{"co2": {"value": 812}}"#, #"{"co2": [812]}"#,
      #"{"temperature": 27.4, "co2": "812"}"#,
    ]
    for payload in payloads {
      let reason = deadLetter(decode(telemetryTopic, payload))
      #expect(
        reason == DeadLetterReason(.wrongType, "field 'co2' must be a number or a boolean"),
        "\(payload)")
    }
  }

  @Test("malformed JSON is a malformedPayload with the parser's reason")
  func malformedJSON() {
    for payload in [#"{"co2": 812"#, #"{"co2": 812,}"#, "co2=812", "", #"{"co2": NaN}"#] {
      let reason = deadLetter(decode(telemetryTopic, payload))
      #expect(reason?.code == .malformedPayload, "\(payload)")
      #expect(reason?.detail.hasPrefix("invalid JSON: ") == true, "\(payload)")
    }
    #expect(
      deadLetter(decode(telemetryTopic, #"{"co2": 812"#))?.detail
        == "invalid JSON: unexpected end of input at byte 11")
  }

  @Test("a JSON document that is not an object is a wrongType")
  func notAnObject() {
    for payload in ["[812, 27.4]", "812", #""co2""#, "true", "null"] {
      #expect(
        deadLetter(decode(telemetryTopic, payload))
          == DeadLetterReason(.wrongType, "payload must be a JSON object"), "\(payload)")
    }
  }

  @Test("an object without any metric is an invalidValue")
  func noMetrics() {
    for payload in ["{}", #"{"ts": 1764400000}"#, #"{"co2": null, "noise": null}"#] {
      #expect(
        deadLetter(decode(telemetryTopic, payload))
          == DeadLetterReason(.invalidValue, "telemetry carries no metric"), "\(payload)")
    }
  }

  @Test("64 metrics are accepted, 65 are an invalidValue")
  func metricCap() throws {
    func payload(_ count: Int) -> String {
      "{" + (0..<count).map { "\"m\($0)\": \($0)" }.joined(separator: ", ") + "}"
    }
    let accepted = try #require(readings(decode(telemetryTopic, payload(64))))
    #expect(accepted.count == 64)
    #expect(accepted.first == Reading(metric: "m0", value: 0, time: receivedAt, receiptTimed: true))
    #expect(accepted.last == Reading(metric: "m63", value: 63, time: receivedAt, receiptTimed: true))
    #expect(accepted.allSatisfy { $0.receiptTimed })
    #expect(
      deadLetter(decode(telemetryTopic, payload(65)))
        == DeadLetterReason(.invalidValue, "65 metrics in one message; the limit is 64"))
  }

  @Test(
    "metric names outside lowercase snake_case are an invalidValue",
    arguments: [
      "CO2", "co-2", "co2 ", "Temperature", "co.2", "", "nhiệt_độ", String(repeating: "a", count: 49),
    ])
  func invalidMetricNames(name: String) {
    let payload = "{\"\(name)\": 1}"
    #expect(
      deadLetter(decode(telemetryTopic, payload))
        == DeadLetterReason(.invalidValue, "metric names are lowercase snake_case (a field is not)"))
  }

  @Test("a 48-character snake_case metric name with digits is accepted")
  func longestMetricName() {
    let name = String(repeating: "a", count: 46) + "_1"
    #expect(
      decode(telemetryTopic, "{\"\(name)\": 3.5}")
        == telemetry([Reading(metric: name, value: 3.5, time: receivedAt, receiptTimed: true)]))
  }
}

@Suite("Reading bounds")
struct ReadingBoundsTests {
  @Test(
    "values beyond ±1e15 are an invalidValue naming the field",
    arguments: ["1e308", "-1e308", "1.7976931348623157e308", "1000000000000001", "-1.0000000000000002e15"])
  func beyondTheBound(_ value: String) {
    let reason = deadLetter(decode(telemetryTopic, #"{"temperature": 27, "co2": \#(value)}"#))
    #expect(
      reason == DeadLetterReason(.invalidValue, "field 'co2' is out of range: readings are limited to ±1e15"),
      "\(value)")
  }

  @Test("values at the bound, and tiny ones, are kept exactly")
  func atTheBound() {
    let tiny = Double.leastNonzeroMagnitude
    for value in [1e15, -1e15, tiny, -tiny, 0, 123_456_789_012_345.6] {
      #expect(readings(decode(telemetryTopic, #"{"co2": \#(value)}"#))?.map(\.value) == [value], "\(value)")
    }
  }

  @Test("power, energy and lamp_hours cannot be negative; other metrics can")
  func negativeWhereTheContractHasNone() {
    for metric in ["power", "energy", "lamp_hours"] {
      #expect(
        deadLetter(decode(telemetryTopic, #"{"\#(metric)": -0.5}"#))
          == DeadLetterReason(.invalidValue, "field '\(metric)' is negative; \(metric) cannot be"))
    }
    #expect(readings(decode(telemetryTopic, #"{"temperature": -12.5, "rssi": -67}"#))?.count == 2)
  }
}

@Suite("Reading bounds after a profile's scale")
struct ProfileReadingBoundsTests {
  func decoder(scale: Double) throws -> ProfileDecoder {
    let telemetry = Profile.Telemetry(
      timestamp: nil,
      fields: [Profile.FieldMapping(path: FieldPath(dotted: "ENERGY.Power"), metric: "power", scale: scale)])
    let profile = Profile(
      name: "test-plug", summary: "a plug for tests", file: "test-plug.toml", kind: .plug,
      rules: [
        Profile.Rule(pattern: try TopicPattern("site/plugs/{device}/SENSOR"), content: .telemetry(telemetry))
      ])
    return ProfileDecoder(profile: profile)
  }

  @Test("a scaled value beyond the bound, or negative power, is refused with the payload's field name")
  func scaledBeyondTheBound() throws {
    func result(_ payload: String, scale: Double) throws -> DecodeResult? {
      try decoder(scale: scale).decode(
        topic: "site/plugs/plug-1/SENSOR", payload: Array(payload.utf8), receivedAt: receivedAt)
    }
    #expect(
      deadLetter(try result(#"{"ENERGY": {"Power": 1e10}}"#, scale: 1e6))
        == DeadLetterReason(
          .invalidValue, "field 'ENERGY.Power' is out of range: readings are limited to ±1e15"))
    #expect(
      deadLetter(try result(#"{"ENERGY": {"Power": 2}}"#, scale: -1))
        == DeadLetterReason(.invalidValue, "field 'ENERGY.Power' is negative; power cannot be"))
    #expect(readings(try result(#"{"ENERGY": {"Power": 1e9}}"#, scale: 1e6))?.map(\.value) == [1e15])
  }
}
