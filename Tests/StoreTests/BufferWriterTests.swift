import Buffer
import DeviceModel
import SQLiteStore
import Testing

@Suite("BufferWriter: readings, status, events")
struct BufferWriterTests {
  let env101 = device("env-101")

  @Test("committed readings show up in the reader with kind, room, profile, status and values")
  func readingsCommitAndRead() throws {
    let store = try TestStore()
    store.writer.add(
      readingsMessage(env101, [("co2", 812), ("temperature", 27.4)], at: t0 - 5_000),
      receivedAt: t0)
    #expect(store.writer.pendingCount == 1)
    let summary = try store.writer.commit(now: t0 + 50)
    #expect(store.writer.pendingCount == 0)
    #expect(summary.messages == 1)
    #expect(summary.readingsStored == 2)
    #expect(summary.duplicateReadings == 0)
    #expect(summary.eventsStored == 0)
    #expect(summary.deadLetters == 0)
    #expect(describe(summary.statusChanges) == ["env-101:online:data received"])

    let reader = try store.reader()
    let found = try #require(try reader.device(id: "env-101"))
    #expect(found.id == "env-101")
    #expect(found.kind == .envSensor)
    #expect(found.room == "r101")
    #expect(found.profile == "native")
    #expect(found.status == .online)
    #expect(found.statusSince == t0)
    #expect(found.lastSeen == t0)
    #expect(found.firstSeen == t0)
    #expect(describe(found.values) == ["co2=812.0@\(t0 - 5_000)", "temperature=27.4@\(t0 - 5_000)"])
    #expect(try reader.readingCount() == 2)
    #expect(try reader.readingCount(device: "env-101") == 2)
    #expect(
      try reader.readings(device: "env-101", metric: "co2")
        == [Reading(metric: "co2", value: 812, time: t0 - 5_000)])
    #expect(describe(try reader.statusChanges(device: "env-101")) == ["online@\(t0):data received"])
    let counters = try reader.counters()
    #expect(counters[Counter.messagesReceived] == 1)
    #expect(counters[Counter.readingsStored] == 2)
    #expect(counters[Counter.duplicateReadings] == nil)
    #expect(try reader.meta(MetaKey.agentHeartbeat) == String(t0 + 50))
    #expect(try reader.device(id: "env-999") == nil)
  }

  @Test("the same message committed again stores no duplicate readings")
  func redeliveryIsIdempotent() throws {
    let store = try TestStore()
    let message = readingsMessage(env101, [("co2", 812), ("temperature", 27.4)], at: t0)
    store.writer.add(message, receivedAt: t0)
    try store.writer.commit(now: t0)
    store.writer.add(message, receivedAt: t0 + 1_000)
    store.writer.add(message, receivedAt: t0 + 2_000)
    let summary = try store.writer.commit(now: t0 + 2_000)
    #expect(summary.messages == 2)
    #expect(summary.readingsStored == 0)
    #expect(summary.duplicateReadings == 4)
    #expect(summary.statusChanges.isEmpty)
    let reader = try store.reader()
    #expect(try reader.readingCount() == 2)
    let counters = try reader.counters()
    #expect(counters[Counter.messagesReceived] == 3)
    #expect(counters[Counter.readingsStored] == 2)
    #expect(counters[Counter.duplicateReadings] == 4)
    // The device was seen again, though nothing new was stored.
    #expect(try reader.device(id: "env-101")?.lastSeen == t0 + 2_000)
  }

  @Test("the same metric at a new time is a new reading")
  func newTimeIsNewReading() throws {
    let store = try TestStore()
    store.writer.add(readingsMessage(env101, [("co2", 812)], at: t0), receivedAt: t0)
    store.writer.add(readingsMessage(env101, [("co2", 815)], at: t0 + 1), receivedAt: t0 + 1)
    let summary = try store.writer.commit(now: t0 + 1)
    #expect(summary.readingsStored == 2)
    #expect(
      try store.reader().readings(device: "env-101", metric: "co2")
        == [
          Reading(metric: "co2", value: 812, time: t0), Reading(metric: "co2", value: 815, time: t0 + 1),
        ])
  }

  @Test("online, offline, offline records exactly two status changes")
  func statusChanges() throws {
    let store = try TestStore()
    let projector = device("proj-101", kind: .projector)
    store.writer.add(statusMessage(projector, .online, at: t0), receivedAt: t0)
    let first = try store.writer.commit(now: t0)
    #expect(describe(first.statusChanges) == ["proj-101:online:reported"])
    store.writer.add(statusMessage(projector, .offline, at: t0 + 60_000), receivedAt: t0 + 60_000)
    store.writer.add(statusMessage(projector, .offline, at: t0 + 90_000), receivedAt: t0 + 90_000)
    let second = try store.writer.commit(now: t0 + 90_000)
    #expect(describe(second.statusChanges) == ["proj-101:offline:reported"])
    #expect(second.messages == 2)

    let reader = try store.reader()
    #expect(
      describe(try reader.statusChanges(device: "proj-101"))
        == ["offline@\(t0 + 60_000):reported", "online@\(t0):reported"])
    #expect(try reader.statusChanges(device: "proj-101", limit: 1).count == 1)
    let found = try #require(try reader.device(id: "proj-101"))
    #expect(found.status == .offline)
    #expect(found.statusSince == t0 + 60_000)
    #expect(found.lastSeen == t0 + 90_000)
    #expect(found.values.isEmpty)
  }

  @Test("data from an offline device brings it back online")
  func dataAfterOffline() throws {
    let store = try TestStore()
    store.writer.add(statusMessage(env101, .offline, at: t0), receivedAt: t0)
    store.writer.add(readingsMessage(env101, [("co2", 700)], at: t0 + 10), receivedAt: t0 + 10)
    let summary = try store.writer.commit(now: t0 + 10)
    #expect(describe(summary.statusChanges) == ["env-101:offline:reported", "env-101:online:data received"])
    #expect(try store.reader().device(id: "env-101")?.status == .online)
  }

  @Test("an online device becomes stale only after staleAfterMs of silence, and data brings it back")
  func staleSweep() throws {
    let store = try TestStore()
    let staleAfter: Int64 = 600_000
    store.writer.add(readingsMessage(env101, [("co2", 700)], at: t0), receivedAt: t0)
    // A device that said it is offline is never swept.
    store.writer.add(statusMessage(device("proj-1", kind: .projector), .offline, at: t0), receivedAt: t0)
    try store.writer.commit(now: t0)

    #expect(store.writer.sweepStale(now: t0 + staleAfter, staleAfterMs: staleAfter) == 0)
    #expect(store.writer.pendingCount == 0)
    #expect(store.writer.sweepStale(now: t0 + 601_500, staleAfterMs: staleAfter) == 1)
    #expect(store.writer.pendingCount == 1)
    // Already stale: a second sweep queues nothing.
    #expect(store.writer.sweepStale(now: t0 + 700_000, staleAfterMs: staleAfter) == 0)
    let swept = try store.writer.commit(now: t0 + 601_500)
    #expect(describe(swept.statusChanges) == ["env-101:stale:silence"])
    #expect(swept.messages == 0)

    let reader = try store.reader()
    #expect(try reader.device(id: "env-101")?.status == .stale)
    #expect(try reader.device(id: "env-101")?.statusSince == t0 + 601_500)
    #expect(try reader.device(id: "proj-1")?.status == .offline)
    #expect(
      describe(try reader.statusChanges(device: "env-101"))
        == ["stale@\(t0 + 601_500):silent for 601 s", "online@\(t0):data received"])

    store.writer.add(readingsMessage(env101, [("co2", 710)], at: t0 + 800_000), receivedAt: t0 + 800_000)
    let back = try store.writer.commit(now: t0 + 800_000)
    #expect(describe(back.statusChanges) == ["env-101:online:data received"])
    #expect(try reader.device(id: "env-101")?.status == .online)
    #expect(try reader.statusChanges(device: "env-101").count == 3)
  }

  @Test("events are stored once and listed newest first")
  func events() throws {
    let store = try TestStore()
    let gate = device("gate-1", kind: .attendanceReader, room: "lobby")
    store.writer.add(
      eventMessage(gate, "card_scan", at: t0 + 2_000, data: #"{"ok":true}"#), receivedAt: t0 + 2_000)
    store.writer.add(
      eventMessage(gate, "door_open", at: t0, data: #"{"door":"north"}"#), receivedAt: t0 + 2_500)
    store.writer.add(eventMessage(gate, "button", at: t0 + 1_000), receivedAt: t0 + 2_600)
    let summary = try store.writer.commit(now: t0 + 3_000)
    #expect(summary.eventsStored == 3)
    #expect(describe(summary.statusChanges) == ["gate-1:online:data received"])
    // Redelivered: same device, time and type.
    store.writer.add(
      eventMessage(gate, "card_scan", at: t0 + 2_000, data: #"{"ok":true}"#), receivedAt: t0 + 4_000)
    #expect(try store.writer.commit(now: t0 + 4_000).eventsStored == 0)

    let reader = try store.reader()
    let events = try reader.events(device: "gate-1")
    #expect(events.map(\.type) == ["card_scan", "button", "door_open"])
    #expect(events.map(\.time) == [t0 + 2_000, t0 + 1_000, t0])
    #expect(events.map(\.data) == [#"{"ok":true}"#, "{}", #"{"door":"north"}"#])
    #expect(try reader.events(device: "gate-1", limit: 2).map(\.type) == ["card_scan", "button"])
    #expect(try reader.events(device: "nobody").isEmpty)
    #expect(try reader.counters()[Counter.eventsStored] == 3)
    #expect(try reader.device(id: "gate-1")?.status == .online)
  }

  @Test("latest_values keeps the newest by device time even when an older reading arrives later")
  func latestValueByTime() throws {
    let store = try TestStore()
    store.writer.add(readingsMessage(env101, [("co2", 900)], at: t0 + 60_000), receivedAt: t0 + 60_000)
    try store.writer.commit(now: t0 + 60_000)
    store.writer.add(readingsMessage(env101, [("co2", 700)], at: t0), receivedAt: t0 + 61_000)
    // Within one batch too: newer first, older second.
    store.writer.add(readingsMessage(env101, [("humidity", 55)], at: t0 + 5_000), receivedAt: t0 + 61_000)
    store.writer.add(readingsMessage(env101, [("humidity", 50)], at: t0 + 4_000), receivedAt: t0 + 61_000)
    let summary = try store.writer.commit(now: t0 + 61_000)
    #expect(summary.readingsStored == 3)

    let reader = try store.reader()
    #expect(
      describe(try #require(try reader.device(id: "env-101")).values)
        == ["co2=900.0@\(t0 + 60_000)", "humidity=55.0@\(t0 + 5_000)"])
    #expect(try reader.readingCount(device: "env-101") == 4)
    #expect(try reader.readings(device: "env-101", metric: "co2").map(\.value) == [700, 900])
  }

  @Test("a device that changes room or kind is updated; a message without a room keeps the room")
  func deviceMoves() throws {
    let store = try TestStore()
    store.writer.add(
      readingsMessage(device("plug-1", kind: .plug, room: "r101"), [("power", 5)], at: t0), receivedAt: t0)
    try store.writer.commit(now: t0)
    store.writer.add(
      readingsMessage(device("plug-1", kind: .plug, room: "r202"), [("power", 6)], at: t0 + 1),
      receivedAt: t0 + 1)
    try store.writer.commit(now: t0 + 1)
    let reader = try store.reader()
    #expect(try reader.device(id: "plug-1")?.room == "r202")
    store.writer.add(
      readingsMessage(
        device("plug-1", kind: .other, room: nil, profile: "tasmota"), [("power", 7)], at: t0 + 2),
      receivedAt: t0 + 2)
    try store.writer.commit(now: t0 + 2)
    let moved = try #require(try reader.device(id: "plug-1"))
    #expect(moved.room == "r202")
    #expect(moved.kind == .other)
    #expect(moved.profile == "tasmota")
    #expect(moved.firstSeen == t0)
    #expect(try reader.devices().count == 1)
  }
}
