import Agent
import ArgumentParser
import Buffer
import DeviceModel
import EventLoop
import JSON
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
      let connection = try StoreFile.openForReading(path: path)
      let status = try Outbox(connection: connection).status()
      let state = try reader.meta(MetaKey.uplinkState).flatMap { try? JSONParser.parse($0) }
      let heartbeat = try reader.meta(MetaKey.agentHeartbeat).flatMap { Int64($0) }
      let summarisedUntil = try reader.meta(MetaKey.windowsSummarisedUntil).flatMap { Int64($0) }
      let used = try StoreCap.usedBytes(of: connection)
      let cap = try reader.meta(MetaKey.storeMaxBytes).flatMap { Int64($0) }
      let evicted = try StoreCap.evictedCounts(in: connection)
      let stream = try reader.meta(MetaKey.outboxStream)
      let now = Clock.wallMs()
      let connected = state?.value(atPath: "connected")?.boolValue ?? false
      let since = state?.value(atPath: "since_ms")?.doubleValue.map { Int64($0) }
      let lastError = state?.value(atPath: "last_error")?.stringValue
      let lastErrorAt = state?.value(atPath: "last_error_ms")?.doubleValue.map { Int64($0) }

      if storeOptions.json {
        func number(_ value: Int64?) -> JSONValue { value.map { .number(Double($0)) } ?? .null }
        // Each time twice: local ISO 8601 as every --json prints it, and the *_ms of schema 1.
        let schoolTime = storeOptions.schoolTime
        func time(_ value: Int64?) -> JSONValue { value.map { .string(schoolTime.text($0)) } ?? .null }
        let lanes = JSONObject(
          Outbox.Lane.allCases.map { ($0.rawValue, .number(Double(status.pendingByLane[$0] ?? 0))) })
        JSONOutput.print(
          (.object(
            JSONObject([
              ("configured", .bool(state != nil)), ("connected", .bool(connected)),
              ("stream", stream.map(JSONValue.string) ?? .null),
              ("since", time(since)), ("since_ms", number(since)),
              ("queue_depth", .number(Double(status.pending))),
              ("queue_by_lane", .object(lanes)), ("oldest_pending_at", time(status.oldestPendingAt)),
              ("oldest_pending_ms", number(status.oldestPendingAt)),
              ("last_seq", number(status.lastSeq)), ("last_acked_seq", number(status.lastAckedSeq)),
              ("set_aside", .number(Double(status.setAside))),
              ("last_error", lastError.map(JSONValue.string) ?? .null),
              ("last_error_at", time(lastErrorAt)), ("last_error_ms", number(lastErrorAt)),
              ("summarised_until", time(summarisedUntil)), ("summarised_until_ms", number(summarisedUntil)),
              ("agent_heartbeat", time(heartbeat)), ("agent_heartbeat_ms", number(heartbeat)),
              ("store_used_bytes", number(used)), ("store_cap_bytes", number(cap)),
              (
                "evicted_rows",
                .object(
                  JSONObject(evicted.sorted { $0.key < $1.key }.map { ($0.key, .number(Double($0.value))) })
                )
              ),
            ]))))
        return
      }

      var lines: [(String, String)] = []
      if state == nil {
        lines.append(("IOC link", "never connected (is [ioc] configured and the agent running?)"))
      } else if connected {
        lines.append(("IOC link", "connected since \(TimeText.ago(since, now: now))"))
      } else {
        lines.append(("IOC link", "NOT connected, since \(TimeText.ago(since, now: now))"))
      }
      if let lastError {
        lines.append(
          ("Last error", "\(DisplayText.clean(lastError)) (\(TimeText.ago(lastErrorAt, now: now)))"))
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
          "\(status.lastSeq.map(String.init) ?? "none") (acknowledged up to \(status.lastAckedSeq.map(String.init) ?? "none")); stream \(stream ?? "none")"
        ))
      if status.setAside > 0 {
        lines.append(
          (
            "Set aside",
            "\(status.setAside) message(s) the IOC would not take: \(DisplayText.clean(status.setAsideReason ?? ""))"
          ))
      }
      if let summarisedUntil {
        lines.append(("Summarised", "up to \(storeOptions.schoolTime.text(summarisedUntil))"))
      }
      lines.append(("Agent", "last heartbeat \(TimeText.ago(heartbeat, now: now))"))
      var store = "\(used >> 20) MiB in use" + (cap.map { " of a \($0 >> 20) MiB cap" } ?? "")
      if !evicted.isEmpty {
        store +=
          "; deleted to stay under it: "
          + evicted.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
      }
      lines.append(("Store", store))
      for (label, value) in lines {
        print(label.padding(12) + value)
      }
    }
  }
}

extension String {
  fileprivate func padding(_ width: Int) -> String {
    count >= width ? self + " " : self + String(repeating: " ", count: width - count)
  }
}
