import DeviceModel
import EventLoop
import Ingest
import MQTTClient
import Uplink

#if canImport(Glibc)
  import Glibc
#endif

/// Writes the loop's statistics for node_exporter's textfile collector: a temp file in the same
/// directory, then rename(2), so the collector never reads half a file.
struct MetricsTextfile {
  let path: String

  /// node_exporter runs as another user (`prometheus`): the file must be world-readable whatever
  /// the unit's `UMask=0027` left on it.
  static let mode: mode_t = 0o644

  func write(_ statistics: IngestStage.Statistics, uplink: UplinkStage.Snapshot? = nil) -> Bool {
    let text = Self.render(statistics) + (uplink.map { Self.render($0, now: Clock.wallMs()) } ?? "")
    return Self.replace(path, with: text)
  }

  /// Writes `text` to a temp file beside `path`, sets its mode with fchmod (the umask only narrows
  /// open's mode) and renames it over `path`.
  static func replace(_ path: String, with text: String) -> Bool {
    let temporary = "\(path).tmp.\(getpid())"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
    guard descriptor >= 0 else { return false }
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
      if written < 0 && errno == EINTR { continue }
      guard written > 0 else { break }
      offset += written
    }
    let complete = offset == bytes.count && fchmod(descriptor, mode) == 0
    guard close(descriptor) == 0, complete, rename(temporary, path) == 0 else {
      unlink(temporary)
      return false
    }
    return true
  }

  static func render(_ s: IngestStage.Statistics) -> String {
    var lines: [String] = []
    func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: Double)])
    {
      lines.append("# HELP \(name) \(help)")
      lines.append("# TYPE \(name) \(type)")
      for sample in samples {
        let value =
          sample.value == sample.value.rounded() ? String(Int64(sample.value)) : String(sample.value)
        lines.append("\(name)\(sample.labels.isEmpty ? "" : "{\(sample.labels)}") \(value)")
      }
    }
    metric(
      "classgate_messages_received_total", "counter",
      "Messages received from the local broker and committed.",
      [("", Double(s.messagesReceived))])
    metric(
      "classgate_readings_stored_total", "counter", "Readings written to the store.",
      [("", Double(s.readingsStored))])
    metric(
      "classgate_duplicate_readings_total", "counter", "Redelivered readings dropped as duplicates.",
      [("", Double(s.duplicateReadings))])
    metric(
      "classgate_dead_letters_total", "counter", "Messages kept as dead letters, by reason.",
      DeadLetterReason.Code.allCases.map {
        ("reason=\"\($0.rawValue)\"", Double(s.deadLetters[$0.rawValue] ?? 0))
      })
    metric(
      "classgate_devices", "gauge", "Devices by status.",
      DeviceStatus.allCases.map { ("status=\"\($0.rawValue)\"", Double(s.devices[$0] ?? 0)) })
    metric("classgate_commits_total", "counter", "Store transactions committed.", [("", Double(s.commits))])
    metric(
      "classgate_commit_failures_total", "counter", "Store commits that failed (disk full, I/O).",
      [("", Double(s.commitFailures))])
    metric(
      "classgate_commit_seconds", "gauge", "Duration of the last commit.", [("", s.lastCommitSeconds)])
    metric(
      "classgate_commit_seconds_max", "gauge", "Longest commit since the previous write of this file.",
      [("", s.maxCommitSeconds)])
    lines.append("# HELP classgate_commit_duration_seconds Duration of store commits.")
    lines.append("# TYPE classgate_commit_duration_seconds histogram")
    for (bound, count) in s.commitLatency.cumulative {
      lines.append("classgate_commit_duration_seconds_bucket{le=\"\(bound)\"} \(count)")
    }
    lines.append("classgate_commit_duration_seconds_sum \(s.commitLatency.sum)")
    lines.append("classgate_commit_duration_seconds_count \(s.commitLatency.count)")
    metric(
      "classgate_broker_reconnects_total", "counter", "Connections to the local broker after the first.",
      [("", Double(max(0, s.brokerConnects - 1)))])
    metric(
      "classgate_reloads_total", "counter", "Reloads (SIGHUP) by result; a failed one keeps the running set.",
      [("result=\"ok\"", Double(s.reloadsSucceeded)), ("result=\"failed\"", Double(s.reloadsFailed))])
    metric(
      "classgate_build_info", "gauge", "Always 1; the agent's version and libmosquitto's as labels.",
      [("version=\"\(label(Agent.version))\",libmosquitto=\"\(label(libmosquittoVersion))\"", 1)])
    metric(
      "classgate_backlog_messages", "gauge", "Messages received and not yet committed.",
      [("", Double(s.pendingMessages))])
    metric(
      "classgate_broker_connected", "gauge", "1 when connected to the local broker.",
      [("", s.brokerConnected ? 1 : 0)])
    metric("classgate_store_writable", "gauge", "0 while commits fail.", [("", s.storeWritable ? 1 : 0)])
    metric(
      "classgate_devices_max", "gauge", "devices.max: new devices past it are dead letters (device_limit).",
      [("", Double(s.maxDevices))])
    metric(
      "classgate_clock_trusted", "gauge",
      "0 when the agent does not trust its wall clock (NTP unsynchronised, jumps, devices disagreeing).",
      [("", s.clockTrusted ? 1 : 0)])
    metric(
      "classgate_unmapped_fields_total", "counter",
      "Decoded fields not stored since the agent started, by profile, field and reason (not_mapped, unknown_unit).",
      s.notes.fields.sorted { $0.key < $1.key }.map { key, count in
        (
          "profile=\"\(label(key.profile))\",field=\"\(label(key.field))\",reason=\"\(key.reason.rawValue)\"",
          Double(count)
        )
      })
    metric(
      "classgate_messages_without_readings_total", "counter",
      "Telemetry messages that matched a profile and gave no reading, since the agent started, by profile.",
      s.notes.withoutReadings.sorted { $0.key < $1.key }.map {
        ("profile=\"\(label($0.key))\"", Double($0.value))
      })
    return lines.joined(separator: "\n") + "\n"
  }

  /// A Prometheus label value: `\\`, `"` and newlines escaped, other control characters dropped.
  static func label(_ text: String) -> String {
    var result = ""
    for scalar in DisplayText.clean(text).unicodeScalars {
      switch scalar {
      case "\\": result += "\\\\"
      case "\"": result += "\\\""
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result
  }

  /// The store against its cap, always; the IOC link only where one is configured (a school
  /// without one would otherwise fire every uplink-down alert).
  static func render(_ uplink: UplinkStage.Snapshot, now: Int64) -> String {
    var samples: [(name: String, type: String, help: String, value: String)] = [
      (
        "classgate_store_used_bytes", "gauge", "Bytes of the store in use (pages holding data).",
        String(uplink.storeUsedBytes ?? 0)
      ),
      (
        "classgate_store_cap_bytes", "gauge", "The store's cap (store.max_mb).",
        String(uplink.storeCapBytes ?? 0)
      ),
    ]
    if uplink.configured {
      let oldest = uplink.outbox.oldestPendingAt.map { Double(max(0, now - $0)) / 1000 } ?? 0
      samples += [
        (
          "classgate_uplink_connected", "gauge", "1 when connected to the IOC broker.",
          uplink.connected ? "1" : "0"
        ),
        (
          "classgate_uplink_queue_messages", "gauge", "Messages waiting for the IOC's acknowledgement.",
          String(uplink.outbox.pending)
        ),
        (
          "classgate_uplink_oldest_pending_seconds", "gauge", "Age of the oldest unacknowledged message.",
          String(oldest)
        ),
        (
          "classgate_uplink_last_seq", "gauge", "The last seq given to a message.",
          String(uplink.outbox.lastSeq ?? 0)
        ),
        (
          "classgate_uplink_last_acked_seq", "gauge", "The highest seq the IOC acknowledged.",
          String(uplink.outbox.lastAckedSeq ?? 0)
        ),
        (
          "classgate_uplink_messages_sent_total", "counter",
          "Messages published to the IOC since the agent started (resends included).",
          String(uplink.counts.sent)
        ),
        (
          "classgate_uplink_messages_acknowledged_total", "counter",
          "Messages the IOC acknowledged since the agent started.", String(uplink.counts.acknowledged)
        ),
        (
          "classgate_uplink_reconnects_total", "counter", "Connections to the IOC after the first.",
          String(max(0, uplink.counts.connects - 1))
        ),
      ]
    }
    let evicted =
      "# HELP classgate_evicted_rows_total Rows deleted to keep the store under its cap, by table.\n"
      + "# TYPE classgate_evicted_rows_total counter\n"
      + uplink.evicted.sorted { $0.key < $1.key }
      .map { "classgate_evicted_rows_total{table=\"\($0.key)\"} \($0.value)\n" }.joined()
    let commands =
      uplink.configured
      ? "# HELP classgate_commands_total IOC commands since the agent started, by command and outcome.\n"
        + "# TYPE classgate_commands_total counter\n"
        + uplink.commands.sorted { ($0.key.command, $0.key.outcome) < ($1.key.command, $1.key.outcome) }
        .map {
          "classgate_commands_total{command=\"\($0.key.command)\",outcome=\"\($0.key.outcome)\"} \($0.value)\n"
        }
        .joined() : ""
    return evicted + commands
      + samples.map { name, type, help, value in
        "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
      }
      .joined()
  }
}

/// The unmapped-field counts read back from a metrics textfile, for `classgate profiles unmapped`
/// (the agent keeps them in memory; the textfile is where it publishes them).
public enum UnmappedReport {
  public struct Row: Sendable, Equatable {
    public var profile: String
    public var field: String
    public var reason: String
    public var count: Int
  }

  /// (fields not stored, messages without readings by profile), largest counts first.
  public static func parse(_ text: String) -> (
    fields: [Row], withoutReadings: [(profile: String, count: Int)]
  ) {
    var fields: [Row] = []
    var without: [(profile: String, count: Int)] = []
    for line in text.split(separator: "\n") {
      for (name, isField) in [
        ("classgate_unmapped_fields_total{", true), ("classgate_messages_without_readings_total{", false),
      ]
      where line.hasPrefix(name) {
        guard let close = line.lastIndex(of: "}"),
          let count = Int(line[line.index(after: close)...].trimmingPrefix(" "))
        else { continue }
        let labels = self.labels(line[line.index(line.startIndex, offsetBy: name.count)..<close])
        if isField {
          fields.append(
            Row(
              profile: labels["profile"] ?? "", field: labels["field"] ?? "", reason: labels["reason"] ?? "",
              count: count))
        } else {
          without.append((labels["profile"] ?? "", count))
        }
      }
    }
    fields.sort { ($1.count, $0.profile, $0.field) < ($0.count, $1.profile, $1.field) }
    without.sort { $0.count > $1.count }
    return (fields, without)
  }

  /// `a="x",b="y \"q\""` → ["a": "x", "b": "y \"q\""].
  static func labels(_ text: Substring) -> [String: String] {
    var result: [String: String] = [:]
    var name = ""
    var value = ""
    var inValue = false
    var escaped = false
    for character in text {
      if inValue {
        if escaped {
          value.append(character == "n" ? "\n" : character)
          escaped = false
        } else if character == "\\" {
          escaped = true
        } else if character == "\"" {
          result[name] = value
          name = ""
          value = ""
          inValue = false
        } else {
          value.append(character)
        }
      } else if character == "\"" {
        inValue = true
      } else if character != "=" && character != "," {
        name.append(character)
      }
    }
    return result
  }
}
