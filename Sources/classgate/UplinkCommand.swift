import Agent
import ArgumentParser
import Buffer
import DeviceModel
import EventLoop
import JSON
import Reports
import Uplink

extension ClassGate {
  struct UplinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "uplink",
      abstract: "Show the link to the operations centre: connected or not, queue, last acknowledged seq.",
      discussion: """
        Examples:
          classgate uplink
          classgate uplink --json
        """)

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
      let path = try storeOptions.resolvedPath()
      let reader = try storeOptions.openReader()
      let report = try UplinkReport.read(reader, connection: try StoreFile.openForReading(path: path))
      let output = UplinkOutput(now: Clock.wallMs(), time: storeOptions.schoolTime)
      if storeOptions.json {
        JSONOutput.print(output.json(report))
      } else {
        print(output.text(report))
      }
    }
  }
}

/// `classgate uplink`'s labelled lines and its `--json` shape (docs/cli.md).
struct UplinkOutput {
  let now: EpochMillis
  let time: SchoolTime

  func json(_ report: UplinkReport) -> JSONValue {
    func number(_ value: Int64?) -> JSONValue { value.map { .number(Double($0)) } ?? .null }
    // Each time twice: local ISO 8601 as every --json prints it, and the *_ms of schema 1.
    func time(_ value: Int64?) -> JSONValue { value.map { .string(self.time.text($0)) } ?? .null }
    let status = report.outbox
    let lanes = JSONObject(
      Outbox.Lane.allCases.map { ($0.rawValue, .number(Double(status.pendingByLane[$0] ?? 0))) })
    return .object(
      JSONObject([
        ("configured", .bool(report.configured)), ("connected", .bool(report.connected)),
        ("stream", report.stream.map(JSONValue.string) ?? .null),
        ("since", time(report.since)), ("since_ms", number(report.since)),
        ("queue_depth", .number(Double(status.pending))),
        ("queue_by_lane", .object(lanes)), ("oldest_pending_at", time(status.oldestPendingAt)),
        ("oldest_pending_ms", number(status.oldestPendingAt)),
        ("last_seq", number(status.lastSeq)), ("last_acked_seq", number(status.lastAckedSeq)),
        ("set_aside", .number(Double(status.setAside))),
        ("last_error", report.lastError.map(JSONValue.string) ?? .null),
        ("last_error_at", time(report.lastErrorAt)), ("last_error_ms", number(report.lastErrorAt)),
        ("summarised_until", time(report.summarisedUntil)),
        ("summarised_until_ms", number(report.summarisedUntil)),
        ("agent_heartbeat", time(report.agentHeartbeat)),
        ("agent_heartbeat_ms", number(report.agentHeartbeat)),
        ("store_used_bytes", number(report.storeUsedBytes)),
        ("store_cap_bytes", number(report.storeCapBytes)),
        (
          "evicted_rows",
          .object(
            JSONObject(report.evicted.sorted { $0.key < $1.key }.map { ($0.key, .number(Double($0.value))) })
          )
        ),
      ]))
  }

  func text(_ report: UplinkReport) -> String {
    let status = report.outbox
    var lines: [(String, String)] = []
    if !report.configured {
      lines.append(("IOC link", "never connected (is [ioc] configured and the agent running?)"))
    } else if report.connected {
      lines.append(("IOC link", "connected since \(TimeText.ago(report.since, now: now))"))
    } else {
      lines.append(("IOC link", "NOT connected, since \(TimeText.ago(report.since, now: now))"))
    }
    if let lastError = report.lastError {
      lines.append(
        ("Last error", "\(DisplayText.clean(lastError)) (\(TimeText.ago(report.lastErrorAt, now: now)))"))
    }
    let lanes = Outbox.Lane.allCases.map { "\($0.rawValue) \(status.pendingByLane[$0] ?? 0)" }
    lines.append(
      (
        "Queue",
        status.pending == 0
          ? "empty"
          : "\(status.pending) waiting (\(lanes.joined(separator: ", "))), oldest queued \(TimeText.ago(status.oldestPendingAt, now: now))"
      ))
    lines.append(
      (
        "Last seq",
        "\(status.lastSeq.map(String.init) ?? "none") (acknowledged up to \(status.lastAckedSeq.map(String.init) ?? "none")); stream \(report.stream ?? "none")"
      ))
    if status.setAside > 0 {
      lines.append(
        (
          "Set aside",
          "\(status.setAside) message(s) the IOC would not take: \(DisplayText.clean(status.setAsideReason ?? ""))"
        ))
    }
    if let summarisedUntil = report.summarisedUntil {
      lines.append(("Summarised", "up to \(time.text(summarisedUntil))"))
    }
    lines.append(("Agent", "last heartbeat \(TimeText.ago(report.agentHeartbeat, now: now))"))
    var store =
      "\(report.storeUsedBytes >> 20) MiB in use"
      + (report.storeCapBytes.map { " of a \($0 >> 20) MiB cap" } ?? "")
    if !report.evicted.isEmpty {
      store +=
        "; deleted to stay under it: "
        + report.evicted.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
    lines.append(("Store", store))
    return lines.map { $0.0.padding(12) + $0.1 }.joined(separator: "\n")
  }
}

extension String {
  fileprivate func padding(_ width: Int) -> String {
    count >= width ? self + " " : self + String(repeating: " ", count: width - count)
  }
}
