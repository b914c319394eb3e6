import Agent
import ArgumentParser
import Buffer
import DeviceModel
import EventLoop
import JSON

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
      let devices = try reader.devices(matching: DeviceFilter(room: room, kind: kind, status: status))
      let now = Clock.wallMs()
      let heartbeat = try reader.meta(MetaKey.agentHeartbeat).flatMap { Int64($0) }
      let time = storeOptions.schoolTime
      if storeOptions.json {
        let document = JSONObject([
          ("generated_at", .string(time.text(now))),
          ("agent_last_active", heartbeat.map { .string(time.text($0)) } ?? .null),
          ("devices", .array(devices.map { DeviceOutput.json($0, now: now, time: time) })),
        ])
        JSONOutput.print(.object(document))
        return
      }
      func table(kind: (DeviceKind) -> String) -> TextTable {
        var table = TextTable(headers: ["ID", "KIND", "ROOM", "STATUS", "LAST SEEN", "VALUES"])
        for device in devices {
          table.append([
            device.id, kind(device.kind), device.room ?? "?", device.status.rawValue,
            TimeText.ago(device.lastSeen, now: now), DeviceOutput.keyValues(device),
          ])
        }
        return table
      }
      let full = table(kind: \.rawValue)
      let width = Terminal.width
      // Short kinds leave the values more room on a narrow console.
      let fits = width.map { full.naturalWidth <= $0 } ?? true
      print((fits ? full : table(kind: \.shortLabel)).render(width: width))
      let counts = DeviceStatus.allCases.compactMap { status -> String? in
        let count = devices.filter { $0.status == status }.count
        return count > 0 ? "\(count) \(status.rawValue)" : nil
      }
      print("\n\(devices.count) devices" + (counts.isEmpty ? "" : ": " + counts.joined(separator: ", ")))
      AgentActivity.warnIfIdle(heartbeat: heartbeat, now: now)
    }
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
