import Buffer
import DeviceModel
import SQLiteStore
import Testing

/// Readings without a device timestamp carry the receipt time: the writer keeps those times strictly
/// increasing per (device, metric), so two messages received in the same millisecond are two readings.
/// Readings with a device timestamp keep (device, metric, ts) as their idempotency key.
@Suite("BufferWriter: receipt-timed readings")
struct ReceiptTimeTests {
  let env101 = device("env-101")

  /// `value@time` of every stored reading of one series, oldest first.
  func stored(_ store: TestStore, _ id: String, _ metric: String) throws -> [String] {
    try store.reader().readings(device: id, metric: metric).map { "\($0.value)@\($0.time)" }
  }

  @Test("two messages without ts received in the same millisecond are both stored, the second 1 ms later")
  func sameReceiptTimeBothStored() throws {
    let store = try TestStore()
    store.writer.add(receiptTimedMessage(env101, [("co2", 600)], receivedAt: t0), receivedAt: t0)
    store.writer.add(receiptTimedMessage(env101, [("co2", 610)], receivedAt: t0), receivedAt: t0)
    let summary = try store.writer.commit(now: t0)
    #expect(summary.messages == 2)
    #expect(summary.readingsStored == 2)
    #expect(summary.duplicateReadings == 0)

    #expect(try stored(store, "env-101", "co2") == ["600.0@\(t0)", "610.0@\(t0 + 1)"])
    let reader = try store.reader()
    #expect(describe(try #require(try reader.device(id: "env-101")).values) == ["co2=610.0@\(t0 + 1)"])
    #expect(try reader.counters()[Counter.readingsStored] == 2)
    #expect(try reader.counters()[Counter.duplicateReadings] == nil)
  }

  @Test("readings with the same device ts are still one reading: the later copy is a duplicate")
  func deviceTimeStillDeduplicated() throws {
    let store = try TestStore()
    store.writer.add(readingsMessage(env101, [("co2", 600)], at: t0 - 5_000), receivedAt: t0)
    store.writer.add(readingsMessage(env101, [("co2", 610)], at: t0 - 5_000), receivedAt: t0)
    let first = try store.writer.commit(now: t0)
    #expect(first.readingsStored == 1)
    #expect(first.duplicateReadings == 1)
    // Redelivered in a later batch, received later: still the same reading.
    store.writer.add(readingsMessage(env101, [("co2", 620)], at: t0 - 5_000), receivedAt: t0 + 1_000)
    let second = try store.writer.commit(now: t0 + 1_000)
    #expect(second.readingsStored == 0)
    #expect(second.duplicateReadings == 1)

    #expect(try stored(store, "env-101", "co2") == ["600.0@\(t0 - 5_000)"])
    #expect(try store.reader().counters()[Counter.duplicateReadings] == 2)
  }

