import Decode
import DeviceModel
import TestSupport
import Testing

/// Payloads: https://esphome.io/components/mqtt.html ("MQTT Component Base Configuration": state
/// topic `<TOPIC_PREFIX>/<COMPONENT_TYPE>/<COMPONENT_NAME>/state`; birth `<prefix>/status` online,
/// will offline) and the firmware, esphome/components/mqtt/mqtt_component.cpp (get_default_topic_for_),
/// mqtt_sensor.cpp (value_accuracy_to_string: the number as text, "nan" without a state),
/// mqtt_binary_sensor.cpp and mqtt_switch.cpp ("ON"/"OFF").
@Suite("ESPHome profile (Devices/esphome.toml)")
struct ESPHomeTests {
  static let box = DeviceIdentity(id: "co2-box-101", kind: .envSensor, room: nil, profile: "esphome")

  func sensor(_ type: String, _ name: String, _ payload: String) throws -> DecodeResult? {
    try decode("co2-box-101/\(type)/\(name)/state", payload, profile: "esphome")
  }

  @Test("birth and will on <node>/status")
  func birthAndWill() throws {
    #expect(try decode("co2-box-101/status", "online", profile: "esphome") == status(Self.box, .online))
    #expect(try decode("co2-box-101/status", "offline", profile: "esphome") == status(Self.box, .offline))
  }

  @Test(
    "sensor states are plain-text numbers; the metric comes from the topic's object id",
    arguments: [
      ("co2", "612", "co2", 612.0), ("temperature", "23.5", "temperature", 23.5),
      ("temperature", "-3.2", "temperature", -3.2), ("humidity", "48", "humidity", 48),
      ("carbon_dioxide", "815", "co2", 815), ("scd41_co2", "1034", "co2", 1034), ("pm2_5", "12", "pm25", 12),
      ("pm_10", "20", "pm10", 20), ("wifi_signal", "-61", "rssi", -61),
      ("pressure", "1009.8", "pressure", 1009.8),
    ])
  func sensors(name: String, payload: String, metric: String, value: Double) throws {
    #expect(
      try sensor("sensor", name, payload)
        == telemetry(Self.box, [Reading(metric: metric, value: value, time: receivedAt, receiptTimed: true)]))
  }

  @Test("a sensor without a state yet publishes nan: no reading, the node is seen")
  func nan() throws {
    #expect(try sensor("sensor", "co2", "nan") == telemetry(Self.box, []))
  }

  @Test("an entity whose name maps to no metric is noted 'not mapped', not stored")
  func unknownEntity() throws {
    #expect(
      try sensor("sensor", "uptime", "1234") == telemetry(Self.box, [], notes: notMapped("uptime")))
  }

  @Test("binary sensors: presence and motion ON/OFF; a door or window is ON when open → contact 0")
  func binarySensors() throws {
    #expect(try sensor("binary_sensor", "presence", "ON") == telemetry(Self.box, received(["presence": 1])))
    #expect(try sensor("binary_sensor", "motion", "OFF") == telemetry(Self.box, received(["occupancy": 0])))
    #expect(try sensor("binary_sensor", "window", "ON") == telemetry(Self.box, received(["contact": 0])))
    #expect(try sensor("binary_sensor", "door", "OFF") == telemetry(Self.box, received(["contact": 1])))
    #expect(try deadLetter(sensor("binary_sensor", "presence", "MAYBE"))?.code == .invalidValue)
  }

  @Test("a relay switch's state → power_on")
  func relay() throws {
    #expect(try sensor("switch", "relay", "ON") == telemetry(Self.box, received(["power_on": 1])))
  }

  @Test("through the whole chain: ESPHome topics go to esphome, the log topic is ignored")
  func chain() throws {
    #expect(
      try decodeChain("co2-box-101/sensor/co2/state", "612")
        == telemetry(Self.box, received(["co2": 612])))
    #expect(try decodeChain("co2-box-101/debug", "[D][sensor:094]: 'CO2': Sending state 612") == .ignored)
    // Home Assistant's birth message (https://www.home-assistant.io/integrations/mqtt/#birth-and-last-will-messages)
    // looks like a node's status: ignored, not a phantom device.
    #expect(try decodeChain("homeassistant/status", "online") == .ignored)
  }
}
