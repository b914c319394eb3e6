import Decode
import DeviceModel
import Profiles
import TestSupport
import Testing

@Suite("The inventory: a plug as a usage meter, labels, and inventory file errors")
struct InventoryTests {
  static let projector = DeviceIdentity(
    id: "plug-101", kind: .projector, room: "101", profile: "tasmota", name: "Old projector, 101")

  @Test("a Tasmota plug metering a legacy projector: 45 W → power_on 1, kind projector, the inventory's room")
  func projectorOn() throws {
    let payload =
      #"{"Time":"2025-11-29T15:00:00","ENERGY":{"Total":12.345,"Today":0.231,"Power":45,"Voltage":231,"Current":0.31}}"#
    let decoded = try #require(message(decode("tele/plug-101/SENSOR", payload, profile: "tasmota")))
    #expect(decoded.device == DeviceIdentity(id: "plug-101", kind: .plug, room: nil, profile: "tasmota"))
    #expect(
      try demoInventory().apply(to: decoded)
        == DecodedMessage(
          device: Self.projector,
          content: .readings(
            received(["power": 45, "energy": 12.345, "voltage": 231, "current": 0.31, "power_on": 1]))))
  }

  @Test("the same plug in standby: 3 W → power_on 0")
  func projectorStandby() throws {
    let payload =
      #"{"Time":"2025-11-29T15:05:00","ENERGY":{"Total":12.346,"Power":3,"Voltage":232,"Current":0.03}}"#
    let decoded = try #require(message(decode("tele/plug-101/SENSOR", payload, profile: "tasmota")))
    #expect(
      try demoInventory().apply(to: decoded)
        == DecodedMessage(
          device: Self.projector,
          content: .readings(
            received(["power": 3, "energy": 12.346, "voltage": 232, "current": 0.03, "power_on": 0]))))
  }

  @Test("the threshold is strict: exactly 20 W is off, 20.5 W is on")
  func threshold() throws {
    let inventory = try demoInventory()
    for (watts, on) in [(20.0, 0.0), (20.5, 1.0), (0, 0)] {
      let decoded = try #require(
        message(decode("tele/plug-101/SENSOR", #"{"ENERGY":{"Power":\#(watts)}}"#, profile: "tasmota")))
      #expect(
        inventory.apply(to: decoded).content == .readings(received(["power": watts, "power_on": on])),
        "\(watts) W")
    }
  }

  @Test("the chain applies the inventory: the same result as applying it by hand")
  func chainAppliesInventory() throws {
    #expect(
      try decodeChain("tele/plug-101/SENSOR", #"{"ENERGY":{"Power":45}}"#, inventory: demoInventory())
        == telemetry(Self.projector, received(["power": 45, "power_on": 1])))
    // Availability gets the labels too, and no power_on.
    #expect(
      try decodeChain("tele/plug-101/LWT", "Offline", inventory: demoInventory())
        == status(Self.projector, .offline))
  }

  @Test("a SENSOR message without power gets no derived power_on")
  func noPowerNoDerivedState() throws {
    #expect(
      try decodeChain("tele/plug-101/SENSOR", #"{"ENERGY":{"Total":12.4}}"#, inventory: demoInventory())
        == telemetry(Self.projector, received(["energy": 12.4])))
  }

  @Test(
    "a metered board behind a Shelly plug: the relay's on/off gives way to the threshold (on_above_w = 15)")
  func relayStateReplaced() throws {
    let board = DeviceIdentity(
      id: "shellyplusplugs-e86beae12345", kind: .board, room: "lab-2", profile: "shelly_gen2",
      name: "Interactive board, lab 2")
    let topic = "shelly/shellyplusplugs-e86beae12345/status/switch:0"
    #expect(
      try decodeChain(
        topic,
        #"{"id":0,"source":"init","output":true,"apower":3.1,"voltage":230.4,"current":0.027,"aenergy":{"total":3071.5}}"#,
        inventory: demoInventory())
        == telemetry(
          board,
          received(["power": 3.1, "voltage": 230.4, "current": 0.027, "energy": 3.0715, "power_on": 0])))
    #expect(
      try decodeChain(topic, #"{"id":0,"output":true,"apower":62.3}"#, inventory: demoInventory())
        == telemetry(board, received(["power": 62.3, "power_on": 1])))
    // Only the relay, switched off: no power can flow, 0 stands.
    #expect(
      try decodeChain(
        "shelly/shellyplusplugs-e86beae12345/events/rpc",
        #"{"method":"NotifyStatus","params":{"ts":1764403195.12,"switch:0":{"id":0,"output":false}}}"#,
        inventory: demoInventory())
        == telemetry(board, at(1_764_403_195_120, ["power_on": 0])))
  }

  @Test("a device missing from the inventory keeps what the topic and profile say")
  func unlistedDevice() throws {
    #expect(
      try decodeChain("tele/tasmota_8A3F2C/SENSOR", #"{"ENERGY":{"Power":45}}"#, inventory: demoInventory())
        == telemetry(
          DeviceIdentity(id: "tasmota_8A3F2C", kind: .plug, room: nil, profile: "tasmota"),
          received(["power": 45])))
  }

  // MARK: Inventory file errors

  @Test("a device in a room that is not listed")
  func unknownRoom() {
    #expect(
      inventoryError(
        """
        [[rooms]]
        id = "101"

        [[devices]]
        id = "plug-101"
        room = "201"
        """)
        == "school-inventory.toml line 6: key 'devices[1].room': room '201' is not in [[rooms]]")
  }

  @Test("the same device twice")
  func duplicateDevice() {
    #expect(
      inventoryError(
        """
        [[devices]]
        id = "plug-101"

        [[devices]]
        id = "plug-101"
        kind = "projector"
        """)
        == "school-inventory.toml line 5: key 'devices[2].id': device 'plug-101' is listed twice")
  }

  @Test("the same room twice")
  func duplicateRoom() {
    #expect(
      inventoryError(
        """
        [[rooms]]
        id = "101"
        [[rooms]]
        id = "101"
        """)
        == "school-inventory.toml line 4: key 'rooms[2].id': room '101' is listed twice")
  }

  @Test("unknown keys in a device, a room and at the top")
  func unknownKeys() {
    #expect(
      inventoryError(
        """
        [[devices]]
        id = "plug-101"
        on_above_watts = 20
        """)
        == "school-inventory.toml line 3: key 'devices[1].on_above_watts': unknown key (expected one of: id, name, room, kind, on_above_w)"
    )
    #expect(
      inventoryError(
        """
        [[rooms]]
        id = "101"
        level = 1
        """)
        == "school-inventory.toml line 3: key 'rooms[1].level': unknown key (expected one of: id, name, building, floor)"
    )
    #expect(
      inventoryError(
        """
        school = "THCS Nguyễn Du"
        """)
        == "school-inventory.toml line 1: key 'school': unknown key (expected one of: rooms, devices)")
  }

  @Test("a negative or non-numeric on_above_w")
  func badThreshold() {
    #expect(
      inventoryError(
        """
        [[devices]]
        id = "plug-101"
        on_above_w = -5
        """)
        == "school-inventory.toml line 3: key 'devices[1].on_above_w': expected watts ≥ 0")
    #expect(
      inventoryError(
        """
        [[devices]]
        id = "plug-101"
        on_above_w = "20"
        """)
        == "school-inventory.toml line 3: key 'devices[1].on_above_w': expected a number, found string")
  }

  @Test("a bad kind, a bad device id, a missing id")
  func badDevice() {
    #expect(
      inventoryError(
        """
        [[devices]]
        id = "plug-101"
        kind = "beamer"
        """)
        == "school-inventory.toml line 3: key 'devices[1].kind': expected one of board, projector, env_sensor, attendance_reader, plug, other, found \"beamer\""
    )
    #expect(
      inventoryError(
        """
        [[devices]]
        id = "plug 101"
        """)
        == "school-inventory.toml line 2: key 'devices[1].id': expected a device id of letters, digits, - _ . :"
    )
    #expect(
      inventoryError(
        """
        [[devices]]
        name = "Old projector"
        """)
        == "school-inventory.toml line 1: key 'devices[1].id': is required")
  }
}
