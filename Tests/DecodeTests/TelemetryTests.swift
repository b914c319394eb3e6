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
