import Foundation
import TestSupport
import Testing

@Suite("systemd integration", .serialized)
struct SystemdTests {
  @Test func notifiesReadyStatusWatchdogReloadingAndStopping() throws {
    let harness = try AgentHarness()
    let socket = try NotifySocket(directory: harness.directory)
    let agent = AgentProcess(
      configPath: harness.directory.file("classgate.toml"), logPath: harness.directory.file("notify.log"),
      environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "400000"])
    try agent.start()
    defer { agent.stop(signal: SIGKILL) }
    let startup = socket.receive(for: 1.5)
    #expect(startup.first?.hasPrefix("READY=1\nSTATUS=") == true)
    #expect(
      startup.contains {
        $0.hasPrefix("STATUS=") && $0.contains("devices online") && $0.contains("broker connected")
      })
    // WatchdogSec=0.4 s: pinged every 0.2 s from the loop.
    #expect(startup.filter { $0 == "WATCHDOG=1" }.count >= 4)

    kill(agent.pid, SIGHUP)
    let reload = socket.receive(for: 0.8)
    let reloading = reload.firstIndex(of: "RELOADING=1")
    #expect(reloading != nil)
    #expect(reload.firstIndex(of: "READY=1").map { $0 > (reloading ?? .max) } == true)

    kill(agent.pid, SIGTERM)
    let stopping = socket.receive(for: 0.8)
    #expect(stopping.contains("STOPPING=1"))
    #expect(agent.stop(signal: 0, timeout: 10) == 0)
  }

  @Test func underTheJournalLinesCarryAPriorityAndNoTimestamp() throws {
    let harness = try AgentHarness()
    let agent = AgentProcess(
      configPath: harness.directory.file("classgate.toml"), logPath: harness.directory.file("journal.log"),
      environment: ["JOURNAL_STREAM": "8:12345"])
    try agent.start()
    defer { agent.stop(signal: SIGKILL) }
    #expect(waitUntil(timeout: 10) { agent.log.contains("Subscribed") })
    let lines = agent.log.split(separator: "\n")
    #expect(lines.first?.hasPrefix("<5>ClassGate agent starting") == true)
    #expect(lines.allSatisfy { $0.first == "<" })  // a priority, never a timestamp of our own
    #expect(lines.contains { $0.hasPrefix("<6>Subscribed") })
  }

  @Test func withoutNotifySocketNothingIsSentAndTheAgentRuns() throws {
    let harness = try AgentHarness()
    try harness.startAgent()
    #expect(harness.agent.isRunning)
    #expect(harness.agent.stop(signal: SIGTERM) == 0)
  }

  @Test func theUnitScoresAtMostTwoInSystemdAnalyzeSecurity() throws {
    let unit = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Systemd/classgate.service").path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
    // --threshold is in tenths: 20 means an exposure of 2.0.
    process.arguments = ["security", "--offline=true", "--threshold=20", "--no-pager", unit]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "\(text)")
    let score = text.split(separator: "\n").last { $0.contains("Overall exposure level") }
      .flatMap { $0.split(separator: ":").last?.split(separator: " ").first }.flatMap { Double($0) }
    #expect(score != nil && score! <= 2.0, "\(text.suffix(300))")
  }

  /// `systemctl reload` runs the unit's ExecReload= lines in order and fails at the first that
  /// fails: the check before the SIGHUP must refuse a bad edit, so the reload reports it.
  @Test func theUnitsReloadChecksTheConfigBeforeSignalling() throws {
    let unit = try String(
      contentsOfFile: SecurityChecksTests.packageRoot + "/Systemd/classgate.service", encoding: .utf8)
    let reloads = unit.split(separator: "\n").filter { $0.hasPrefix("ExecReload=") }
      .map { $0.dropFirst("ExecReload=".count).split(separator: " ").map(String.init) }
    #expect(reloads.count == 2)
    #expect(reloads.last == ["/bin/kill", "-HUP", "$MAINPID"])
    let check = try #require(reloads.first)
    #expect(Array(check.prefix(3)) == ["/usr/bin/classgate", "run", "--check"])

    let harness = try AgentHarness()
    // The unit's command with this build's binary and the test's config file.
    func runCheck() throws -> CommandResult {
      var arguments = Array(check.dropFirst())
      if let index = arguments.firstIndex(of: "--config") { arguments[index + 1] = harness.configPath }
      return try runClassgate(arguments)
    }
    #expect(try runCheck().status == 0)
    let good = try String(contentsOfFile: harness.configPath, encoding: .utf8)
    try (good + "\n[local_broker]\nport = 0\n").write(
      toFile: harness.configPath, atomically: true, encoding: .utf8)
    let bad = try runCheck()
    #expect(bad.status == 78)
    #expect(bad.stderr.contains("configuration error"))
  }
}
