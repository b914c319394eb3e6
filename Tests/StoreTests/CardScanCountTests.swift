import Buffer
import DeviceModel
import SQLiteStore
import Testing

@Suite("UsageStore.cardScans: scans and distinct cards in one pass")
struct CardScanCountTests {
  func scan(_ identity: DeviceIdentity, card: String?, at time: EpochMillis) -> DecodedMessage {
    eventMessage(identity, "card_scan", at: time, data: card.map { #"{"card":"\#($0)"}"# } ?? "{}")
  }

  @Test("per reader and over all readers: a card seen at two readers is one; a scan without a card is a scan")
  func countsPerReaderAndOverall() throws {
    let store = try TestStore()
    let gate = device("reader-gate", kind: .attendanceReader)
    let library = device("reader-library", kind: .attendanceReader, room: "lib")
    let cards = (0..<5).map { "hmac:\(String(repeating: "0", count: 31))\($0)" }
    for (index, card) in cards.enumerated() {
      store.writer.add(scan(gate, card: card, at: t0 + Int64(index) * 1000), receivedAt: t0)
      store.writer.add(scan(gate, card: card, at: t0 + 60_000 + Int64(index) * 1000), receivedAt: t0)
    }
    // The library sees cards 3 and 4 (also seen at the gate) and card 9, and one scan without a card.
    for (offset, card) in [cards[3], cards[4], "hmac:\(String(repeating: "9", count: 32))", nil].enumerated()
    {
      store.writer.add(scan(library, card: card, at: t0 + Int64(offset) * 1000), receivedAt: t0)
    }
    store.writer.add(scan(gate, card: cards[0], at: t0 + 86_400_000), receivedAt: t0)  // outside
    try store.writer.commit(now: t0)
    let usage = UsageStore(connection: store.connection)

    let all = try usage.cardScans(from: t0, to: t0 + 3_600_000)
    #expect(all.byDevice["reader-gate"]?.scans == 10 && all.byDevice["reader-gate"]?.distinctCards == 5)
    #expect(all.byDevice["reader-library"]?.scans == 4 && all.byDevice["reader-library"]?.distinctCards == 3)
    #expect(all.distinctCards == 6)

    let room = try usage.cardScans(from: t0, to: t0 + 3_600_000, room: "lib")
    #expect(room.byDevice.keys.sorted() == ["reader-library"] && room.distinctCards == 3)
    let one = try usage.cardScans(from: t0, to: t0 + 30_000, device: "reader-gate")
    #expect(one.byDevice["reader-gate"]?.scans == 5 && one.distinctCards == 5)
    #expect(try usage.cardScans(from: t0 - 10, to: t0).byDevice.isEmpty)
  }
}
