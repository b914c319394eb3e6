import Buffer
import DeviceModel
import Reports
import SQLiteStore
import Testing
import Uplink

/// The read-only commands' reports (Sources/Reports) against a real store the writer filled, read
/// on their own connection as the CLI opens it.
@Suite("Reports: devices, device, dead letters, uplink")
struct ReportsTests {
  @Test func devicesReportFiltersCountsEachStatusAndReadsTheHeartbeat() throws {
    let store = try TestStore()
    let board = device("board-101", kind: .board, room: "101")
    store.writer.add(readingsMessage(device("env-101", room: "101"), [("co2", 900)], at: t0), receivedAt: t0)
    store.writer.add(readingsMessage(device("env-102", room: "102"), [("co2", 700)], at: t0), receivedAt: t0)
    store.writer.add(statusMessage(board, .offline, at: t0 + 1), receivedAt: t0 + 1)
    let before = try DevicesReport.read(store.reader(), filter: DeviceFilter())
    #expect(before.devices.isEmpty && before.statusCounts.isEmpty && before.agentHeartbeat == nil)
    try store.writer.commit(now: t0 + 2)
    try store.writer.flush(now: t0 + 5)

    let all = try DevicesReport.read(store.reader(), filter: DeviceFilter())
    #expect(all.devices.map(\.id) == ["board-101", "env-101", "env-102"])
    #expect(all.statusCounts == [.init(status: .online, count: 2), .init(status: .offline, count: 1)])
    #expect(all.agentHeartbeat == t0 + 5)
    let room = try DevicesReport.read(store.reader(), filter: DeviceFilter(room: "101"))
    #expect(room.devices.map(\.id) == ["board-101", "env-101"])
    let offline = try DevicesReport.read(store.reader(), filter: DeviceFilter(status: .offline))
    #expect(offline.devices.map(\.id) == ["board-101"] && offline.statusCounts.map(\.count) == [1])
  }

  @Test func deviceReportHasTheNewestChangesAndEventsUpToTheLimitAndNilForAnUnknownId() throws {
    let store = try TestStore()
    let reader = device("reader-101", kind: .attendanceReader, room: "101")
    for minute in 0..<5 {
      let time = t0 + Int64(minute) * 60_000
      store.writer.add(eventMessage(reader, "door", at: time, data: #"{"n":\#(minute)}"#), receivedAt: time)
      store.writer.add(
        statusMessage(reader, minute % 2 == 0 ? .offline : .online, at: time + 1), receivedAt: time + 1)
    }
    try store.writer.commit(now: t0 + 600_000)

    let report = try #require(try DeviceReport.read(store.reader(), id: "reader-101", limit: 2))
    #expect(report.device.kind == .attendanceReader && report.device.room == "101")
    #expect(report.events.map(\.data) == [#"{"n":4}"#, #"{"n":3}"#])
    #expect(report.statusChanges.count == 2 && report.statusChanges.first?.status == .offline)
    #expect(try DeviceReport.read(store.reader(), id: "reader-999", limit: 2) == nil)
  }

  @Test func deadLettersReportKeepsTheNewestAndCountsEveryReasonSeen() throws {
    let store = try TestStore()
    for index in 0..<3 {
      store.writer.addDeadLetter(
        topic: "classgate/101/x/\(index)", payload: Array("{".utf8),
        reason: DeadLetterReason(.malformedPayload, "invalid JSON"), receivedAt: t0 + Int64(index))
    }
    store.writer.addDeadLetter(
      topic: "other/topic", payload: [], reason: DeadLetterReason(.unknownTopic, "no profile"),
      receivedAt: t0 + 10)
    try store.writer.commit(now: t0 + 20)
    try store.writer.flush(now: t0 + 20)

    let report = try DeadLettersReport.read(store.reader(), limit: 2)
    #expect(report.recent.map(\.topic) == ["other/topic", "classgate/101/x/2"])
    // In the order of DeadLetterReason.Code.allCases: unknown_topic comes before malformed_payload.
    #expect(
      report.countsByReason == [
        .init(reason: "unknown_topic", count: 1), .init(reason: "malformed_payload", count: 3),
      ])
    #expect(report.total == 4)
  }

  @Test func uplinkReportReadsTheStateTheOutboxAndTheStoreAgainstItsCap() throws {
    let store = try TestStore()
    let empty = try UplinkReport.read(store.reader(), connection: StoreFile.openForReading(path: store.path))
    #expect(!empty.configured && !empty.connected && empty.outbox.pending == 0 && empty.stream == nil)

    let outbox = Outbox(connection: store.connection)
    for index in 0..<3 {
      try outbox.enqueue(lane: index == 0 ? .events : .summaries, topic: "t", createdAt: t0 + Int64(index)) {
        _ in Array("{}".utf8)
      }
    }
    try outbox.markDelivered([1], at: t0 + 10)
    try store.writer.setMeta(
      MetaKey.uplinkState,
      #"{"connected":false,"since_ms":\#(t0 + 20),"last_error":"connection refused","last_error_ms":\#(t0 + 21)}"#
    )
    try store.writer.setMeta(MetaKey.outboxStream, "stream-1")
    try store.writer.setMeta(MetaKey.storeMaxBytes, String(64 << 20))

    let report = try UplinkReport.read(store.reader(), connection: StoreFile.openForReading(path: store.path))
    #expect(report.configured && !report.connected && report.since == t0 + 20)
    #expect(report.lastError == "connection refused" && report.lastErrorAt == t0 + 21)
    #expect(report.outbox.pending == 2 && report.outbox.pendingByLane == [.summaries: 2])
    #expect(report.outbox.lastSeq == 3 && report.outbox.oldestPendingAt == t0 + 1)
    #expect(report.stream == "stream-1" && report.storeCapBytes == 64 << 20)
    #expect(report.storeUsedBytes > 0 && report.evicted.isEmpty)
  }
}
