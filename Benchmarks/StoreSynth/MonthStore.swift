import Buffer
import DeviceModel
import EventLoop
import Rollup
import SQLiteStore

#if canImport(Glibc)
  import Glibc
#endif

/// A month of a school in one store, as the agent would have left it: devices (registered through
/// `BufferWriter`), raw readings for the last `readingDays` days (through the same writer, in the
/// agent's order: time first, then compacted), card scans and status changes for the whole month,
/// and the window and day usage rows (`Rollup` on the synthetic histories, saved with
/// `UsageStore.save`, exactly what the agent's summariser does after reading the history).
struct MonthStore {
  let school: SyntheticSchool
  let days: Int
  let readingDays: Double
  let now: EpochMillis
  let path: String
  let graceMs: Int64 = 60_000

  func build() throws {
    let connection = try StoreFile.openForWriting(path: path, durability: .normal)
    // Synthesis only: the agent itself runs with synchronous=FULL.
    try connection.execute(sql: "PRAGMA synchronous = OFF")
    try connection.execute(sql: "PRAGMA cache_size = -262144")
    let started = Clock.monotonicMs()

    let ids = try registerDevices(connection)
    log("devices registered: \(ids.devices.count), metrics: \(ids.metrics.count)")
    let (events, changes) = try writeEventsAndStatus(connection, ids: ids)
    log("card scans: \(events), status changes: \(changes) (\(Clock.monotonicMs() - started) ms)")
    let usage = try writeUsage(connection)
    log(
      "usage: \(usage.windows) windows, \(usage.days) days, summarised until \(school.calendar.localISO(usage.windowsUntil)) (\(Clock.monotonicMs() - started) ms)"
    )
    let readings = try writeReadings(connection, ids: ids)
    log("readings: \(readings) (\(Clock.monotonicMs() - started) ms)")
    try connection.transaction {
      try Meta.write(MetaKey.windowsSummarisedUntil, String(usage.windowsUntil), in: connection)
      try Meta.write(MetaKey.daysSummarisedUntil, String(usage.daysUntil), in: connection)
      try Meta.write(MetaKey.agentHeartbeat, String(now), in: connection)
      try Meta.write(MetaKey.agentVersion, "store-synth", in: connection)
      for (name, value) in [(Counter.readingsStored, readings), (Counter.eventsStored, events)] {
        let statement = try connection.cachedStatement(
          sql: "INSERT OR REPLACE INTO counters (name, value) VALUES (?, ?)")
        statement.bind(name, at: 1)
        statement.bind(value, at: 2)
        try statement.run()
      }
    }
    try connection.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    print(
      "devices=\(school.devices.count) days=\(days) reading_days=\(readingDays) readings=\(readings) "
        + "card_scans=\(events) status_changes=\(changes) windows=\(usage.windows) day_summaries=\(usage.days) "
        + "metrics_per_message=\(metricsPerMessage) synth_s=\(Double(Clock.monotonicMs() - started) / 1000)")
  }

  var metricsPerMessage: String {
    let total = school.devices.reduce(0) { $0 + $1.metrics.count }
    let value = Double(total) / Double(max(school.devices.count, 1))
    return String(Double(Int(value * 100)) / 100)
  }

  struct IDs {
    var devices: [Int64]
    var metrics: [String: Int64]
  }

  /// One message per device at the start of the month, through the agent's writer: devices,
  /// metrics, latest values and the first status change, as the agent creates them.
  private func registerDevices(_ connection: Connection) throws -> IDs {
    let writer = try BufferWriter(connection: connection)
    for device in school.devices {
      let first = school.firstReport(device, atOrAfter: school.start)
      let readings = device.metrics.map {
        Reading(metric: $0, value: school.value(device, $0, at: first), time: first)
      }
      writer.add(
        DecodedMessage(
          device: DeviceIdentity(
            id: device.id, kind: device.kind, room: device.room, profile: device.profile),
          content: .readings(readings)),
        receivedAt: first)
    }
    try writer.commit(now: school.start + school.intervalMs)
    var ids = IDs(devices: [], metrics: [:])
    let deviceRows = try connection.makeStatement(sql: "SELECT id FROM devices WHERE key = ?")
    for device in school.devices {
      deviceRows.bind(device.id, at: 1)
      guard try deviceRows.step() else { throw SQLiteError(code: 1, message: "device \(device.id) missing") }
      ids.devices.append(deviceRows.int64(0))
      deviceRows.reset()
    }
    let metricRows = try connection.makeStatement(sql: "SELECT id, name FROM metrics")
    while try metricRows.step() { ids.metrics[metricRows.text(1) ?? ""] = metricRows.int64(0) }
    return ids
  }

