import Buffer
import DeviceModel
import SQLiteStore
import Testing

@Suite("BufferWriter.purgeEvents: raw scan retention")
struct RetentionTests {
  let reader1 = device("reader-1", kind: .attendanceReader)
  let reader2 = device("reader-2", kind: .attendanceReader)
  let board = device("board-1", kind: .board)

  func scan(_ identity: DeviceIdentity, at time: EpochMillis) -> DecodedMessage {
    eventMessage(identity, "card_scan", at: time, data: #"{"card":"hmac:00112233445566778899aabbccddeeff"}"#)
  }

  @Test("card scans older than the cut-off go, in chunks; newer scans and other events stay")
  func purgesOldScansOnly() throws {
    let store = try TestStore()
    let cutoff = t0 - 30 * 86_400_000
    // 12,001 old scans (more than two chunks of 5000), one at the cut-off, 3 newer.
    for index in 0..<12_001 {
      store.writer.add(
        scan(index % 2 == 0 ? reader1 : reader2, at: cutoff - 1 - Int64(index) * 1000), receivedAt: t0)
    }
    store.writer.add(scan(reader1, at: cutoff), receivedAt: t0)
    for index in 1...3 { store.writer.add(scan(reader2, at: t0 - Int64(index)), receivedAt: t0) }
    store.writer.add(eventMessage(board, "button", at: cutoff - 5_000), receivedAt: t0)
    try store.writer.commit(now: t0)
    #expect(try store.count("SELECT count(*) FROM events") == 12_006)

    #expect(try store.writer.purgeEvents(type: "card_scan", olderThan: cutoff) == 12_001)
    #expect(try store.count("SELECT count(*) FROM events WHERE type = 'card_scan'") == 4)
    #expect(try store.count("SELECT count(*) FROM events WHERE type = 'card_scan' AND ts < \(cutoff)") == 0)
    #expect(try store.count("SELECT min(ts) FROM events WHERE type = 'card_scan'") == cutoff)
    #expect(try store.count("SELECT count(*) FROM events WHERE type = 'button'") == 1)
    // Nothing left to purge: a second run is a no-op.
    #expect(try store.writer.purgeEvents(type: "card_scan", olderThan: cutoff) == 0)
    // Devices, their status and counters are untouched.
    #expect(try store.reader().device(id: "reader-1")?.status == .online)
    #expect(try store.count("SELECT value FROM counters WHERE name = 'events_stored'") == 12_006)
  }

  @Test("every chunk is its own transaction, so the count adds up for any chunk size")
  func smallChunks() throws {
    let store = try TestStore()
    for index in 0..<23 { store.writer.add(scan(reader1, at: t0 - 100 - Int64(index)), receivedAt: t0) }
    try store.writer.commit(now: t0)
    #expect(try store.writer.purgeEvents(type: "card_scan", olderThan: t0 - 110, chunk: 5) == 12)
    #expect(try store.writer.purgeEvents(type: "card_scan", olderThan: t0, chunk: 10) == 11)
    #expect(try store.count("SELECT count(*) FROM events") == 0)
  }

  @Test("messages pending in the writer are neither written nor lost by a purge")
  func pendingBatchUntouched() throws {
    let store = try TestStore()
    store.writer.add(scan(reader1, at: t0 - 10 * 86_400_000), receivedAt: t0)
    try store.writer.commit(now: t0)
    store.writer.add(scan(reader1, at: t0 - 9 * 86_400_000), receivedAt: t0)
    #expect(try store.writer.purgeEvents(type: "card_scan", olderThan: t0) == 1)
    #expect(store.writer.pendingCount == 1)
    #expect(try store.count("SELECT count(*) FROM events") == 0)
    #expect(try store.writer.commit(now: t0).eventsStored == 1)
    #expect(try store.count("SELECT count(*) FROM events") == 1)
  }
}