  @Test("several messages at one receipt time, then an earlier-or-equal one: strictly increasing times")
  func strictlyIncreasing() throws {
    let store = try TestStore()
    for (value, time) in [(1.0, t0), (2, t0), (3, t0), (4, t0 + 1), (5, t0 + 10), (6, t0 + 5)] {
      store.writer.add(receiptTimedMessage(env101, [("co2", value)], receivedAt: time), receivedAt: time)
    }
    let summary = try store.writer.commit(now: t0 + 10)
    #expect(summary.readingsStored == 6)
    #expect(summary.duplicateReadings == 0)
    #expect(
      try stored(store, "env-101", "co2")
        == [
          "1.0@\(t0)", "2.0@\(t0 + 1)", "3.0@\(t0 + 2)", "4.0@\(t0 + 3)", "5.0@\(t0 + 10)", "6.0@\(t0 + 11)",
        ])
  }

  @Test("the series is remembered across commits")
  func acrossCommits() throws {
    let store = try TestStore()
    store.writer.add(receiptTimedMessage(env101, [("co2", 600)], receivedAt: t0), receivedAt: t0)
    try store.writer.commit(now: t0)
    store.writer.add(receiptTimedMessage(env101, [("co2", 610)], receivedAt: t0), receivedAt: t0)
    let summary = try store.writer.commit(now: t0)
    #expect(summary.readingsStored == 1)
    #expect(summary.duplicateReadings == 0)
    #expect(try stored(store, "env-101", "co2") == ["600.0@\(t0)", "610.0@\(t0 + 1)"])
  }

  @Test("per device and metric: other metrics and other devices at the same time keep the receipt time")
  func perSeries() throws {
    let store = try TestStore()
    let env102 = device("env-102")
    store.writer.add(
      receiptTimedMessage(env101, [("co2", 600), ("temperature", 27)], receivedAt: t0), receivedAt: t0)
    store.writer.add(receiptTimedMessage(env102, [("co2", 700)], receivedAt: t0), receivedAt: t0)
    store.writer.add(receiptTimedMessage(env101, [("co2", 601)], receivedAt: t0), receivedAt: t0)
    let summary = try store.writer.commit(now: t0)
    #expect(summary.readingsStored == 4)
    #expect(summary.duplicateReadings == 0)
    #expect(try stored(store, "env-101", "co2") == ["600.0@\(t0)", "601.0@\(t0 + 1)"])
    #expect(try stored(store, "env-101", "temperature") == ["27.0@\(t0)"])
    #expect(try stored(store, "env-102", "co2") == ["700.0@\(t0)"])
  }

  @Test("two devices, same receipt time: without ts both readings of each are kept, with one ts deduplicated")
  func mixedDevices() throws {
    let store = try TestStore()
    let plug = device("plug-1", kind: .plug)
    // env-101 sends no ts; plug-1 sends its own ts, twice the same (a redelivery).
    store.writer.add(receiptTimedMessage(env101, [("co2", 600)], receivedAt: t0), receivedAt: t0)
    store.writer.add(readingsMessage(plug, [("power", 40)], at: t0 - 2_000), receivedAt: t0)
    store.writer.add(receiptTimedMessage(env101, [("co2", 610)], receivedAt: t0), receivedAt: t0)
    store.writer.add(readingsMessage(plug, [("power", 40)], at: t0 - 2_000), receivedAt: t0)
    let summary = try store.writer.commit(now: t0)
    #expect(summary.messages == 4)
    #expect(summary.readingsStored == 3)
    #expect(summary.duplicateReadings == 1)
    #expect(try stored(store, "env-101", "co2") == ["600.0@\(t0)", "610.0@\(t0 + 1)"])
    #expect(try stored(store, "plug-1", "power") == ["40.0@\(t0 - 2_000)"])
  }

  @Test("a failed commit forgets the times it gave out: the retry stores the same times, once each")
  func failedCommitRetry() throws {
    let store = try TestStore()
    store.writer.add(receiptTimedMessage(env101, [("co2", 500)], receivedAt: t0), receivedAt: t0)
    try store.writer.commit(now: t0)

    let pages = try #require(try store.connection.scalarInt(sql: "PRAGMA page_count"))
    try store.connection.execute(sql: "PRAGMA max_page_count = \(pages)")
    for index in 0..<600 {
      store.writer.add(
        receiptTimedMessage(env101, [("co2", Double(index))], receivedAt: t0 + 5), receivedAt: t0 + 5)
    }
    let error = #expect(throws: SQLiteError.self) { try store.writer.commit(now: t0 + 5) }
    #expect(error?.isDiskFull == true)
    #expect(store.writer.pendingCount == 600)

    try store.connection.execute(sql: "PRAGMA max_page_count = 1073741823")
    let summary = try store.writer.commit(now: t0 + 5)
    #expect(summary.readingsStored == 600)
    #expect(summary.duplicateReadings == 0)
    let times = try store.reader().readings(device: "env-101", metric: "co2").map(\.time)
    #expect(times == [t0] + (0..<600).map { t0 + 5 + Int64($0) })
    #expect(
      describe(try #require(try store.reader().device(id: "env-101")).values) == ["co2=599.0@\(t0 + 604)"])
  }
}
