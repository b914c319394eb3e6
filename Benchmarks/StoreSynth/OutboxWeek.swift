import Buffer
import DeviceModel
import EventLoop
import Rollup
import SQLiteStore
import Uplink

/// A week of IOC backlog in one store, as an agent leaves it after the IOC broker was down for a
/// week: every window summary, the daily summaries and a few thousand events, queued in the order
/// the agent would have queued them, with their seqs (`Outbox.enqueue`) and the real payloads
/// (`UplinkMessages`, from `Rollup` on the synthetic school's histories).
struct OutboxWeek {
  let school: SyntheticSchool
  let windows: Int
  let events: Int
  let now: EpochMillis
  let path: String
  let schoolID: String
  let graceMs: Int64 = 60_000

  func build() throws {
    let connection = try StoreFile.openForWriting(path: path, durability: .normal)
    try connection.execute(sql: "PRAGMA synchronous = OFF")
    let started = Clock.monotonicMs()
    let writer = try BufferWriter(connection: connection)
    for device in school.devices {
      let first = school.start + device.phaseMs
      writer.add(
        DecodedMessage(
          device: DeviceIdentity(
            id: device.id, kind: device.kind, room: device.room, profile: device.profile),
          content: .readings(
            device.metrics.map {
              Reading(metric: $0, value: school.value(device, $0, at: first), time: first)
            })),
        receivedAt: first)
    }
    try writer.commit(now: school.start + school.intervalMs)

    let calendar = school.calendar
    let messages = UplinkMessages(
      schoolID: schoolID, timeZone: calendar.zoneName, localTime: { calendar.localISO($0) },
      localDate: { calendar.dayLabel($0) })
    let outbox = Outbox(connection: connection)
    let settings = RollupSettings()
    let last = calendar.window(containing: now - graceMs).start
    var periods: [Period] = []
    var cursor = last
    while periods.count < windows {
      let window = calendar.window(containing: cursor - 1)
      periods.append(window)
      cursor = window.start
    }
    periods.reverse()
    guard let first = periods.first else { return }
    // Events spread over the week: status changes and threshold alerts, about half each.
    let span = last - first.start
    let eventTimes = (0..<events).map {
      first.start + Int64($0) * span / Int64(max(events, 1)) + Int64($0 % 7) * 1000
    }
    var nextEvent = 0
    var counts: [String: Int] = [:]
    var bytes: [String: Int] = [:]
    func count(_ kind: String, _ size: Int) {
      counts[kind, default: 0] += 1
      bytes[kind, default: 0] += size
    }
    var dayParts: [[DeviceUsage]] = Array(repeating: [], count: school.devices.count)
    var dayFleets: [FleetUsage] = []
    var scansByDay: [Int: [[(time: EpochMillis, card: String)]]] = [:]
    var index = 0
    while index < periods.count {
      try connection.transaction {
        // One transaction per 96 windows (8 hours), as the agent's queue grows during an outage.
        for _ in 0..<96 where index < periods.count {
          let window = periods[index]
          index += 1
          let createdAt = window.end + graceMs
          while nextEvent < eventTimes.count, eventTimes[nextEvent] < createdAt {
            let time = eventTimes[nextEvent]
            let device = school.devices[nextEvent * 37 % school.devices.count]
            let ref = UplinkMessages.DeviceRef(id: device.id, kind: device.kind, room: device.room)
            let alert = nextEvent % 2 == 1 && device.kind == .envSensor
            var size = 0
            try outbox.enqueue(lane: .events, topic: UplinkMessages.Topic.events, createdAt: time + 500) {
              seq in
              let payload =
                alert
                ? messages.thresholdAlert(
                  device: ref, time: time, metric: "co2", value: 1000 + Double(seq % 300), threshold: 1000,
                  above: seq % 4 != 1, seq: seq, createdAt: time + 500)
                : messages.statusEvent(
                  device: ref, time: time, status: nextEvent % 4 == 0 ? .offline : .online,
                  cause: nextEvent % 4 == 0 ? "reported" : "data received", seq: seq, createdAt: time + 500)
              size = payload.count
              return payload
            }
            count("event", size)
            nextEvent += 1
          }
          let day = school.dayIndex(window.start)
          if scansByDay[day] == nil { scansByDay[day] = school.devices.map { school.scans($0, day: day) } }
          let scans = scansByDay[day] ?? []
          let histories = school.devices.map { school.history($0, over: window, scans: scans[$0.index]) }
          let devices = histories.map { Rollup.usage(of: $0, over: window, settings: settings) }
          let fleet = Rollup.fleet(histories, over: window, settings: settings)
          var size = 0
          try outbox.enqueue(
            lane: .summaries, topic: UplinkMessages.Topic.windowSummary, createdAt: createdAt
          ) {
            seq in
            let payload = messages.summary(
              .window, period: window, revision: 0, devices: devices, fleet: fleet,
              thresholds: settings.thresholds, seq: seq, createdAt: createdAt)
            size = payload.count
            return payload
          }
          count("window_summary", size)
          for (slot, part) in devices.enumerated() { dayParts[slot].append(part) }
          dayFleets.append(fleet)
          let dayPeriod = calendar.day(containing: window.start)
          guard window.end == dayPeriod.end else { continue }
          var totals: [DeviceUsage] = []
          for (slot, parts) in dayParts.enumerated() {
            guard var total = Rollup.combine(parts) else { continue }
            if total.kind == .attendanceReader { total.distinctCards = Set(scans[slot].map(\.card)).count }
            totals.append(total)
          }
          let fleets = dayFleets
          try outbox.enqueue(lane: .summaries, topic: UplinkMessages.Topic.daySummary, createdAt: createdAt) {
            seq in
            let payload = messages.summary(
              .day, period: dayPeriod, revision: 0, devices: totals, fleet: Rollup.combine(fleets),
              thresholds: settings.thresholds, seq: seq, createdAt: createdAt)
            size = payload.count
            return payload
          }
          count("daily_summary", size)
          dayParts = Array(repeating: [], count: school.devices.count)
          dayFleets = []
        }
      }
    }
    try connection.transaction {
      // The school's devices kept reporting locally during the outage: none of them is stale.
      try connection.execute(sql: "UPDATE devices SET last_seen = \(now)")
      try Meta.write(MetaKey.windowsSummarisedUntil, String(last), in: connection)
      try Meta.write(
        MetaKey.daysSummarisedUntil, String(calendar.day(containing: last).start), in: connection)
    }
    try connection.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    let total = counts.values.reduce(0, +)
    let totalBytes = bytes.values.reduce(0, +)
    print(
      "messages=\(total) bytes=\(totalBytes) "
        + counts.keys.sorted().map {
          "\($0)s=\(counts[$0] ?? 0) \($0)_avg_bytes=\((bytes[$0] ?? 0) / max(counts[$0] ?? 1, 1))"
        }
        .joined(separator: " ")
        + " synth_s=\(Double(Clock.monotonicMs() - started) / 1000)")
  }
}
