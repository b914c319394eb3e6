import Agent
import EventLoop
import Logging
import MQTTClient
import TOML

/// `classgate-ioc.toml`: the IOC broker (TLS with the receiver's own certificate), the database
/// and the batch size. Every key can be overridden by `CLASSGATE_IOC_<SECTION>_<KEY>`.
public struct ReceiverConfig: Sendable {
  public var broker: MQTTOptions
  /// MQTT 5 shared-subscription group (`$share/<group>/…`) for summaries and events; nil: none.
  public var shareGroup: String?
  /// libpq connection string.
  public var conninfo: String
  /// Messages read, stored and committed together before their PUBACKs leave.
  public var batchMax: Int
  public var logLevel: Logger.Level
  /// `receiver.time_zone`: the zone the city view prints times in (nil: TZ or /etc/localtime).
  public var timeZone: String?
  /// `[web]`: the read-only city page; nil when the section is absent.
  public var web: WebSettings?

  static let knownKeys: [String: [String]] = [
    "": [],
    "broker": [
      "host", "port", "ca_file", "cert_file", "key_file", "client_id", "share_group", "keepalive_s",
      "reconnect_min_ms", "reconnect_max_ms", "receive_maximum",
    ],
    "database": ["conninfo"],
    "receiver": ["batch_max", "time_zone"],
    "web": ["listen"],
    "log": ["level"],
  ]

  /// `needsDatabase` false: only the broker is used (`classgate-ioc send`), conninfo is optional.
  public static func load(path: String, environment: [String: String], needsDatabase: Bool = true)
    throws(ConfigError) -> ReceiverConfig
  {
    let name = path.split(separator: "/").last.map(String.init) ?? path
    let root: TOMLTable
    switch readTextFile(path) {
    case .failure(let failure):
      throw ConfigError(problems: [.init(location: path, key: "", message: failure.message)])
    case .success(let text):
      do throws(TOMLError) {
        root = try TOMLParser.parse(text)
      } catch {
        throw ConfigError(problems: [
          .init(location: "\(name) line \(error.line)", key: "", message: error.message)
        ])
      }
    }
    var reader = ConfigReader(
      file: name, root: root, environment: environment, environmentPrefix: "CLASSGATE_IOC_")
    let config = read(&reader, needsDatabase: needsDatabase)
    reader.rejectUnknownKeys(known: knownKeys)
    guard reader.problems.isEmpty else { throw ConfigError(problems: reader.problems) }
    return config
  }

  private static func read(_ reader: inout ConfigReader, needsDatabase: Bool) -> ReceiverConfig {
    let host = reader.string("broker.host", default: nil)
    if host == nil { reader.report("broker.host", "required: the IOC broker's host name or address") }
    let port = reader.integer("broker.port", default: 8883, range: 1...65535)
    let caFile = requiredFile(&reader, "broker.ca_file", "the CA that signed the IOC broker's certificate")
    let certFile = requiredFile(&reader, "broker.cert_file", "the receiver's client certificate")
    let keyFile = requiredFile(&reader, "broker.key_file", "the receiver's private key")
    let clientID = reader.string("broker.client_id", default: "classgate-ioc") ?? "classgate-ioc"
    var shareGroup = reader.string("broker.share_group", default: nil)
    if let group = shareGroup, group.isEmpty || group.contains(where: { "/+#".contains($0) }) {
      reader.report("broker.share_group", "expected a name without / + #, found \"\(group.prefix(40))\"")
      shareGroup = nil
    }
    let minimumDelay = reader.integer("broker.reconnect_min_ms", default: 500, range: 10...600_000)
    let maximumDelay = reader.integer("broker.reconnect_max_ms", default: 30_000, range: 10...3_600_000)
    var options = MQTTOptions(
      host: host ?? "", port: Int32(port), clientID: clientID,
      keepAliveSeconds: Int32(reader.integer("broker.keepalive_s", default: 30, range: 5...3600)),
      protocolVersion: .v5, cleanSession: false,
      receiveMaximum: UInt16(reader.integer("broker.receive_maximum", default: 1000, range: 1...65535)),
      tls: MQTTOptions.TLS(caFile: caFile, certFile: certFile, keyFile: keyFile),
      reconnectDelay: Backoff(
        initialMs: Int64(minimumDelay), maximumMs: Int64(max(minimumDelay, maximumDelay))))
    options.backoffResetAfterMs = 30_000
    // One byte more than the limit: enough to tell a payload that is too large.
    options.maxPayloadCopy = UplinkValidator.maxPayloadBytes + 1
    let conninfo = reader.string("database.conninfo", default: nil)
    if conninfo == nil && needsDatabase {
      reader.report(
        "database.conninfo", "required: a libpq connection string, e.g. \"host=/run/postgresql dbname=ioc\"")
    }
    let level = reader.choice("log.level", default: LogLevelName.info, among: LogLevelName.allCases)
    let timeZone = reader.string("receiver.time_zone", default: nil)
    if let timeZone {
      do throws(ConfigError) {
        _ = try UplinkSetup.calendar(timeZone: timeZone, windowMinutes: 5, file: reader.file)
      } catch {
        for problem in error.problems { reader.report("receiver.time_zone", problem.message) }
      }
    }
    var web: WebSettings?
    if let listen = reader.string("web.listen", default: nil) {
      web = WebSettings(listen: listen)
      if web == nil {
        reader.report(
          "web.listen",
          "expected an address and port such as \"127.0.0.1:8480\" or \"[::1]:8480\", found \"\(listen.prefix(60))\""
        )
      }
    }
    return ReceiverConfig(
      broker: options, shareGroup: shareGroup, conninfo: conninfo ?? "",
      batchMax: reader.integer("receiver.batch_max", default: 500, range: 1...100_000), logLevel: level.level,
      timeZone: timeZone, web: web)
  }

  private static func requiredFile(_ reader: inout ConfigReader, _ key: String, _ what: String) -> String {
    guard let path = reader.string(key, default: nil) else {
      reader.report(key, "required: \(what)")
      return ""
    }
    if case .failure(let failure) = readTextFile(path) { reader.report(key, failure.message) }
    return path
  }

  /// The subscriptions: summaries and events shared when a group is set; presence never, since a
  /// new shared subscription gets no retained messages (MQTT 5) and presence is the retained state.
  public var subscriptions: [String] {
    let shared = shareGroup.map { "$share/\($0)/" } ?? ""
    return [
      "\(shared)ioc/v1/schools/+/summaries/#", "\(shared)ioc/v1/schools/+/events",
      "ioc/v1/schools/+/presence",
    ]
  }
}
