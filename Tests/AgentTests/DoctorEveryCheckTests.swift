import Foundation
import TestSupport
import Testing

/// `classgate doctor` runs every check whatever fails, prints each as it is done, and judges files
/// and the service for the account the agent runs as.
@Suite("classgate doctor: every check", .serialized)
struct DoctorEveryCheckTests {
  static func line(_ text: String, check name: String) -> String? {
    text.split(separator: "\n").map(String.init).first { $0.dropFirst(6).hasPrefix(name + " ") }
  }

  @Test func anInvalidConfigStillLeavesStoreDiskClockAndAccessChecked() throws {
    let directory = TemporaryDirectory(prefix: "classgate-doctor")
    defer { directory.remove() }
    let config = try directory.write(
      "classgate.toml", "school_id = \"x\"\n[store]\npath = \"\(directory.file("cg.db"))\"\npth = 1\n")
    let result = try runClassgate(["doctor", "--config", config, "--service-user", "nobody"])
    #expect(result.status == 1)
    #expect(Self.line(result.stdout, check: "config")?.hasPrefix("FAIL") == true, "\(result.stdout)")
    #expect(result.stdout.contains("key 'store.pth': unknown key"))
    #expect(result.stdout.contains("fix: edit \(config) at the keys named"))
    for name in ["store", "disk", "clock", "access"] {
      #expect(Self.line(result.stdout, check: name) != nil, "no \(name) check in:\n\(result.stdout)")
    }
    // The store check used the path from the file as it is.
    #expect(
      Self.line(result.stdout, check: "store")?.contains("no store at \(directory.file("cg.db"))") == true)
  }

  @Test func filesOnlyRootCanReadFailForTheServiceUser() throws {
    let secrets = TemporaryDirectory(prefix: "classgate-doctor")
    defer { secrets.remove() }
    chmod(secrets.path, 0o755)
    let password = try secrets.write("broker.pass", "secret-password\n", mode: 0o600)
    let harness = try AgentHarness(config: "")
    let config = try String(contentsOfFile: harness.configPath, encoding: .utf8)
      .replacingOccurrences(of: "[local_broker]\n", with: "[local_broker]\npassword_file = \"\(password)\"\n")
    try config.write(toFile: harness.configPath, atomically: true, encoding: .utf8)
    chmod(harness.configPath, 0o644)
    chmod(harness.directory.path, 0o755)
    let result = try runClassgate(["doctor", "--config", harness.configPath, "--service-user", "nobody"])
    let access = try #require(Self.line(result.stdout, check: "access"), "\(result.stdout)")
    #expect(access.hasPrefix("FAIL"))
    #expect(access.contains("nobody cannot read \(password) (local_broker.password_file)"))
    #expect(result.stdout.contains("fix: chown nobody: \(password) && chmod 600 \(password)"))
    #expect(!result.stdout.contains("secret-password"))
    // As root, the config itself loads: only the access check tells.
    #expect(Self.line(result.stdout, check: "config")?.hasPrefix("OK") == true)
  }

  @Test func aFailedServiceWithRestartsFailsTheServiceCheck() throws {
    let directory = TemporaryDirectory(prefix: "classgate-doctor")
    defer { directory.remove() }
    let systemctl = try directory.write(
      "systemctl",
      """
      #!/bin/sh
      case "$1" in
        is-active) echo failed; exit 3 ;;
        is-enabled) echo disabled; exit 1 ;;
        show) echo 7 ;;
      esac
      """, mode: 0o755)
    let harness = try AgentHarness()
    let result = try runClassgate([
      "doctor", "--config", harness.configPath, "--service-user", "nobody", "--systemctl", systemctl,
    ])
    let service = try #require(Self.line(result.stdout, check: "service"), "\(result.stdout)")
    #expect(service == "FAIL  service          classgate.service is failed, disabled, restarted 7 times")
    #expect(
      result.stdout.contains("fix: systemctl start classgate; if it stops again: journalctl -u classgate"))
  }

  @Test func eachCheckIsPrintedBeforeTheSlowBrokerCheckEnds() throws {
    let silent = try Listener()
    let harness = try AgentHarness()
    let config = try String(contentsOfFile: harness.configPath, encoding: .utf8)
      .replacingOccurrences(of: "port = \(harness.broker.port)", with: "port = \(silent.port)")
    try config.write(toFile: harness.configPath, atomically: true, encoding: .utf8)
    let output = harness.directory.file("doctor.out")
    let started = Date()
    let doctor = try ChildProcess(
      executable: classgateExecutable,
      arguments: ["doctor", "--config", harness.configPath, "--service-user", "nobody"],
      environment: [:], outputPath: output)
    // The broker that never answers holds doctor for its 5 s timeout; config is out long before.
    #expect(
      waitUntil(timeout: 3) {
        ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").contains("OK    config")
      })
    let configShownAfter = Date().timeIntervalSince(started)
    _ = doctor.wait(timeout: 20)
    let total = Date().timeIntervalSince(started)
    #expect(configShownAfter < 3 && total >= 5, "config after \(configShownAfter) s, done after \(total) s")
    let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
    #expect(Self.line(text, check: "broker")?.hasPrefix("FAIL") == true, "\(text)")
    withExtendedLifetime(silent) {}
  }
}
