import Foundation
import TestSupport
import Testing

/// One agent per store, and a store that cannot be created is a configuration error (78) that
/// names `store.path`, not a raw SQLite error that systemd restarts in a loop.
@Suite("Store lock and store path", .serialized)
struct StoreAccessTests {
  /// `classgate run` as a child; waits up to `timeout` for it to exit (nil: still running, killed).
  func runToExit(_ config: String, log: String, timeout: Double = 15) throws -> Int32? {
    let child = try ChildProcess(
      executable: classgateExecutable, arguments: ["run", "--config", config],
      environment: ProcessInfo.processInfo.environment.filter {
        $0.key != "JOURNAL_STREAM" && $0.key != "INVOCATION_ID"
      }, outputPath: log)
    if let status = child.wait(timeout: timeout) { return status }
    child.signal(SIGKILL)
    _ = child.wait(timeout: 5)
    return nil
  }

  @Test func aSecondAgentOnTheSameStoreNamesThePIDAndExits78WhileTheCLIKeepsWorking() throws {
    let harness = try AgentHarness()
    try harness.startAgent()
    try harness.publisher().publish(topic: "classgate/101/env_sensor/e-1/telemetry", payload: "{\"co2\":812}")
    #expect(waitUntil(timeout: 10) { ((try? harness.reader().readingCount()) ?? 0) == 1 })

    let secondLog = harness.directory.file("second.log")
    let status = try runToExit(harness.agent.configPath, log: secondLog)
    let text = (try? String(contentsOfFile: secondLog, encoding: .utf8)) ?? ""
    #expect(status == 78, "\(text)")
    #expect(text.contains("another classgate agent (PID \(harness.agent.pid)) is already running"), "\(text)")
    #expect(text.contains(harness.storePath + ".lock"))
    // The first one never noticed: still running, its broker session never taken over.
    #expect(harness.agent.isRunning)
    #expect(harness.occurrences(of: "Subscribed") == 1, "\(harness.agent.log)")

    // Read-only commands beside the running agent.
    for command in [["devices"], ["stats"], ["uplink"]] {
      let result = try harness.cli(command)
      #expect(result.status == 0, "\(command): \(result.stderr)")
    }
    #expect(try harness.cli(["devices"]).stdout.contains("e-1"))
    let doctor = try runClassgate(["doctor", "--config", harness.agent.configPath])
    #expect(doctor.stdout.contains("quick_check ok"), "\(doctor.stdout)")
    #expect(!doctor.stdout.contains("locked"))
    // The lock goes with the process, whatever way it ends: a kill -9 does not block a restart.
    harness.agent.stop(signal: SIGKILL)
    try harness.startAgent(subscribedCount: 2)
    #expect(harness.agent.isRunning)
    #expect(harness.agent.stop(signal: SIGTERM) == 0)
  }

  @Test(
    "a store that cannot be created exits 78 naming store.path and a fix", arguments: ["missing", "file"])
  func storePathThatCannotBeCreated(_ kind: String) throws {
    let directory = TemporaryDirectory(prefix: "classgate-storepath")
    defer { directory.remove() }
    let broker = try Broker()
    let parent: String
    switch kind {
    case "missing": parent = directory.file("no/such/dir")
    default: parent = try directory.write("plainfile", "not a directory\n")
    }
    let config = try directory.write(
      "classgate.toml",
      """
      school_id = "s1"
      time_zone = "Asia/Ho_Chi_Minh"
      [local_broker]
      host = "127.0.0.1"
      port = \(broker.port)
      [store]
      path = "\(parent)/classgate.db"
      """)
    let log = directory.file("agent.log")
    let status = try runToExit(config, log: log)
    let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
    #expect(status == 78, "\(text)")
    #expect(text.contains("key 'store.path'"), "\(text)")
    #expect(text.contains(config), "\(text)")
    #expect(!text.contains("SQLite error"), "\(text)")
    #expect(text.contains(kind == "missing" ? "install -d -o classgate" : "is not a directory"), "\(text)")
  }
}
