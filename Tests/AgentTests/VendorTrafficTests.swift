import Buffer
import DeviceModel
import Foundation
import TestSupport
import Testing

/// The shipped profiles and demo inventory, in the running agent, fed with each vendor's format.
@Suite("Vendor traffic through the shipped profiles", .serialized)
struct VendorTrafficTests {
  static let devicesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Devices").path

  @Test func zigbee2mqttTasmotaShellyAndNativeDevicesShowWithKindRoomAndValues() throws {
    let harness = try AgentHarness(
      config: """

        [profiles]
        directories = ["\(Self.devicesDirectory)"]

        [inventory]
        path = "\(Self.devicesDirectory)/demo-inventory.toml"
        """)
    try harness.startAgent()
    let shelly = "shellyplusplugs-e86beae12345"
    try harness.publisher().publish([
      ("zigbee2mqtt/env-101/availability", #"{"state":"online"}"#),
      (
        "zigbee2mqtt/env-101", #"{"co2":812,"temperature":27.4,"humidity":61,"battery":97,"linkquality":120}"#
      ),
      ("zigbee2mqtt/plug-102", #"{"state":"ON","power":35.5,"energy":1.25,"linkquality":88}"#),
      ("zigbee2mqtt/bridge/state", #"{"state":"online"}"#),
      ("tele/plug-101/LWT", "Online"),
      (
        "tele/plug-101/SENSOR",
        #"{"Time":"2026-11-29T08:00:00","ENERGY":{"Total":12.345,"Power":45,"Voltage":229,"Current":0.2}}"#
      ),
      ("shelly/\(shelly)/online", "true"),
      (
        "shelly/\(shelly)/status/switch:0",
        #"{"id":0,"source":"init","output":true,"apower":62.3,"voltage":230.1,"current":0.29,"aenergy":{"total":1534.2,"by_minute":[0,0,0],"minute_ts":1764380000}}"#
      ),
      ("classgate/102/board/board-102/telemetry", #"{"power_on":1,"active":1}"#),
    ])
    let reader = try harness.reader()
    #expect(waitUntil(timeout: 10) { ((try? reader.devices().count) ?? 0) == 5 })
    #expect(waitUntil(timeout: 10) { (try? reader.device(id: "board-102"))??.values.count == 2 })

    func value(_ device: String, _ metric: String) throws -> Double? {
      try reader.device(id: device)?.values.first { $0.metric == metric }?.value
    }
    let env = try #require(try reader.device(id: "env-101"))
    #expect(
      env.kind == .envSensor && env.room == "101" && env.profile == "zigbee2mqtt" && env.status == .online)
    #expect(env.name == "Air sensor, 101")
    #expect(try value("env-101", "co2") == 812 && value("env-101", "temperature") == 27.4)

    let fan = try #require(try reader.device(id: "plug-102"))
    #expect(fan.kind == .plug && fan.room == "102")
    #expect(try value("plug-102", "power_on") == 1 && value("plug-102", "power") == 35.5)

    let projector = try #require(try reader.device(id: "plug-101"))
    #expect(projector.kind == .projector && projector.room == "101" && projector.profile == "tasmota")
    #expect(try value("plug-101", "power") == 45 && value("plug-101", "energy") == 12.345)
    #expect(try value("plug-101", "power_on") == 1)  // 45 W > on_above_w 20

    let board = try #require(try reader.device(id: shelly))
    #expect(board.kind == .board && board.room == "lab-2" && board.profile == "shelly_gen2")
    #expect(try value(shelly, "power") == 62.3 && value(shelly, "power_on") == 1)
    let energy = try #require(try value(shelly, "energy"))
    #expect(abs(energy - 1.5342) < 1e-9)  // Wh → kWh

    #expect(try reader.device(id: "board-102")?.kind == .board)
    // The bridge's own topic is neither a device nor a dead letter.
    #expect(try reader.counters()["dead_letters"] == nil)
    #expect(try reader.rooms().map(\.id) == ["101", "102", "lab-2", "library"])

    let table = try harness.cli(["devices", "--room", "101"])
    #expect(table.stdout.contains("plug-101") && table.stdout.contains("projector"))
    #expect(table.stdout.contains("env-101") && !table.stdout.contains("plug-102"))
  }
}
