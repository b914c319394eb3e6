import DeviceModel
import EventLoop
import TOML

/// The school inventory file (TOML): `[[rooms]]` and `[[devices]]`; see Devices/README.md.
public enum InventoryParser {
  public static func load(file: String) throws(ProfileError) -> Inventory {
    switch readTextFile(file) {
    case .success(let text): return try parse(text, file: file)
    case .failure(let failure): throw ProfileError(file: file, line: 0, key: "", message: failure.message)
    }
  }

  public static func parse(_ text: String, file: String) throws(ProfileError) -> Inventory {
    var reader = try TableReader(document: text, file: file)
    var rooms: [Inventory.Room] = []
    var roomIDs: Set<String> = []
    for (index, table) in try reader.tables("rooms").enumerated() {
      var room = TableReader(file: file, table: table, path: "rooms[\(index + 1)]")
      let id = try room.requiredString("id")
      guard Identifier.isValid(id) else {
        throw room.error("id", "expected a room id of letters, digits, - _ . :")
      }
      guard roomIDs.insert(id).inserted else { throw room.error("id", "room '\(id)' is listed twice") }
      let name = try room.string("name") ?? id
      let building = try room.string("building")
      let floor = try room.integer("floor")
      try room.rejectUnknownKeys(allowed: ["id", "name", "building", "floor"])
      rooms.append(Inventory.Room(id: id, name: name, building: building, floor: floor))
    }
    var devices: [Inventory.Device] = []
    var deviceIDs: Set<String> = []
    for (index, table) in try reader.tables("devices").enumerated() {
      var device = TableReader(file: file, table: table, path: "devices[\(index + 1)]")
      let id = try device.requiredString("id")
      guard Identifier.isValid(id) else {
        throw device.error("id", "expected a device id of letters, digits, - _ . :")
      }
      guard deviceIDs.insert(id).inserted else { throw device.error("id", "device '\(id)' is listed twice") }
      let room = try device.string("room")
      if let room, !roomIDs.contains(room) {
        throw device.error("room", "room '\(room)' is not in [[rooms]]")
      }
      let kind = try ProfileParser.kind(&device, "kind")
      let threshold = try device.number("on_above_w")
      if let threshold, threshold < 0 { throw device.error("on_above_w", "expected watts ≥ 0") }
      let name = try device.string("name")
      try device.rejectUnknownKeys(allowed: ["id", "name", "room", "kind", "on_above_w"])
      devices.append(Inventory.Device(id: id, name: name, room: room, kind: kind, onAboveWatts: threshold))
    }
    try reader.rejectUnknownKeys(allowed: ["rooms", "devices"])
    return Inventory(rooms: rooms, devices: devices)
  }
}
