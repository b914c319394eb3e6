import Agent
import ArgumentParser
import Buffer
import DeviceModel
import EventLoop
import JSON
import Reports

extension DeviceKind: ExpressibleByArgument {}
extension DeviceStatus: ExpressibleByArgument {}

extension ClassGate {
  struct Devices: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List devices with their status, last contact and latest values.",
      discussion: """
        Examples:
          classgate devices
          classgate devices --room 101 --status offline
          classgate devices --kind env_sensor --json
        """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Only devices in this room.")
    var room: String?

    @Option(
      help: "Only devices of this kind.")
    var kind: DeviceKind?

    @Option(
      help: "Only devices with this status.")
    var status: DeviceStatus?

    func run() throws {
      let reader = try storeOptions.openReader()
      let report = try DevicesReport.read(
        reader, filter: DeviceFilter(room: room, kind: kind, status: status))
      let output = DevicesOutput(now: Clock.wallMs(), time: storeOptions.schoolTime)
      if storeOptions.json {
        JSONOutput.print(output.json(report))
      } else {
        print(output.text(report, width: Terminal.width))
        AgentActivity.warnIfIdle(heartbeat: report.agentHeartbeat, now: output.now)
      }
    }
  }
}

/// `classgate devices`'s table (cut to the terminal's width) and its `--json` shape (docs/cli.md).
struct DevicesOutput {
  let now: EpochMillis
  let time: SchoolTime

  func json(_ report: DevicesReport) -> JSONValue {
    .object(
      JSONObject([
        ("generated_at", .string(time.text(now))),
        ("agent_last_active", report.agentHeartbeat.map { .string(time.text($0)) } ?? .null),
        ("devices", .array(report.devices.map { DeviceOutput.json($0, now: now, time: time) })),
      ]))
  }

  func text(_ report: DevicesReport, width: Int?) -> String {
    func table(kind: (DeviceKind) -> String) -> TextTable {
      var table = TextTable(headers: ["ID", "KIND", "ROOM", "STATUS", "LAST SEEN", "VALUES"])
      for device in report.devices {
        table.append([
          device.id, kind(device.kind), device.room ?? "?", device.status.rawValue,
          TimeText.ago(device.lastSeen, now: now), DeviceOutput.keyValues(device),
        ])
      }
      return table
    }
    let full = table(kind: \.rawValue)
    // Short kinds leave the values more room on a narrow console.
    let fits = width.map { full.naturalWidth <= $0 } ?? true
    let counts = report.statusCounts.map { "\($0.count) \($0.status.rawValue)" }
    return (fits ? full : table(kind: \.shortLabel)).render(width: width)
      + "\n\n\(report.devices.count) devices"
      + (counts.isEmpty ? "" : ": " + counts.joined(separator: ", "))
  }
}

enum AgentActivity {
  /// Statuses only move while the agent runs: say so when it has been quiet for a while.
  static func warnIfIdle(heartbeat: EpochMillis?, now: EpochMillis) {
    guard let heartbeat else {
      print("note: the agent has not written to this store yet")
      return
    }
    if now - heartbeat > 60_000 {
      print("note: the agent last wrote \(TimeText.ago(heartbeat, now: now)); statuses may be out of date")
    }
  }
}