  private func writeEventsAndStatus(_ connection: Connection, ids: IDs) throws -> (Int, Int) {
    let event = try connection.cachedStatement(
      sql: "INSERT OR IGNORE INTO events (device, ts, type, data) VALUES (?, ?, 'card_scan', ?)")
    let change = try connection.cachedStatement(
      sql: "INSERT INTO status_changes (device, ts, status, cause) VALUES (?, ?, ?, ?)")
    var events = 0
    var changes = 0
    for day in 0..<days {
      try connection.transaction {
        for device in school.devices {
          let id = ids.devices[device.index]
          for scan in school.scans(device, day: day) where scan.time < now {
            event.bind(id, at: 1)
            event.bind(scan.time, at: 2)
            event.bind("{\"card\":\"\(scan.card)\"}", at: 3)
            try event.run()
            events += 1
          }
          guard let outage = school.incident(device, day: day) else { continue }
          for (time, status, cause) in [
            (outage.start, "offline", "reported"), (outage.end, "online", "data received"),
          ] where time < now {
            change.bind(id, at: 1)
            change.bind(time, at: 2)
            change.bind(status, at: 3)
            change.bind(cause, at: 4)
            try change.run()
            changes += 1
          }
        }
      }
    }
    return (events, changes)
  }

  private func writeUsage(_ connection: Connection) throws -> (
    windows: Int, days: Int, windowsUntil: EpochMillis, daysUntil: EpochMillis
  ) {
    let usage = UsageStore(connection: connection)
    let settings = RollupSettings()
    var windows = 0
    var dayCount = 0
    var windowsUntil = school.start
    var daysUntil = school.start
    for day in 0..<days {
      let dayPeriod = school.calendar.day(containing: school.start + Int64(day) * 86_400_000 + 43_200_000)
      let scans = school.devices.map { school.scans($0, day: day) }
      var parts = [[DeviceUsage]](repeating: [], count: school.devices.count)
      var fleets: [FleetUsage] = []
      try connection.transaction {
        for window in school.calendar.windows(in: dayPeriod) where window.end + graceMs <= now {
          let histories = school.devices.map { school.history($0, over: window, scans: scans[$0.index]) }
          let devices = histories.map { Rollup.usage(of: $0, over: window, settings: settings) }
          let fleet = Rollup.fleet(histories, over: window, settings: settings)
          try usage.save(
            .window, period: window, revision: 0, devices: devices, fleet: fleet,
            createdAt: window.end + graceMs)
          for (index, part) in devices.enumerated() { parts[index].append(part) }
          fleets.append(fleet)
          windows += 1
          windowsUntil = window.end
        }
        // Today so far, as the agent's summariser keeps it for `classgate stats` (day_to_date).
        guard dayPeriod.end <= windowsUntil else {
          guard windowsUntil > dayPeriod.start else { return }
          var devices: [DeviceUsage] = []
          for (index, windowParts) in parts.enumerated() {
            guard var total = Rollup.combine(windowParts) else { continue }
            if total.kind == .attendanceReader {
              let cards = Set(scans[index].filter { $0.time < windowsUntil }.map(\.card)).count
              total.distinctCards = min(cards, total.scans)
            }
            devices.append(total)
          }
          try usage.save(
            .dayToDate, period: Period(start: dayPeriod.start, end: windowsUntil), revision: 0,
            devices: devices, fleet: Rollup.combine(fleets), createdAt: windowsUntil)
          return
        }
        // A finished day is its windows added up; distinct cards from the day's scans.
        var devices: [DeviceUsage] = []
        for (index, windowParts) in parts.enumerated() {
          guard var total = Rollup.combine(windowParts) else { continue }
          if total.kind == .attendanceReader { total.distinctCards = Set(scans[index].map(\.card)).count }
          devices.append(total)
        }
        try usage.save(
          .day, period: dayPeriod, revision: 0, devices: devices, fleet: Rollup.combine(fleets),
          createdAt: dayPeriod.end + graceMs)
        dayCount += 1
        daysUntil = dayPeriod.end
      }
      if day % 5 == 4 { log("usage: day \(day + 1) of \(days)") }
    }
    return (windows, dayCount, windowsUntil, daysUntil)
  }

  /// Raw readings, every device every interval while online, time first, through the agent's
  /// own writer (one log row per message) and compacted as the agent compacts them, so the
  /// tables fill their pages as they would in the field.
  private func writeReadings(_ connection: Connection, ids: IDs) throws -> Int {
    let from = max(school.start + school.intervalMs, now - Int64(readingDays * 86_400_000))
    let writer = try BufferWriter(connection: connection, limits: .init(stateFlushMs: 3_600_000))
    let identities = school.devices.map {
      DeviceIdentity(id: $0.id, kind: $0.kind, room: $0.room, profile: $0.profile)
    }
    var count = 0
    var tick = from - from % school.intervalMs
    var nextLog = Clock.monotonicMs() + 10_000
    while tick < now {
      let end = min(now, tick + 3_600_000)
      while tick < end {
        for device in school.devices {
          let time = tick + device.phaseMs
          guard time >= from, time < now, school.isOnline(device, at: time) else { continue }
          let readings = device.metrics.map {
            Reading(metric: $0, value: school.value(device, $0, at: time), time: time)
          }
          writer.add(
            DecodedMessage(device: identities[device.index], content: .readings(readings)),
            receivedAt: time)
          count += readings.count
        }
        tick += school.intervalMs
      }
      try writer.commit(now: end)
      try writer.flush(now: end)
      while try writer.compact() > 0 {}
      if Clock.monotonicMs() > nextLog {
        log("readings: \(count), at \(school.calendar.localISO(tick))")
        nextLog = Clock.monotonicMs() + 10_000
      }
    }
    try writer.flush(now: now)
    return count
  }
}

func log(_ text: String) {
  var line = "store-synth: " + text + "\n"
  line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}
