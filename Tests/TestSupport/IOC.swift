import Foundation
import MQTTClient

/// Certificates made by openssl for one test (scripts/make-pki.sh, as the demo uses): a CA, a
/// server certificate for 127.0.0.1 and a client certificate (CN = `client`) valid for
/// `clientDays` (0: expired yesterday).
public func makePKI(in directory: String, name: String, clientDays: Int, client: String = "school-42")
  throws
{
  let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../scripts/make-pki.sh").standardized.path
  let days = clientDays > 0 ? clientDays : -1
  let result = try runShell("'\(script)' '\(directory)' '\(name)' '\(client)' \(days) 2>&1")
  guard result.status == 0 else { throw TestFailure("make-pki.sh failed: \(result.stdout)") }
}

/// mosquitto lines for a TLS listener that requires a client certificate from `name`'s PKI.
public func tlsListenerConfig(port: Int32, pki: TemporaryDirectory, name: String = "ioc") -> String {
  """
  listener \(port) 127.0.0.1
  cafile \(pki.file("\(name)-ca.pem"))
  certfile \(pki.file("\(name)-server.pem"))
  keyfile \(pki.file("\(name)-server.key"))
  require_certificate true
  """
}

/// The IOC side: subscribes to every school's topics on the IOC broker (plain loopback listener,
/// persistent session) and keeps what arrives. Driven by the test with `pump`.
public final class IOCObserver: @unchecked Sendable {
  public private(set) var received: [MQTTMessage] = []
  private let connection: MQTTConnection

  public init(port: Int32, clientID: String = "ioc-observer") throws {
    connection = try MQTTConnection(
      options: MQTTOptions(
        host: "127.0.0.1", port: port, clientID: clientID, keepAliveSeconds: 10,
        protocolVersion: .v311, cleanSession: false,
        reconnectDelay: Backoff(initialMs: 50, maximumMs: 300)))
    connection.subscribe("ioc/v1/schools/#", qos: 1)
  }

  /// Runs the connection for up to `seconds`, or until `until` holds.
  @discardableResult
  public func pump(for seconds: Double, until: (IOCObserver) -> Bool = { _ in false }) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      connection.pump(waitMs: 10, nowMs: Int64(Date().timeIntervalSince1970 * 1000))
      received += connection.takeMessages()
      _ = connection.takeEvents()
      if until(self) { return true }
    }
    return until(self)
  }

  /// Parsed JSON payloads of messages whose topic ends with `suffix`.
  public func documents(endingWith suffix: String) -> [[String: Any]] {
    received.filter { $0.topic.hasSuffix(suffix) }.compactMap {
      try? JSONSerialization.jsonObject(with: Data($0.payload)) as? [String: Any]
    }
  }

  /// Every seq received (with repeats), in arrival order, per lane.
  public func seqs(lane suffix: String? = nil) -> [Int] {
    received.filter { !$0.topic.hasSuffix("/presence") && (suffix == nil || $0.topic.contains(suffix!)) }
      .compactMap {
        (try? JSONSerialization.jsonObject(with: Data($0.payload)) as? [String: Any])?["seq"] as? Int
      }
  }

  /// Writes `topic<TAB>payload` lines for scripts/validate-uplink.py.
  public func write(to path: String) throws {
    let lines = received.map { $0.topic + "\t" + String(decoding: $0.payload, as: UTF8.self) }
    try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
  }

  public func close() { connection.close() }
}
