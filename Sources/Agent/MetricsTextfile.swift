import DeviceModel
import EventLoop
import Ingest
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
    metric(
      "classgate_backlog_messages", "gauge", "Messages received and not yet committed.",
      [("", Double(s.pendingMessages))])
    metric(
      "classgate_broker_connected", "gauge", "1 when connected to the local broker.",
      [("", s.brokerConnected ? 1 : 0)])
    metric("classgate_store_writable", "gauge", "0 while commits fail.", [("", s.storeWritable ? 1 : 0)])
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

  static func render(_ uplink: UplinkStage.Snapshot, now: Int64) -> String {
    let oldest = uplink.outbox.oldestPendingAt.map { Double(max(0, now - $0)) / 1000 } ?? 0
    let samples: [(String, String, String)] = [
      ("classgate_uplink_connected", "1 when connected to the IOC broker.", uplink.connected ? "1" : "0"),
      (
        "classgate_uplink_queue_messages", "Messages waiting for the IOC's acknowledgement.",
        String(uplink.outbox.pending)
      ),
      (
        "classgate_uplink_oldest_pending_seconds", "Age of the oldest unacknowledged message.", String(oldest)
      ),
      ("classgate_uplink_last_seq", "The last seq given to a message.", String(uplink.outbox.lastSeq ?? 0)),
      (
        "classgate_uplink_last_acked_seq", "The highest seq the IOC acknowledged.",
        String(uplink.outbox.lastAckedSeq ?? 0)
      ),
      (
        "classgate_store_used_bytes", "Bytes of the store in use (pages holding data).",
        String(uplink.storeUsedBytes ?? 0)
      ),
      ("classgate_store_cap_bytes", "The store's cap (store.max_mb).", String(uplink.storeCapBytes ?? 0)),
    ]
    let evicted =
      "# HELP classgate_evicted_rows_total Rows deleted to keep the store under its cap, by table.\n"
      + "# TYPE classgate_evicted_rows_total counter\n"
      + uplink.evicted.sorted { $0.key < $1.key }
      .map { "classgate_evicted_rows_total{table=\"\($0.key)\"} \($0.value)\n" }.joined()
    return evicted
      + samples.map { name, help, value in
        "# HELP \(name) \(help)\n# TYPE \(name) gauge\n\(name) \(value)\n"
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
