import Buffer
import DeviceModel
import SQLiteStore
import Testing

@Suite("StoreReader filters")
struct StoreReaderTests {
  /// env-101 (r101, online), proj-101 (r101, offline), plug-202 (r202, stale), env-x (no room, online).
  func populatedStore() throws -> TestStore {
    let store = try TestStore()
    let writer = store.writer
    writer.add(
      readingsMessage(device("plug-202", kind: .plug, room: "r202"), [("power", 12)], at: t0), receivedAt: t0)
    try writer.commit(now: t0)
    #expect(writer.sweepStale(now: t0 + 700_000, staleAfterMs: 600_000) == 1)
    let now = t0 + 700_000
    writer.add(
      readingsMessage(device("env-101"), [("co2", 812), ("temperature", 27.5)], at: now), receivedAt: now)
    writer.add(statusMessage(device("proj-101", kind: .projector), .offline, at: now), receivedAt: now)
    writer.add(readingsMessage(device("env-x", room: nil), [("co2", 450)], at: now), receivedAt: now)
    try writer.commit(now: now)
    return store
  }

  @Test("without a filter every device is listed by room (no room last), then id, with its values")
  func allDevices() throws {
    let store = try populatedStore()
    let devices = try store.reader().devices()
    #expect(devices.map(\.id) == ["env-101", "proj-101", "plug-202", "env-x"])
    #expect(devices.map(\.status) == [.online, .offline, .stale, .online])
    #expect(devices.map(\.room) == ["r101", "r101", "r202", nil])
    #expect(describe(devices[0].values) == ["co2=812.0@\(t0 + 700_000)", "temperature=27.5@\(t0 + 700_000)"])
    #expect(devices[1].values.isEmpty)
    #expect(describe(devices[2].values) == ["power=12.0@\(t0)"])
    #expect(describe(devices[3].values) == ["co2=450.0@\(t0 + 700_000)"])
  }

  @Test("filtering by room, kind and status, alone and together")
  func filters() throws {
    let store = try populatedStore()
    let reader = try store.reader()
    func ids(_ filter: DeviceFilter) throws -> [String] { try reader.devices(matching: filter).map(\.id) }
    #expect(try ids(DeviceFilter(room: "r101")) == ["env-101", "proj-101"])
    #expect(try ids(DeviceFilter(room: "r202")) == ["plug-202"])
    #expect(try ids(DeviceFilter(kind: .envSensor)) == ["env-101", "env-x"])
    #expect(try ids(DeviceFilter(kind: .board)) == [])
    #expect(try ids(DeviceFilter(status: .online)) == ["env-101", "env-x"])
    #expect(try ids(DeviceFilter(status: .stale)) == ["plug-202"])
    #expect(try ids(DeviceFilter(status: .unknown)) == [])
    #expect(try ids(DeviceFilter(room: "r101", kind: .envSensor)) == ["env-101"])
    #expect(try ids(DeviceFilter(room: "r101", status: .offline)) == ["proj-101"])
    #expect(try ids(DeviceFilter(room: "r101", kind: .plug, status: .online)) == [])
    // A single match still carries its own values.
    let single = try reader.devices(matching: DeviceFilter(room: "r202"))
    #expect(describe(single[0].values) == ["power=12.0@\(t0)"])
  }

  @Test(
    "a room string that looks like SQL injection matches nothing and breaks nothing",
    arguments: [
      "r101' OR '1'='1", "'; DROP TABLE devices;--", "r101\" OR 1=1 --", "%", "r%", "*", "NULL", "",
    ])
  func injectionLookingRoom(room: String) throws {
    let store = try populatedStore()
    let reader = try store.reader()
    #expect(try reader.devices(matching: DeviceFilter(room: room)).isEmpty)
    #expect(try reader.device(id: room) == nil)
    #expect(try reader.events(device: room).isEmpty)
    #expect(try reader.statusChanges(device: room).isEmpty)
    #expect(try reader.readingCount(device: room) == 0)
    #expect(try reader.devices().count == 4)
    #expect(try reader.readingCount() == 4)
  }
}
