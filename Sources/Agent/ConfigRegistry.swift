import Buffer
import MQTTClient

/// One key of the agent's configuration: its type, default, range and what it means. The agent
/// reads with these defaults and ranges, `doctor` and the read-only commands (`ConfigPeek`) use
/// the same defaults, and `classgate config sample`/`show` and docs/configuration.md's table are
/// written from them, so none of them can disagree.
public struct ConfigKey: Sendable {
  public enum Kind: Sendable, Equatable {
    case string
    /// A file or directory the agent opens.
    case path
    case integer(ClosedRange<Int>)
    case choice([String])
    /// In the environment, `:`-separated like PATH.
    case stringList
    /// A list of integers in the range.
    case integerList(ClosedRange<Int>)
    /// An array of tables (`[[timetable.term]]`) with these keys, read by its own code.
    case tableArray([String])
    /// `true` or `false` (in the environment also 1/0, yes/no).
    case boolean
  }

  /// Dotted: `local_broker.port`; no dot for the top level (`school_id`).
  public let key: String
  public let kind: Kind
  /// The value when the key is absent, written as in TOML (`1883`, `"127.0.0.1"`); nil: none.
  public let defaultValue: String?
  /// The default in words where it is derived from other keys (`classgate-<school_id>`).
  public let defaultNote: String?
  public let doc: String
  /// Whether a `CLASSGATE_*` variable overrides it (not for lists of times, nor tables).
  public let hasEnvironment: Bool
  /// The sample's lines for it instead of `name = default` (an array of tables' example).
  public let example: [String]

  init(
    _ key: String, _ kind: Kind, default defaultValue: String?, note: String? = nil,
    environment: Bool = true, doc: String, example: [String] = []
  ) {
    self.key = key
    self.kind = kind
    self.defaultValue = defaultValue
    self.defaultNote = note
    self.doc = doc
    if case .tableArray = kind { hasEnvironment = false } else { hasEnvironment = environment }
    self.example = example
  }

  /// `CLASSGATE_LOCAL_BROKER_PORT` for `local_broker.port`.
  public var environmentName: String { ConfigReader.environmentName(of: key) }

  /// `local_broker` for `local_broker.port`, "" for a top-level key.
  public var section: String { key.contains(".") ? String(key.prefix { $0 != "." }) : "" }

  /// The TOML table it is written in: `timetable.morning` for `timetable.morning.start`.
  public var table: String { key.split(separator: ".").dropLast().joined(separator: ".") }

  /// Its name in its section's table: `morning` for `timetable.morning.start`.
  var member: String { key.split(separator: ".").dropFirst().first.map(String.init) ?? key }

  /// `port` for `local_broker.port`.
  public var name: String { String(key.split(separator: ".").last ?? "") }

  /// The integer default (integer keys always have one).
  var integerDefault: Int { Int(defaultValue ?? "") ?? 0 }

  /// A list default (`["a", "b"]`) as its strings.
  var listDefault: [String] {
    (defaultValue ?? "").split(separator: "\"").enumerated().filter { $0.offset % 2 == 1 }.map {
      String($0.element)
    }
  }

  /// The default as a string value, without TOML's quotes.
  var stringDefault: String? {
    guard let text = defaultValue, text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 else {
      return nil
    }
    return String(text.dropFirst().dropLast())
  }
}

/// Every key of classgate.toml, in the order the sample and the docs list them.
public enum ConfigRegistry {
  /// The password itself, for containers; only from the environment, never printed.
  public static let passwordVariable = "CLASSGATE_LOCAL_BROKER_PASSWORD"

  public static subscript(key: String) -> ConfigKey {
    guard let entry = byKey[key] else { preconditionFailure("\(key) is not in ConfigRegistry.keys") }
    return entry
  }

  static let byKey = Dictionary(uniqueKeysWithValues: keys.map { ($0.key, $0) })

