import Foundation
import TestSupport
import Testing

/// Issue 14 through a real mosquitto and a running `classgate run` with the shipped profiles:
/// factory Shelly topics with two channels, a Tasmota field no profile maps, a Zigbee2MQTT name
/// with Vietnamese letters and '/', and an ESPHome CO2 box; then the CLI and the metrics textfile.
@Suite("Vendor defaults through a real broker", .serialized)
struct RealBrokerTests {
  @Test func factoryTopicsChannelsNamesAndUnmappedFieldsReachTheStoreAndTheMetrics() throws {
    let broker = try Broker()
    let directory = TemporaryDirectory(prefix: "classgate-issue14")
    defer { directory.remove() }
    let store = directory.file("classgate.db")
    let metrics = directory.file("classgate.prom")
    let config = try directory.write(
      "classgate.toml",
      """
      school_id = "test-school"
      time_zone = "Asia/Ho_Chi_Minh"
      [local_broker]
      host = "127.0.0.1"
      port = \(broker.port)
      reconnect_min_ms = 50
      reconnect_max_ms = 500
      [store]
      path = "\(store)"
      [profiles]
      directories = ["\(devicesDirectory)"]
      [metrics]
      textfile = "\(metrics)"
      """)
    let agent = AgentProcess(configPath: config, logPath: directory.file("agent.log"))
    try agent.start()
    defer { agent.stop(signal: SIGKILL) }
    #expect(waitUntil(timeout: 20) { agent.log.contains("Subscribed") }, "\(agent.log)")

    let publisher = try TestPublisher(port: broker.port, clientID: "issue14-devices")
    try publisher.publish([
      // Shelly Plus 2PM with its factory topic prefix (the device id).
      ("shellyplus2pm-c4d8d5561234/online", "true"),
      (
        "shellyplus2pm-c4d8d5561234/events/rpc",
        #"{"src":"shellyplus2pm-c4d8d5561234","method":"NotifyStatus","params":{"switch:0":{"id":0,"apower":20.5},"switch:1":{"id":1,"output":true,"apower":61.2}}}"#
      ),
      // Tasmota with a sensor block no profile maps.
      ("tele/plug-3/SENSOR", #"{"ENERGY":{"Power":[45,12]},"XYZ9":{"CarbonDioxide":612}}"#),
      // Zigbee2MQTT friendly name with '/', a space and Vietnamese letters.
      ("zigbee2mqtt/tầng1/Phòng 101", #"{"co2":640,"battery":90,"voltage":3005}"#),
      // ESPHome CO2 box.
      ("co2-box-101/status", "online"),
      ("co2-box-101/sensor/co2/state", "612"),
      // A sensor without a value yet: the node is seen, no reading (counted, not silent).
      ("co2-box-101/sensor/temperature/state", "nan"),
    ])
    func devices() throws -> String { try runClassgate(["devices", "--json", "--store", store]).stdout }
    #expect(
      waitUntil(timeout: 15) { ((try? devices()) ?? "").contains("co2-box-101") }, "\(agent.log)")
    #expect(waitUntil(timeout: 10) { ((try? devices()) ?? "").contains("plug-3.2") })
    let listed = try devices()
    for id in [
      "shellyplus2pm-c4d8d5561234", "shellyplus2pm-c4d8d5561234.1", "plug-3", "plug-3.2", "tang1-phong-101-",
    ] {
      #expect(listed.contains("\"\(id)"), "\(id) in \(listed)")
    }
    #expect(listed.contains("tầng1/Phòng 101"), "the friendly name is the label: \(listed)")
    let channel = try runClassgate(["device", "shellyplus2pm-c4d8d5561234.1", "--store", store]).stdout
    #expect(channel.contains("61.2"), "\(channel)")

    // Nothing silent: the unmapped field is in the metrics textfile and the CLI report.
    func text() -> String { (try? String(contentsOfFile: metrics, encoding: .utf8)) ?? "" }
    #expect(waitUntil(timeout: 15) { text().contains("XYZ9.CarbonDioxide") }, "\(text())")
    #expect(
      text().contains(
        #"classgate_unmapped_fields_total{profile="tasmota",field="XYZ9.CarbonDioxide",reason="not_mapped"} 1"#
      ))
    #expect(
      waitUntil(timeout: 10) {
        text().contains(#"classgate_messages_without_readings_total{profile="esphome"} 1"#)
      }, "\(text())")
    let report = try runClassgate(["profiles", "unmapped", "--config", config])
    #expect(report.status == 0, "\(report.stderr)")
    #expect(report.stdout.contains("XYZ9.CarbonDioxide"), "\(report.stdout)")
  }
}
