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

    /// An online school's presence comes every 60 s; three missed ones mean something is wrong.
    static let silentAfterMs: Int64 = 180_000

    func run() throws {
      let connection = try database.connect()
      defer { connection.close() }
      let now = Clock.wallMs()
      let schools = try CityView.schools(connection).filter { school in
        switch status {
        case nil: true
        case .online: school.online == true
        case .offline: school.online == false
        case .unknown: school.online == nil
        }
      }
      if database.json {
        print(JSONWriter.pretty(.array(schools.map { Self.json($0, nowMs: now) })))
        return
      }
      guard !schools.isEmpty else {
        print("no schools yet")
        return
      }
      let header = ["SCHOOL", "STATUS", "NEWEST DATA", "BACKLOG", "DEVICES DOWN", "CLOCK SKEW", "REJECTED"]
      print(Format.table(header, schools.map { Self.row($0, nowMs: now) }))
    }

    static func row(_ school: SchoolStatus, nowMs: Int64) -> [String] {
      [
        school.schoolID, statusText(school, nowMs: nowMs),
        school.newestDataMs.map { "\(Format.duration(nowMs - $0)) ago" } ?? "-",
        school.backlog.map(String.init) ?? "-",
        school.devices.map { "\($0.offline + $0.stale) of \($0.online + $0.offline + $0.stale + $0.unknown)" }
          ?? "-",
        school.clockSkewMs.map(Format.skew) ?? "-", "\(school.rejected)",
      ]
    }

    static func statusText(_ school: SchoolStatus, nowMs: Int64) -> String {
      switch school.online {
      case nil: return "no presence"
      case false: return "offline since " + (school.sinceMs.map(Format.instant) ?? "?")
      case true:
        if let last = school.presenceReceivedMs, nowMs - last > silentAfterMs {
          return "silent for \(Format.duration(nowMs - last))"
        }
        return "online"
      }
    }

    static func json(_ school: SchoolStatus, nowMs: Int64) -> JSONValue {
      func number(_ value: Int64?) -> JSONValue { value.map { .number(Double($0)) } ?? .null }
      let status: JSONValue =
        switch school.online {
        case nil: "unknown"
        case false: "offline"
        case true:
          school.presenceReceivedMs.map { nowMs - $0 > silentAfterMs } == true ? "silent" : "online"
        }
      return .object([
        "school_id": .string(school.schoolID), "status": status, "since_ms": number(school.sinceMs),
        "presence_received_ms": number(school.presenceReceivedMs),
        "newest_data_ms": number(school.newestDataMs),
        "newest_data_age_s": number(school.newestDataMs.map { (nowMs - $0) / 1000 }),
        "backlog": number(school.backlog.map(Int64.init)),
        "oldest_pending_ms": number(school.oldestPendingMs),
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
