import Buffer
import Foundation
import TestSupport

/// A broker, a store and a running `classgate run`, for one scenario.
final class AgentHarness: @unchecked Sendable {
  let broker: Broker
  let directory = TemporaryDirectory(prefix: "classgate-agent")
  let agent: AgentProcess
  var storePath: String { directory.file("classgate.db") }
  let configPath: String

  /// `wrapper`: a command the agent runs under (`faketime -f -365d`, to give it a wrong clock).
  init(config extra: String = "", brokerConfig: String = "", wrapper: [String] = []) throws {
    broker = try Broker(extraConfig: brokerConfig)
    let config = try directory.write(
      "classgate.toml",
      """
      school_id = "test-school"
      time_zone = "Asia/Ho_Chi_Minh"

      [local_broker]
      host = "127.0.0.1"
      port = \(broker.port)
      reconnect_min_ms = 50
      reconnect_max_ms = 500

      [store]
      path = "\(directory.file("classgate.db"))"
      \(extra)
      """)
    agent = AgentProcess(configPath: config, logPath: directory.file("agent.log"), wrapper: wrapper)
    configPath = config
  }

  /// Starts the agent and waits until it is subscribed (messages sent earlier would not be queued).
  func startAgent(subscribedCount: Int = 1) throws {
    try agent.start()
    guard waitUntil(timeout: 20, { self.occurrences(of: "Subscribed") >= subscribedCount }) else {
      throw TestFailure("agent did not subscribe; log:\n\(agent.log)")
    }
  }

  func occurrences(of text: String) -> Int {
    agent.log.components(separatedBy: text).count - 1
  }

  func publisher(_ clientID: String = "device-\(UUID().uuidString.prefix(8))") throws -> TestPublisher {
    try TestPublisher(port: broker.port, clientID: clientID)
  }

  func reader() throws -> StoreReader { try StoreReader(path: storePath) }

  func cli(_ arguments: [String]) throws -> CommandResult {
    try runClassgate(arguments + ["--store", storePath])
  }

  deinit {
    agent.stop(signal: SIGKILL)
    directory.remove()
  }
}

/// `{"seq": i, "ts": base + i}`: every message distinct, so completeness is checkable.
func sequenceMessages(device: String, count: Int, base: Int64, room: String = "101")
  -> [(topic: String, payload: String)]
{
  (0..<count).map { index in
    (
      "classgate/\(room)/env_sensor/\(device)/telemetry",
      "{\"ts\":\(base + Int64(index)),\"seq\":\(index),\"co2\":\(400 + index % 600)}"
    )
  }
}

func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
