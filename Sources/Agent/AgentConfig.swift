import Buffer
import Decode
import EventLoop
import Ingest
import Logging
import MQTTClient
import PJLink
import Rollup
import TOML
import Uplink

#if canImport(Glibc)
  import Glibc
#endif

/// The agent's whole configuration: one TOML file, every key overridable by environment
/// (`CLASSGATE_<SECTION>_<KEY>`). See docs/configuration.md for each key.
public struct AgentConfig: Sendable {
  public var file: String
  public var schoolID: String
  public var timeZone: String
  public var broker: MQTTOptions
  public var brokerQoS: Int32
  public var nativePrefix: String
  /// Profile directories, shipped first, the site's last (a later profile of the same name wins).
  public var profileDirectories: [String]
  public var inventoryPath: String?
  /// node_exporter textfile to write every few seconds (e.g. /var/lib/prometheus/node-exporter/classgate.prom).
  public var metricsTextfile: String?
  /// The operations centre's broker (MQTT over TLS with a client certificate), if configured.
  public var ioc: MQTTOptions?
  public var storePath: String
  public var durability: StoreFile.Durability
  public var ingest: IngestSettings
  public var decodeLimits: DecodeLimits
  public var bufferLimits: BufferWriter.Limits
  public var logLevel: Logger.Level
  /// Card ids become pseudonyms keyed with the secret in `privacy.secret_file`; nil (no secret
  /// configured): they are dropped, and distinct cards cannot be counted. Never prints the secret.
  public var cardPseudonymizer: CardPseudonymizer?
  /// The file the secret was read from (for `classgate doctor`), nil when none is configured.
  public var cardSecretFile: String?
  /// `card_scan` events older than this many days are deleted from the store.
  public var scanRetentionDays: Int
  /// The store's cap: oldest data is deleted from 90 % of it (raw readings first), and SQLite
  /// never grows the file past it.
  public var storeMaxBytes: Int64 = 2048 << 20
  /// WAL pages between automatic checkpoints (SQLite's wal_autocheckpoint).
  public var checkpointPages = 1000
  /// Rollup windows, aligned to the school's wall clock; a divisor of a day.
  public var rollupWindowMinutes: Int = 5
  /// Rollup thresholds and grace, and the IOC publisher's pace.
  public var uplink = UplinkStage.Settings(
    summariser: .init(rollup: RollupSettings()), publisher: .init())
  /// Projectors polled over PJLink by `classgate pjlink` (none: the section is absent).
  public var pjlink = PJLinkSettings()

  /// The keys each section accepts (the registry's); anything else in the file is reported as
  /// unknown. `[timetable]`'s subtables check their own keys (`readTimetable`).
  static var knownKeys: [String: [String]] {
    ConfigRegistry.knownKeys
  }

  /// Reads and validates `path`. Every problem is reported at once, each naming file, line and key.
  public static func load(path: String, environment: [String: String]) throws(ConfigError)
    -> AgentConfig
  {
    let name = path.split(separator: "/").last.map(String.init) ?? path
    let text: String
    switch readTextFile(path) {
    case .success(let contents): text = contents
    case .failure(let failure):
      throw ConfigError(problems: [.init(location: path, key: "", message: failure.message)])
    }
    let root: TOMLTable
    do throws(TOMLError) {
      root = try TOMLParser.parse(text)
    } catch {
      throw ConfigError(problems: [
        .init(location: "\(name) line \(error.line)", key: "", message: error.message)
      ])
    }
    var reader = ConfigReader(file: name, root: root, environment: environment)
    var config = read(&reader, path: path)
    config?.rollupWindowMinutes = readRollupWindow(&reader)
    config?.uplink = readUplink(&reader)
    config?.storeMaxBytes = Int64(reader.integer("store.max_mb")) << 20
    config?.checkpointPages = reader.integer("store.checkpoint_pages")
    config?.pjlink = readPJLink(&reader)
    config?.uplink.summariser.timetable = readTimetable(&reader)
    reader.rejectUnknownKeys(known: knownKeys)
    reader.rejectUnknownEnvironment()
    guard reader.problems.isEmpty, let config else {
      throw ConfigError(problems: reader.problems)
    }
    return config
  }

