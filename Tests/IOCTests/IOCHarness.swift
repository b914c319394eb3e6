import Foundation
import PostgresClient
import TestSupport

/// The IOC side for one test: a PKI, a real mosquitto as the IOC broker (a TLS listener that
/// requires client certificates, plus a plain loopback one for test publishers), a real
/// PostgreSQL, and `classgate-ioc run` configured for them.
final class IOCHarness: @unchecked Sendable {
  let pki = TemporaryDirectory(prefix: "classgate-ioc-pki")
  let broker: Broker
  let tlsPort = freeLoopbackPort()
  let database: PostgresServer
  let directory = TemporaryDirectory(prefix: "classgate-ioc")

  init(brokerConfig: String = "") throws {
    chmod(pki.path, 0o755)
    try makePKI(in: pki.path, name: "ioc", clientDays: 365, client: "test-school")
    broker = try Broker(extraConfig: tlsListenerConfig(port: tlsPort, pki: pki) + "\n" + brokerConfig)
    database = try PostgresServer()
    try database.createDatabase("ioc")
  }

  /// A receiver with its own certificate (CN ingest.ioc) and persistent session `clientID`.
  /// `webPort`: also serve the city page there (`[web]`), times in Asia/Ho_Chi_Minh.
  func receiver(
    clientID: String = "classgate-ioc-1", shareGroup: String? = nil, batchMax: Int = 500,
    webPort: Int32? = nil
  ) throws -> ReceiverProcess {
    let certificate = "receiver-\(clientID)"
    try makeClientCertificate(in: pki.path, name: "ioc", commonName: "ingest.ioc", file: certificate)
    let config = try directory.write(
      "\(clientID).toml",
      """
      [broker]
      host = "127.0.0.1"
      port = \(tlsPort)
      ca_file = "\(pki.file("ioc-ca.pem"))"
      cert_file = "\(pki.file("\(certificate).pem"))"
      key_file = "\(pki.file("\(certificate).key"))"
      client_id = "\(clientID)"
      reconnect_min_ms = 50
      reconnect_max_ms = 500
      \(shareGroup.map { "share_group = \"\($0)\"" } ?? "")

      [database]
      conninfo = "\(database.conninfo(database: "ioc"))"

      [receiver]
      batch_max = \(batchMax)
      \(webPort.map { "time_zone = \"Asia/Ho_Chi_Minh\"\n\n[web]\nlisten = \"127.0.0.1:\($0)\"" } ?? "")

      [log]
      level = "debug"
      """)
    return ReceiverProcess(configPath: config, logPath: directory.file("\(clientID).log"))
  }

  /// A connection to the receiver's database, for the test's own queries.
  func connect() throws -> PostgresConnection {
    try PostgresConnection(conninfo: database.conninfo(database: "ioc"))
  }

  func count(_ sql: String, on connection: PostgresConnection) throws -> Int {
    Int(try connection.query(sql).first?[0] ?? "-1") ?? -1
  }

  /// `classgate-ioc ARGS --conninfo …` to completion, in the IOC's zone Asia/Ho_Chi_Minh (TZ).
  func cli(_ arguments: [String]) throws -> CommandResult {
    try runExecutable(
      classgateIOCExecutable, arguments + ["--conninfo", database.conninfo(database: "ioc")],
      environment: ["TZ": "Asia/Ho_Chi_Minh"])
  }

  deinit {
    pki.remove()
    directory.remove()
  }
}

/// Events with distinct seqs, as a school's agent would send them (the example, renumbered).
func events(school: String, count: Int, firstSeq: Int = 1, stream: String = "00000000000000aa")
  -> [(topic: String, payload: String)]
{
  (0..<count).map { index in
    let seq = firstSeq + index
    return (
      "ioc/v1/schools/\(school)/events",
      """
      {"schema":"classgate.event","schema_version":1,"school_id":"\(school)","stream":"\(stream)","seq":\(seq),\
      "created_ms":\(1_795_827_670_012 + seq),"event":{"type":"device_status","device":"plug-\(seq % 50)",\
      "kind":"plug","room":"102","time_ms":\(1_795_827_670_000 + seq),"status":"offline","cause":"reported"}}
      """
    )
  }
}
