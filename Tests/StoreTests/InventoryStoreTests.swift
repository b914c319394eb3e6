import Buffer
import DeviceModel
import SQLiteStore
import Testing

@Suite("Store: rooms and device names from the inventory")
struct InventoryStoreTests {
  let rooms = [
    Inventory.Room(id: "r101", name: "Room 101", building: "A", floor: 1),
    Inventory.Room(id: "lab-chem", name: "Chemistry lab", building: "B", floor: -1),
    Inventory.Room(id: "hall", name: "Hall"),
    Inventory.Room(id: "r001", name: "Phòng 001", building: "A", floor: 0),
  ]

  @Test("replaceRooms then rooms(): every field round-trips, listed by id")
  func roomsRoundTrip() throws {
    let store = try TestStore()
    #expect(try store.reader().rooms().isEmpty)
    try store.writer.replaceRooms(rooms)
    #expect(
      try store.reader().rooms() == [
        Inventory.Room(id: "hall", name: "Hall", building: nil, floor: nil),
        Inventory.Room(id: "lab-chem", name: "Chemistry lab", building: "B", floor: -1),
        Inventory.Room(id: "r001", name: "Phòng 001", building: "A", floor: 0),
        Inventory.Room(id: "r101", name: "Room 101", building: "A", floor: 1),
      ])
  }

  @Test("replaceRooms replaces: rooms no longer listed are gone, an empty list empties the table")
  func roomsReplaced() throws {
    let store = try TestStore()
    try store.writer.replaceRooms(rooms)
    try store.writer.replaceRooms([
      Inventory.Room(id: "r101", name: "Room 101 (renamed)", building: "C"),
      Inventory.Room(id: "r102", name: "Room 102"),
    ])
    let reader = try store.reader()
    #expect(
      try reader.rooms() == [
        Inventory.Room(id: "r101", name: "Room 101 (renamed)", building: "C", floor: nil),
        Inventory.Room(id: "r102", name: "Room 102"),
      ])
    try store.writer.replaceRooms([])
    #expect(try reader.rooms().isEmpty)
  }

  @Test("a replacement that fails changes nothing: the previous rooms stay")
  func failedReplacementKeepsRooms() throws {
    let store = try TestStore()
    try store.writer.replaceRooms(rooms)
    #expect(throws: SQLiteError.self) {
      try store.writer.replaceRooms([
        Inventory.Room(id: "x", name: "X"), Inventory.Room(id: "x", name: "X again"),
      ])
    }
    #expect(try store.reader().rooms().map(\.id) == ["hall", "lab-chem", "r001", "r101"])
    // The writer still works afterwards.
    try store.writer.replaceRooms([Inventory.Room(id: "x", name: "X")])
    #expect(try store.reader().rooms().map(\.id) == ["x"])
  }

  @Test("replacing rooms between adding and committing a batch loses nothing")
  func roomsWhileBatchPending() throws {
    let store = try TestStore()
    store.writer.add(readingsMessage(device("env-1"), [("co2", 600)], at: t0), receivedAt: t0)
    try store.writer.replaceRooms(rooms)
    #expect(store.writer.pendingCount == 1)
    #expect(try store.writer.commit(now: t0).readingsStored == 1)
    let reader = try store.reader()
    #expect(try reader.rooms().count == 4)
    #expect(try reader.readingCount(device: "env-1") == 1)
  }

  @Test("a device's inventory name is stored and read back; a device without one has none")
  func deviceName() throws {
    let store = try TestStore()
    let projector = DeviceIdentity(
      id: "proj-101", kind: .projector, room: "r101", profile: "native", name: "Projector, room 101")
    store.writer.add(readingsMessage(projector, [("lamp_hours", 1200)], at: t0), receivedAt: t0)
    store.writer.add(readingsMessage(device("env-101"), [("co2", 600)], at: t0), receivedAt: t0)
    try store.writer.commit(now: t0)

    let reader = try store.reader()
    let found = try #require(try reader.device(id: "proj-101"))
    #expect(found.name == "Projector, room 101")
    #expect(found.kind == .projector)
    #expect(found.room == "r101")
    #expect(try reader.device(id: "env-101")?.name == nil)
    // Listed by room, then id: env-101 before proj-101.
    #expect(try reader.devices().map(\.id) == ["env-101", "proj-101"])
    #expect(try reader.devices().map(\.name) == [nil, "Projector, room 101"])
  }

  @Test("a message without a name keeps the stored name; a new name replaces it, also after a restart")
  func nameKeptAndRenamed() throws {
    let store = try TestStore()
    func projector(name: String?) -> DeviceIdentity {
      DeviceIdentity(id: "proj-101", kind: .projector, room: "r101", profile: "native", name: name)
    }
    store.writer.add(statusMessage(projector(name: "Projector, room 101"), .online, at: t0), receivedAt: t0)
    try store.writer.commit(now: t0)
    store.writer.add(statusMessage(projector(name: nil), .offline, at: t0 + 1), receivedAt: t0 + 1)
    try store.writer.commit(now: t0 + 1)
    let reader = try store.reader()
    #expect(try reader.device(id: "proj-101")?.name == "Projector, room 101")

    store.writer.add(statusMessage(projector(name: "Projector A"), .online, at: t0 + 2), receivedAt: t0 + 2)
    try store.writer.commit(now: t0 + 2)
    #expect(try reader.device(id: "proj-101")?.name == "Projector A")

    // A new writer on the same store (the agent restarted) loads the name with the device.
    let restarted = try BufferWriter(
      connection: try StoreFile.openForWriting(path: store.path, durability: .full))
    restarted.add(statusMessage(projector(name: nil), .offline, at: t0 + 3), receivedAt: t0 + 3)
    try restarted.commit(now: t0 + 3)
    #expect(try reader.device(id: "proj-101")?.name == "Projector A")
    restarted.add(statusMessage(projector(name: "Projector B"), .online, at: t0 + 4), receivedAt: t0 + 4)
    try restarted.commit(now: t0 + 4)
    let renamed = try #require(try reader.device(id: "proj-101"))
    #expect(renamed.name == "Projector B")
    #expect(renamed.status == .online)
    #expect(try reader.devices().count == 1)
  }
}