  private static func read(_ reader: inout ConfigReader, path: String) -> AgentConfig? {
    let schoolID = reader.string("school_id", default: nil)
    if schoolID == nil {
      reader.report("school_id", "is required (e.g. school_id = \"hcm-q1-th-01\")")
    } else if let schoolID, !isValidSchoolID(schoolID) {
      reader.report("school_id", "expected 1-64 letters, digits, '-' or '_'")
    }
    let timeZone = reader.stringOrDefault("time_zone")
    if !isTimeZone(timeZone) {
      reader.report(
        "time_zone",
        "expected an IANA time zone such as \"Asia/Ho_Chi_Minh\", found \"\(timeZone.prefix(40))\"")
    }

    let host = reader.stringOrDefault("local_broker.host")
    let port = reader.integer("local_broker.port")
    let clientID =
      reader.string("local_broker.client_id", default: nil) ?? "classgate-\(schoolID ?? "agent")"
    let username = reader.string("local_broker.username", default: nil)
    let password = readPassword(&reader)
    let version = reader.choice("local_broker.protocol", as: MQTTOptions.ProtocolVersion.self)
    let keepalive = reader.integer("local_broker.keepalive_s")
    let qos = reader.integer("local_broker.qos")
    let receiveMaximum = reader.integer("local_broker.receive_maximum", default: version == .v5 ? 10_000 : 20)
    let reconnectMin = reader.integer("local_broker.reconnect_min_ms")
    let reconnectMax = reader.integer("local_broker.reconnect_max_ms")

    let prefix = reader.stringOrDefault("native.prefix")
    if prefix.isEmpty || prefix.contains("+") || prefix.contains("#") || prefix.hasSuffix("/") {
      reader.report("native.prefix", "expected topic levels without wildcards or a trailing '/'")
    }

    let profileDirectories = reader.strings(
      "profiles.directories", default: ConfigPeek.defaultProfileDirectories)
    let inventoryPath = reader.string("inventory.path", default: nil)
    let metricsTextfile = reader.string("metrics.textfile", default: nil)
    let ioc = readIOC(&reader, schoolID: schoolID)

    let storePath =
      reader.stringOrDefault("store.path")
    let durability = reader.choice("store.durability", as: StoreFile.Durability.self)
    let commitWindow = reader.integer("store.commit_window_ms")
    let maxBatch = reader.integer("store.max_batch")
    let maxBatchKB = reader.integer("store.max_batch_kb")
    let stateFlush = reader.integer("store.state_flush_s")
    let maxDeadLetters = reader.integer("store.max_dead_letters")
    let staleAfter = reader.integer("devices.stale_after_s")
    let maxDevices = reader.integer("devices.max")
    let maxNewDevices = reader.integer("devices.max_new_per_minute")
    let maxPayload = reader.integer("ingest.max_payload_bytes")
    let level = reader.choice("log.level", as: LogLevelName.self)
    let cardSecret = readCardSecret(&reader)
    let scanRetentionDays = reader.integer("privacy.scan_retention_days")

    guard let schoolID else { return nil }
    let filter = "\(prefix)/+/+/+/+"
    var config = AgentConfig(
      file: path, schoolID: schoolID, timeZone: timeZone,
      broker: MQTTOptions(
        host: host, port: Int32(port), clientID: clientID, username: username,
        password: password, keepAliveSeconds: Int32(keepalive), protocolVersion: version,
        cleanSession: false, receiveMaximum: UInt16(receiveMaximum),
        reconnectDelay: Backoff(
          initialMs: Int64(reconnectMin), maximumMs: Int64(max(reconnectMin, reconnectMax)))),
      brokerQoS: Int32(qos), nativePrefix: prefix, profileDirectories: profileDirectories,
      inventoryPath: inventoryPath, metricsTextfile: metricsTextfile, ioc: ioc, storePath: storePath,
      durability: durability,
      ingest: IngestSettings(
        commitWindowMs: Int64(commitWindow), maxBatch: maxBatch, maxBatchBytes: maxBatchKB << 10,
        ackBatch: max(1, min(maxBatch, receiveMaximum / 2)),
        staleAfterMs: Int64(staleAfter) * 1000,
        subscriptions: [.init(filter: filter, qos: Int32(qos))]),
      decodeLimits: DecodeLimits(maxPayloadBytes: maxPayload),
      bufferLimits: BufferWriter.Limits(
        maxDeadLetters: maxDeadLetters, stateFlushMs: Int64(stateFlush) * 1000),
      logLevel: level.level, cardPseudonymizer: cardSecret?.pseudonymizer, cardSecretFile: cardSecret?.file,
      scanRetentionDays: scanRetentionDays)
    config.ingest.maxDevices = maxDevices
    config.ingest.maxNewDevicesPerMinute = maxNewDevices
    // A payload over the limit is a dead letter: copying more of it than the limit is waste.
    config.broker.maxPayloadCopy = maxPayload
    return config
  }

