import Foundation
import TestSupport
import Testing

/// The metrics textfile as node_exporter meets it: another user (`prometheus`), the unit's
/// UMask=0027 on the agent, Debian's promtool and node_exporter.
@Suite("Metrics reach node_exporter", .serialized)
struct MetricsScrapeTests {
  /// The agent under the unit's umask, writing into a directory others may enter.
  func startAgent(_ textfiles: TemporaryDirectory) throws -> (AgentHarness, String) {
    chmod(textfiles.path, 0o755)
    let path = textfiles.file("classgate.prom")
    let harness = try AgentHarness(
      config: "\n[metrics]\ntextfile = \"\(path)\"\n",
      wrapper: ["/bin/sh", "-c", "umask 0027; exec \"$@\"", "sh"])
    try harness.startAgent()
    try harness.publisher().publish(topic: "classgate/101/board/b-1/telemetry", payload: #"{"power_on":1}"#)
    #expect(
      waitUntil(timeout: 15) {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").contains(
          "classgate_messages_received_total 1\n")
      })
    return (harness, path)
  }

  @Test func textfileIsMode0644UnderUmask0027AndPassesPromtool() throws {
    let textfiles = TemporaryDirectory(prefix: "classgate-textfile")
    defer { textfiles.remove() }
    let (harness, path) = try startAgent(textfiles)
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    #expect((attributes[.posixPermissions] as? Int) == 0o644)
    #expect((attributes[.ownerAccountID] as? Int) == Int(geteuid()))
    let lint = try runShell("promtool check metrics < '\(path)'")
    #expect(lint.status == 0, "\(lint.stdout)")
    withExtendedLifetime(harness) {}
  }

  @Test func nodeExporterRunningAsPrometheusScrapesTheTextfile() throws {
    let textfiles = TemporaryDirectory(prefix: "classgate-textfile")
    defer { textfiles.remove() }
    let (harness, _) = try startAgent(textfiles)
    let exporter = try NodeExporter(
      textfileDirectory: textfiles.path, logPath: textfiles.file("exporter.log"))
    #expect(exporter.waitUntilListening())
    let scrape = try exporter.scrape()
    #expect(scrape.status == 0)
    #expect(scrape.stdout.contains("node_textfile_scrape_error 0\n"), "\(scrape.stdout.suffix(2000))")
    #expect(scrape.stdout.contains("classgate_messages_received_total 1\n"))
    withExtendedLifetime(harness) {}
  }

  @Test func checkRefusesATextfileInAMissingDirectory() throws {
    let harness = try AgentHarness(
      config: "\n[metrics]\ntextfile = \"/nonexistent-classgate/classgate.prom\"\n")
    let result = try runClassgate(["run", "--check", "--config", harness.configPath])
    #expect(result.status == 78)
    #expect(
      result.stderr.contains("key 'metrics.textfile': the directory /nonexistent-classgate is not there"))
  }

  @Test func doctorJudgesTheDirectoryForTheServiceUserAndTheFileForNodeExporter() throws {
    let textfiles = TemporaryDirectory(prefix: "classgate-textfile")
    defer { textfiles.remove() }
    chmod(textfiles.path, 0o755)
    let path = try textfiles.write("classgate.prom", "classgate_up 1\n", mode: 0o640)
    let harness = try AgentHarness(config: "\n[metrics]\ntextfile = \"\(path)\"\n")
    // root:root 0755, as Debian ships /var/lib/prometheus/node-exporter: `nobody` cannot write.
    let doctor = try runClassgate(["doctor", "--config", harness.configPath, "--service-user", "nobody"])
    let line = doctor.stdout.split(separator: "\n").first { $0.contains(" metrics ") } ?? ""
    #expect(line.hasPrefix("FAIL"), "\(doctor.stdout)")
    #expect(line.contains("nobody cannot create files in \(textfiles.path)"))
    #expect(line.contains("mode 640: node_exporter (user prometheus) cannot read it"))
    #expect(doctor.stdout.contains("dpkg-statoverride --update --add root nobody 0775 \(textfiles.path)"))

    chmod(textfiles.path, 0o777)
    chmod(path, 0o644)
    let fixed = try runClassgate(["doctor", "--config", harness.configPath, "--service-user", "nobody"])
    let fixedLine = fixed.stdout.split(separator: "\n").first { $0.contains(" metrics ") } ?? ""
    #expect(fixedLine.hasPrefix("OK"), "\(fixed.stdout)")
  }
}
