import Agent
import ArgumentParser
import Buffer
import DeviceModel
import EventLoop
import JSON
import Reports

extension ClassGate {
  struct Device: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show one device: latest values, recent status changes and events.",
      discussion: """
        Examples:
          classgate device env-101
          classgate device plug-102 --limit 3 --json
        """)

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The device id, as `classgate devices` shows it.")
    var id: String

    @Option(help: "How many status changes and events to show.")
    var limit: Int = 10

    func validate() throws {
      guard limit > 0 else { throw ValidationError("Please specify a 'limit' of at least 1.") }
    }

    func run() throws {
      let reader = try storeOptions.openReader()
      guard let report = try DeviceReport.read(reader, id: id, limit: limit) else {
        throw CLIError("no device '\(id)' in the store (see `classgate devices`)")
      }
      let output = DeviceDetailOutput(now: Clock.wallMs(), time: storeOptions.schoolTime)
      if storeOptions.json {
        JSONOutput.print(output.json(report))
      } else {
        print(output.text(report))
      }
    }
  }
}

/// `classgate device ID`'s text and its `--json` shape (docs/cli.md).
struct DeviceDetailOutput {
  let now: EpochMillis
  let time: SchoolTime

  func json(_ report: DeviceReport) -> JSONValue {
    guard case .object(var document) = DeviceOutput.json(report.device, now: now, time: time) else {
      return .null
    }
    document["status_changes"] = .array(
      report.statusChanges.map { change in
        .object(
          JSONObject([
            ("time", .string(time.text(change.time))),
            ("status", .string(change.status.rawValue)), ("cause", .string(change.cause)),
          ]))
      })
    document["events"] = .array(
      report.events.map { event in
        let data = (try? JSONParser.parse(event.data)) ?? .string(event.data)
        return .object(
          JSONObject([
            ("time", .string(time.text(event.time))), ("type", .string(event.type)),
            ("data", data),
          ]))
      })
    return .object(document)
  }

  func text(_ report: DeviceReport) -> String {
    let device = report.device
    var lines = [
      "Device   \(Terminal.clean(device.id))" + (device.name.map { "  (\(Terminal.clean($0)))" } ?? ""),
      "Kind     \(device.kind.rawValue)",
      "Room     \(Terminal.clean(device.room ?? "?"))",
      "Profile  \(Terminal.clean(device.profile))",
      "Status   \(device.status.rawValue) since \(device.statusSince.map { time.text($0) } ?? "-")",
      "Seen     \(TimeText.ago(device.lastSeen, now: now)) (first \(time.text(device.firstSeen)))",
      "",
    ]
    var values = TextTable(headers: ["METRIC", "VALUE", "UNIT", "AT"])
    for value in device.values {
      values.append([
        value.metric, DeviceOutput.format(value.value), Metrics.unit(of: value.metric),
        TimeText.ago(value.time, now: now),
      ])
    }
    lines.append(device.values.isEmpty ? "No values yet." : values.render())
    var history = TextTable(headers: ["STATUS CHANGE", "TO", "CAUSE"])
    for change in report.statusChanges {
      history.append([time.text(change.time), change.status.rawValue, change.cause])
    }
    lines += ["", report.statusChanges.isEmpty ? "No status changes." : history.render()]
    var recent = TextTable(headers: ["EVENT", "TYPE", "DATA"])
    for event in report.events {
      recent.append([time.text(event.time), event.type, String(event.data.prefix(80))])
    }
    lines += ["", report.events.isEmpty ? "No events." : recent.render()]
    // Table cells are cleaned by TextTable; the rest is built from cleaned parts.
    return lines.joined(separator: "\n")
  }
}