  private static func readRollupWindow(_ reader: inout ConfigReader) -> Int {
    let minutes = reader.integer("rollup.window_minutes")
    if 1440 % minutes != 0 {
      reader.report("rollup.window_minutes", "expected a divisor of 1440 (a day), such as 5, 15 or 60")
      return 5
    }
    return minutes
  }

  /// `[rollup]` thresholds and grace, `[ioc]` pace. A threshold of 0 turns it off.
  private static func readUplink(_ reader: inout ConfigReader) -> UplinkStage.Settings {
    var thresholds: [String: Double] = [:]
    for (metric, key, _) in ConfigPeek.thresholdKeys {
      let value = reader.integer("rollup.\(key)")
      if value > 0 { thresholds[metric] = Double(value) }
    }
    let grace = reader.integer("rollup.grace_s")
    let settle = reader.integer("rollup.late_settle_s")
    let inFlight = reader.integer("ioc.max_in_flight")
    let rate = reader.integer("ioc.max_messages_per_s")
    let presence = reader.integer("ioc.presence_interval_s")
    let messageKB = reader.integer("ioc.max_message_kb")
    var settings = UplinkStage.Settings(
      summariser: .init(
        rollup: RollupSettings(thresholds: thresholds), graceMs: Int64(grace) * 1000,
        lateSettleMs: Int64(settle) * 1000, maxMessageBytes: messageKB << 10),
      publisher: .init(
        maxInFlight: inFlight, maxPerSecond: rate, presenceIntervalMs: Int64(presence) * 1000))
    settings.commands = reader.boolean("ioc.commands") ? .init() : nil
    return settings
  }

  /// `[ioc]`: all of host, CA, client certificate and key, or none. Server verification cannot be
  /// turned off; a key file other users can read is refused.
  private static func readIOC(_ reader: inout ConfigReader, schoolID: String?) -> MQTTOptions? {
    guard let host = reader.string("ioc.host", default: nil) else {
      for key in ["ca_file", "cert_file", "key_file"] where reader.string("ioc.\(key)", default: nil) != nil {
        reader.report("ioc.\(key)", "needs ioc.host too")
      }
      return nil
    }
    let port = reader.integer("ioc.port")
    let keepalive = reader.integer("ioc.keepalive_s")
    let reconnectMin = reader.integer("ioc.reconnect_min_ms")
    let reconnectMax = reader.integer("ioc.reconnect_max_ms")
    var files: [String: String] = [:]
    for key in ["ca_file", "cert_file", "key_file"] {
      guard let path = reader.string("ioc.\(key)", default: nil) else {
        reader.report("ioc.\(key)", "is required with ioc.host (TLS with a client certificate)")
        continue
      }
      guard access(path, R_OK) == 0 else {
        reader.report("ioc.\(key)", "cannot read \(path): \(String(cString: strerror(errno)))")
        continue
      }
      files[key] = path
    }
    if let key = files["key_file"] {
      var info = stat()
      // Group too: a key the group can read is a key other accounts can read.
      if stat(key, &info) == 0, info.st_mode & 0o077 != 0 {
        reader.report("ioc.key_file", "\(key) is readable by other users; run: chmod 600 \(key)")
      }
    }
    guard let ca = files["ca_file"], let cert = files["cert_file"], let key = files["key_file"] else {
      return nil
    }
    var options = MQTTOptions(
      host: host, port: Int32(port), clientID: "classgate-\(schoolID ?? "agent")",
      keepAliveSeconds: Int32(keepalive), protocolVersion: .v311, cleanSession: false,
      tls: .init(caFile: ca, certFile: cert, keyFile: key),
      reconnectDelay: Backoff(
        initialMs: Int64(reconnectMin), maximumMs: Int64(max(reconnectMin, reconnectMax))))
    // A link that drops right after connecting (a refused message, a twin box) backs off.
    options.backoffResetAfterMs = 30_000
    return options
  }

