import Foundation
import TestSupport
import Testing

/// The README's first command, end to end, on a short clock: it must show the school and leave
/// nothing running.
@Suite("demo.sh")
struct DemoScriptTests {
  static let repository = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

  @Test func demoShowsTheSimulatedSchoolAndLeavesNothingRunning() throws {
    let directory = TemporaryDirectory(prefix: "classgate-demo-test")
    defer { directory.remove() }
    let outputPath = directory.file("demo.out")
    // Started like a shell would (clean signal mask), so Ctrl-C/kill semantics are the real ones.
    let demo = try ChildProcess(
      executable: "/bin/bash", arguments: ["\(Self.repository)/demo.sh"],
      environment: ProcessInfo.processInfo.environment.merging([
        "CLASSGATE_BIN": classgateExecutable, "DEMO_SPEED": "7200", "DEMO_SECONDS": "4",
      ]) { $1 },
      outputPath: outputPath)
    let status = demo.wait(timeout: 120)
    let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""

    #expect(status == 0, "demo.sh failed:\n\(text)")
    #expect(text.contains("== Agent running"))
    #expect(text.contains("deliberately malformed"))
    #expect(text.contains("env-101") && text.contains("plug-102") && text.contains("projector"))
    // 120 MQTT devices and the PJLink projector the demo polls.
    #expect(text.contains("== All devices: 121 devices"), "\(text)")
    #expect(text.contains("== classgate device proj-pj-301") && text.contains("lamp_hours    1234"))
    #expect(text.contains("Profile  zigbee2mqtt"))
    // The IOC (a TLS mosquitto) received summaries that validate, and no card field.
    #expect(text.contains("summaries/window") && text.contains("summaries/day"), "\(text)")
    #expect(text.contains("== classgate uplink") && text.contains("Queue       empty"))
    #expect(text.contains("== classgate stats --day"))
    #expect(text.contains("No card id (clear or pseudonymised) reached the IOC"))
    if try runShell("python3 -c 'import jsonschema'").status == 0 {
      #expect(text.contains("validated ") && !text.contains("FAIL"))
    }
    // The IOC's receiver stored it all in PostgreSQL, and the city view shows the school.
    if FileManager.default.fileExists(atPath: PostgresServer.binaries + "/initdb") {
      let stored = text.split(separator: "\n").first { $0.contains("== classgate-ioc schools") }
      #expect(stored != nil && !(stored?.contains(": 0 messages stored") ?? true), "\(text)")
      #expect(text.contains("demo-school  online"), "\(text)")
      #expect(text.contains("== classgate-ioc usage --day"))
      // The receiver serves the city page ([web]); the demo fetched both pages before it ended.
      #expect(text.contains("City page: http://127.0.0.1:"))
      #expect(text.contains("(GET / 200, /schools/demo-school 200;"), "\(text)")
    }
    let work = try #require(
      text.split(separator: "\n").first { $0.contains("== Agent running (store ") }
        .flatMap { $0.split(separator: " ").last }
        .map { String($0.dropLast()).replacingOccurrences(of: "/classgate.db", with: "") })
    #expect(!FileManager.default.fileExists(atPath: work), "the demo's temp directory was left behind")
    // The brackets keep pgrep from matching this shell's own command line.
    let leftovers = try runShell(
      "pgrep -f '[m]osquitto -c \(work)|[c]lassgate run --config \(work)|[c]lassgate-ioc run --config \(work)|[p]ostgres -D \(work)' || true"
    )
    .stdout
    #expect(leftovers.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "left running: \(leftovers)")
  }

}