  /// Section → its keys, subtables and arrays of tables, for rejecting unknown keys in the file.
  static var knownKeys: [String: [String]] {
    var sections: [String: [String]] = [:]
    for key in keys where !(sections[key.section]?.contains(key.member) ?? false) {
      sections[key.section, default: []].append(key.member)
    }
    return sections
  }

  /// The keys of a subtable (`[timetable.morning]`), in order.
  static func keys(inTable table: String) -> [String] {
    keys.filter { $0.table == table }.map(\.name)
  }

  public static let keys: [ConfigKey] = generalKeys + timetableKeys

  static let generalKeys: [ConfigKey] = [
    .init(
      "school_id", .string, default: nil, note: "(required)",
      doc: "1–64 of `A–Z a–z 0–9 - _`"),
    .init(
      "time_zone", .string, default: #""Asia/Ho_Chi_Minh""#,
      doc: "IANA zone (rollups align to it)"),
    .init(
      "local_broker.host", .string, default: #""127.0.0.1""#,
      doc: "the school's mosquitto"),
    .init(
      "local_broker.port", .integer(1...65535), default: "1883",
      doc: "the school broker's port"),
    .init(
      "local_broker.client_id", .string, default: nil, note: "`classgate-<school_id>`",
      doc: "must be stable: the broker keeps this session"),
    .init(
      "local_broker.username", .string, default: nil,
      doc: "the account the agent logs in with"),
    .init(
      "local_broker.password_file", .path, default: nil,
      doc: "file with the password; refused if group or other users can access it (`chmod 600`)"),
    .init(
      "local_broker.protocol", .choice(MQTTOptions.ProtocolVersion.allCases.map(\.rawValue)),
      default: #""mqtt5""#,
      doc: "MQTT version spoken to the school's broker"),
    .init(
      "local_broker.keepalive_s", .integer(5...3600), default: "30",
      doc: "MQTT keepalive with the school's broker, seconds"),
    .init(
      "local_broker.qos", .integer(0...1), default: "1",
      doc: "subscription QoS, 0 or 1"),
    .init(
      "local_broker.receive_maximum", .integer(1...65535), default: "10000", note: "`10000` (`20` for 3.1.1)",
      doc:
        "QoS 1 messages in flight (half of it, up to `store.max_batch`, is the PUBACK batch: one fsync per batch); with MQTT 3.1.1 set it to the broker's `max_inflight_messages`"
    ),
    .init(
      "local_broker.reconnect_min_ms", .integer(10...60_000), default: "500",
      doc: "first reconnect delay"),
    .init(
      "local_broker.reconnect_max_ms", .integer(100...600_000), default: "30000",
      doc: "cap of the exponential backoff (full jitter)"),
    .init(
      "native.prefix", .string, default: #""classgate""#,
      doc: "topic prefix of the native protocol"),
    .init(
      "profiles.directories", .stringList,
      default: #"["/usr/share/classgate/devices", "/etc/classgate/devices"]"#,
      doc: "profile directories, shipped first; a later profile of the same name wins"),
    .init(
      "inventory.path", .path, default: nil,
      doc: "the school inventory (rooms, device labels, plug thresholds)"),
    .init(
      "store.path", .path, default: #""/var/lib/classgate/classgate.db""#,
      doc: "the SQLite store"),
    .init(
      "store.checkpoint_pages", .integer(1...1_000_000), default: "1000",
      doc:
        "WAL pages after which SQLite checkpoints them into the store (`wal_autocheckpoint`, ≈ 4 MiB by default)"
    ),
    .init(
      "store.max_mb", .integer(1...10_000_000), default: "2048",
      doc:
        "the store's cap. From 90 % of it the oldest data is deleted down to 80 %: raw readings of summarised periods first, then dead letters, events, status history, window usage older than a week, delivered outbox rows — undelivered outbox messages only as a last resort (logged as an error, counted, and a FAIL in `classgate doctor`). SQLite never grows the file past the cap: at the cap, commits fail and are retried like on a full disk (QoS 1 messages wait at the broker)"
    ),
    .init(
      "store.durability", .choice(StoreFile.Durability.allCases.map(\.rawValue)), default: #""full""#,
      doc: "`full`: fsync per commit, survives power loss; `normal`: survives a crash only"),
    .init(
      "store.commit_window_ms", .integer(1...10_000), default: "1000",
      doc:
        "longest a message waits in memory before its batch commits: the QoS 0 loss bound. At a school's ~30 msg/s a commit then carries ~30 messages (a few pages written, not a few per message); a backlog fills `store.max_batch` first (docs/storage.md)"
    ),
    .init(
      "store.max_batch", .integer(1...100_000), default: "5000",
      doc: "most messages per transaction"),
    .init(
      "store.max_batch_kb", .integer(64...1_048_576), default: "4096",
      doc: "most payload bytes held in memory for one transaction, whatever `store.max_batch` is"),
    .init(
      "store.state_flush_s", .integer(1...3600), default: "30",
      doc:
        "how often latest values and `last_seen` are written (counters and the heartbeat: every 5 s). The CLI adds the log rows written since, so it is never behind; after a `kill -9` they are rebuilt from the log (docs/storage.md)"
    ),
    .init(
      "store.max_dead_letters", .integer(0...10_000_000), default: "10000",
      doc: "dead letters kept"),
    .init(
      "devices.stale_after_s", .integer(1...7 * 86_400), default: "600",
      doc: "silence after which an online device is `stale`"),
    .init(
      "devices.max", .integer(1...1_000_000), default: "5000",
      doc:
        "most devices the store keeps: a message from a new device past it is a `device_limit` dead letter (known devices are never refused)"
    ),
    .init(
      "devices.max_new_per_minute", .integer(1...1_000_000), default: "2000",
      doc:
        "most new devices in one minute from one topic family (the profile that decoded them); past it, `device_limit` dead letters, logged once a minute (\"New devices refused\")"
    ),
    .init(
      "ingest.max_payload_bytes", .integer(256...16 * 1024 * 1024), default: "65536",
      doc: "larger payloads are dead letters"),
    .init(
      "metrics.textfile", .path, default: nil,
      doc:
        "Prometheus node_exporter textfile, rewritten atomically every 5 s: messages, readings, duplicates, dead letters by reason, devices by status, commits and their duration, backlog, broker connected, store writable"
    ),
    .init(
      "ioc.host", .string, default: nil,
      doc: "the operations centre's MQTT broker (TLS); with it, the three files below are required"),
    .init(
      "ioc.port", .integer(1...65535), default: "8883",
      doc: "the IOC broker's TLS port"),
    .init(
      "ioc.ca_file", .path, default: nil,
      doc: "CA that signed the IOC broker's certificate (server verification is always on)"),
    .init(
      "ioc.cert_file", .path, default: nil,
      doc: "this school's client certificate"),
    .init(
      "ioc.key_file", .path, default: nil,
      doc: "its key; refused if group or other users can access it (`chmod 600`)"),
    .init(
      "ioc.keepalive_s", .integer(5...3600), default: "60",
      doc: "MQTT keepalive with the IOC, seconds"),
    .init(
      "ioc.reconnect_min_ms", .integer(10...60_000), default: "1000",
      doc: "first reconnect delay after the IOC link drops"),
    .init(
      "ioc.reconnect_max_ms", .integer(100...3_600_000), default: "60000",
      doc: "cap of the exponential backoff (full jitter)"),
    .init(
      "ioc.max_in_flight", .integer(1...1000), default: "20",
      doc: "QoS 1 messages sent and not yet acknowledged"),
    .init(
      "ioc.max_messages_per_s", .integer(1...100_000), default: "500",
      doc: "drain rate after an outage (both lanes together; events and summaries take turns)"),
    .init(
      "ioc.max_message_kb", .integer(16...262_144), default: "256",
      doc:
        "largest summary message; a larger one is sent in parts (`part`/`parts`, docs/uplink.md). Keep it under the IOC broker's packet limit (EMQX: 1 MB by default). A message the broker still refuses — it closes the link three times, soon after connecting, while that message is the largest unacknowledged one, or MQTT 5 says it is over its maximum packet size — is set aside (`classgate uplink` shows it) so the rest of the queue flows"
    ),
    .init(
      "ioc.presence_interval_s", .integer(5...3600), default: "60",
      doc: "how often the retained presence/health message is refreshed"),
    .init(
      "ioc.commands", .boolean, default: "true",
      doc:
        "answer the IOC's commands (`ping`, `resend`, `report`) on `ioc/v1/schools/<school_id>/commands`; `false`: not subscribed (docs/uplink.md, Commands)"
    ),
    .init(
      "rollup.window_minutes", .integer(1...1440), default: "5",
      doc: "a divisor of 1440; windows are aligned to the school's local wall clock (`time_zone`)"),
    .init(
      "rollup.grace_s", .integer(0...3600), default: "60",
      doc: "a window is summarised this long after it ends"),
    .init(
      "rollup.late_settle_s", .integer(0...3600), default: "10",
      doc:
        "data for an already summarised window is revised once it has stopped arriving this long (at most 5 minutes later)"
    ),
    .init(
      "rollup.co2_above_ppm", .integer(0...100_000), default: "1000",
      doc: "CO2 threshold for \"minutes above\" and real-time alerts; `0` turns it off"),
    .init(
      "rollup.temperature_above_c", .integer(0...100_000), default: "32",
      doc: "temperature threshold (°C), as above"),
    .init(
      "rollup.noise_above_dba", .integer(0...100_000), default: "0",
      doc: "noise threshold (dBA), as above"),
    .init(
      "rollup.humidity_above_pct", .integer(0...100_000), default: "0",
      doc: "humidity threshold (%), as above"),
    .init(
      "log.level", .choice(LogLevelName.allCases.map(\.rawValue)), default: #""info""#,
      doc: "the least severe log level written"),
    .init(
      "privacy.secret_file", .path, default: nil,
      doc:
        "the school's card secret (≥ 16 bytes, used as they are): card ids become `hmac:` pseudonyms keyed with it. Refused if missing, shorter than 16 bytes, or accessible by group or other users. Without it card ids are dropped and distinct cards cannot be counted (`classgate doctor` warns)"
    ),
    .init(
      "privacy.scan_retention_days", .integer(1...3650), default: "30",
      doc: "raw `card_scan` events older than this many days are deleted"),
    .init(
      "pjlink.connect_timeout_ms", .integer(100...60_000), default: "3000",
      doc: "longer, and the projector is unreachable (`offline`)"),
    .init(
      "pjlink.response_timeout_ms", .integer(100...60_000), default: "5000",
      doc: "for the greeting and each answer"),
    .init(
      "pjlink.max_backoff_s", .integer(1...86_400), default: "300",
      doc: "longest wait between attempts at an unreachable projector"),
    .init(
      "pjlink.broker_username", .string, default: nil, note: "`local_broker.username`",
      doc: "the broker account `classgate pjlink` publishes with"),
    .init(
      "pjlink.broker_password_file", .path, default: nil, note: "`local_broker`'s password",
      doc: "its password; refused if group or other users can access it"),
    .init(
      "pjlink.projector", .tableArray(["id", "room", "host", "port", "password_file", "interval_s"]),
      default: nil,
      doc:
        "`[[pjlink.projector]]` tables: the projectors `classgate pjlink` polls (docs/configuration.md, \"Projectors over PJLink\")",
      example: ["[[pjlink.projector]]", #"id = "proj-101""#, #"room = "101""#, #"host = "10.10.1.101""#]),
  ]
}