  /// The broker password comes from a file (never from the config itself, which is world-readable),
  /// or from CLASSGATE_LOCAL_BROKER_PASSWORD for containers.
  private static func readPassword(_ reader: inout ConfigReader) -> String? {
    if let password = reader.environment["CLASSGATE_LOCAL_BROKER_PASSWORD"] { return password }
    guard let file = reader.string("local_broker.password_file", default: nil) else { return nil }
    var info = stat()
    guard stat(file, &info) == 0 else {
      reader.report("local_broker.password_file", "cannot read \(file): \(String(cString: strerror(errno)))")
      return nil
    }
    guard info.st_mode & 0o077 == 0 else {
      reader.report(
        "local_broker.password_file",
        "\(file) is accessible by other users; run: chmod 600 \(file)")
      return nil
    }
    switch readTextFile(file) {
    case .success(let text): return text.trimmingTrailingNewlines()
    case .failure(let failure):
      reader.report("local_broker.password_file", failure.message)
      return nil
    }
  }

  /// `privacy.secret_file`: the per-school key of the card pseudonyms. Refused unless only its owner
  /// can read and write it, and it holds at least 16 bytes.
  private static func readCardSecret(_ reader: inout ConfigReader)
    -> (file: String, pseudonymizer: CardPseudonymizer)?
  {
    guard let file = reader.string("privacy.secret_file", default: nil) else { return nil }
    do throws(CardSecretError) {
      return (file, try loadCardSecret(file: file))
    } catch {
      reader.report("privacy.secret_file", error.description)
      return nil
    }
  }

  /// Why a card secret file was refused, as a sentence naming the file and the fix.
  public struct CardSecretError: Error, Sendable, CustomStringConvertible {
    public let description: String
  }

  /// Reads the card secret file as the agent does: its bytes, as they are, are the HMAC key (a
  /// trailing newline would be part of it). Shared with `classgate profiles test`.
  public static func loadCardSecret(file: String) throws(CardSecretError) -> CardPseudonymizer {
    let create =
      "head -c 32 /dev/urandom > \(file) && chmod 600 \(file) (owned by the user the agent runs as)"
    var info = stat()
    guard stat(file, &info) == 0 else {
      throw CardSecretError(
        description: "cannot read \(file): \(String(cString: strerror(errno))); create it: \(create)")
    }
    guard info.st_mode & S_IFMT == S_IFREG else {
      throw CardSecretError(description: "\(file) is not a regular file")
    }
    guard info.st_mode & 0o077 == 0 else {
      let mode = String(info.st_mode & 0o777, radix: 8)
      throw CardSecretError(
        description:
          "\(file) is accessible by other users (mode \(mode)); run: chmod 600 \(file)")
    }
    let bytes: [UInt8]
    switch readBinaryFile(file, maxBytes: 4096) {
    case .success(let contents): bytes = contents
    case .failure(let failure):
      throw CardSecretError(description: "\(failure.message); 32 random bytes are enough")
    }
    let count = bytes.count
    do throws(CardPseudonymizer.SecretError) {
      return try CardPseudonymizer(secret: bytes)
    } catch {
      throw CardSecretError(
        description:
          "\(file) holds \(count) bytes; at least \(CardPseudonymizer.minimumSecretBytes) are needed: \(create)"
      )
    }
  }

  /// A zone file in the system's tz database (not a directory, no path tricks).
  static func isTimeZone(_ name: String) -> Bool {
    guard !name.isEmpty, !name.hasPrefix("/"), !name.split(separator: "/").contains("..") else {
      return false
    }
    var info = stat()
    return stat("/usr/share/zoneinfo/\(name)", &info) == 0 && info.st_mode & S_IFMT == S_IFREG
  }

  static func isValidSchoolID(_ id: String) -> Bool {
    !id.isEmpty && id.utf8.count <= 64
      && id.utf8.allSatisfy { byte in
        (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
          || byte == 45 || byte == 95
      }
  }
}

/// `log.level` values, as swift-log names them.
public enum LogLevelName: String, CaseIterable, Sendable {
  case trace, debug, info, notice, warning, error, critical
  public var level: Logger.Level { Logger.Level(rawValue: rawValue) ?? .info }
}

extension String {
  /// Over bytes, so a CRLF ending (one Character in Swift) is removed too.
  func trimmingTrailingNewlines() -> String {
    var bytes = Array(utf8)
    while let last = bytes.last, last == 10 || last == 13 { bytes.removeLast() }
    return String(decoding: bytes, as: UTF8.self)
  }
}
