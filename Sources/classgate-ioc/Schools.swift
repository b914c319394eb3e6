import Agent
import ArgumentParser
import EventLoop
import IOCReceiver
import JSON

extension ClassGateIOC {
  struct Schools: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show every school: online or since when offline, newest data, backlog, devices, clock.",
      discussion: """
        Presence older than 3 minutes on an online school is marked "silent": a hung agent or a \
        wrong clock. Newest data is the creation time of the newest summary or event stored.
        """)

    enum StatusFilter: String, ExpressibleByArgument, CaseIterable {
      case online, offline, unknown
    }

    @OptionGroup var database: DatabaseOptions

    @Option(
      help:
        "Only schools with this status (\(StatusFilter.allCases.map(\.rawValue).joined(separator: ", "))).")
    var status: StatusFilter?

    func run() throws {
      let connection = try database.connect()
      defer { connection.close() }
      let now = Clock.wallMs()
      let time = try database.time()
      let schools = try CityView.schools(connection).filter { school in
        switch status {
        case nil: true
        case .online: school.online == true
        case .offline: school.online == false
        case .unknown: school.online == nil
        }
      }
      if database.json {
        print(JSONWriter.pretty(.array(schools.map { Self.json($0, nowMs: now, time: time) })))
        return
      }
      guard !schools.isEmpty else {
        print("no schools yet")
        return
      }
      print(
        Format.table(CityTable.schoolHeader, schools.map { CityTable.schoolRow($0, nowMs: now, time: time) }))
    }

    /// Instants as the school CLI's `--json` gives them (`classgate devices`): local ISO 8601
    /// with the offset, e.g. `2026-12-02T07:32:05+07:00`.
    static func json(_ school: SchoolStatus, nowMs: Int64, time: SchoolTime) -> JSONValue {
      func number(_ value: Int64?) -> JSONValue { value.map { .number(Double($0)) } ?? .null }
      func instant(_ value: Int64?) -> JSONValue { value.map { .string(time.text($0)) } ?? .null }
      let status = JSONValue.string(CityTable.status(school, nowMs: nowMs).rawValue)
      return .object([
        "school_id": .string(school.schoolID), "status": status, "since": instant(school.sinceMs),
        "presence_received": instant(school.presenceReceivedMs),
        "newest_data": instant(school.newestDataMs),
        "newest_data_age_s": number(school.newestDataMs.map { (nowMs - $0) / 1000 }),
        "backlog": number(school.backlog.map(Int64.init)),
        "oldest_pending": instant(school.oldestPendingMs),
        "devices": school.devices.map { devices in
          .object([
            "online": .number(Double(devices.online)), "offline": .number(Double(devices.offline)),
            "stale": .number(Double(devices.stale)), "unknown": .number(Double(devices.unknown)),
          ])
        } ?? .null,
        "devices_down": number(school.devicesDown.map(Int64.init)),
        "clock_skew_ms": number(school.clockSkewMs),
        "version": school.version.map(JSONValue.string) ?? .null,
        "disk_free_bytes": number(school.diskFreeBytes),
        "messages": number(school.messages), "duplicates": number(school.duplicates),
        "rejected": number(school.rejected),
      ])
    }
  }
}
