import Buffer
import Foundation
import TestSupport
import Testing

@Suite("Privacy and idle behaviour", .serialized)
struct PrivacyAndIdleTests {
  static let devicesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Devices").path

  /// Card ids reach neither the events nor the dead letters nor the log: not even raw bytes in the file.
  /// With a secret configured the events keep the card's pseudonym instead (and the secret is not
  /// logged either); without one, the card ids are dropped.
  @Test(arguments: [true, false])
  func noClearCardIDReachesTheStoreOrTheLog(withSecret: Bool) throws {
    let secretDirectory = TemporaryDirectory(prefix: "classgate-secret")
    defer { secretDirectory.remove() }
    let secret = "0123456789abcdef0123456789abcdef"
    let secretFile = try secretDirectory.write("card.secret", secret, mode: 0o600)
    let harness = try AgentHarness(config: withSecret ? "\n[privacy]\nsecret_file = \"\(secretFile)\"\n" : "")
    try harness.startAgent()
    let card = "04A1B2C3D4"
    // printf '04A1B2C3D4' | openssl dgst -sha256 -hmac '0123456789abcdef0123456789abcdef'
    let pseudonym = "hmac:74a62c9640d391355e5cff12794d965f"
    try harness.publisher().publish([
      ("classgate/101/attendance_reader/r-1/event", "{\"type\":\"card_scan\",\"card\":\"\(card)\"}"),
      (
        "classgate/101/attendance_reader/r-1/event",
        "{\"type\":\"card_scan\",\"UID\":\"\(card)\",\"info\":{\"cardId\":\"\(card)\"}}"
      ),
      // Rejected (bad ts): a dead letter, whose raw payload would otherwise keep the id.
      (
        "classgate/101/attendance_reader/r-1/event",
        "{\"type\":\"card_scan\",\"card\":\"\(card)\",\"ts\":\"yesterday\"}"
      ),
      // Broken JSON:
      ("classgate/101/attendance_reader/r-1/event", "{\"type\":\"card_scan\",\"Card\":\"\(card)\""),
    ])
    #expect(waitUntil(timeout: 10) { ((try? harness.reader().counters()["messages_received"]) ?? 0) == 4 })
    let letters = try harness.reader().deadLetters()
    #expect(letters.count == 2)
    #expect(
      letters.allSatisfy { $0.payloadPrefix == Array("[withheld: may contain a personal identifier]".utf8) })
    #expect(
      try harness.reader().events(device: "r-1").map(\.data)
        == (withSecret
          ? ["{\"card\":\"\(pseudonym)\",\"info\":{}}", "{\"card\":\"\(pseudonym)\"}"]
          : ["{\"info\":{}}", "{}"]))
    harness.agent.stop(signal: SIGTERM)
    var stored = Data()
    for file in [harness.storePath, harness.storePath + "-wal", harness.directory.file("agent.log")] {
      let bytes = (try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data()
      #expect(bytes.range(of: Data(card.utf8)) == nil, "\(file) holds the card id")
      #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(file) holds the secret")
      if file != harness.directory.file("agent.log") { stored.append(bytes) }
    }
    #expect(
      (stored.range(of: Data(pseudonym.utf8)) != nil) == withSecret, "the pseudonym is stored: \(withSecret)")
  }

  /// `classgate profiles test` decodes as the agent does: pseudonyms with the config's secret, else
  /// the drop, and a note on stderr saying which.
  @Test func profilesTestShowsPseudonymsWhenTheConfigHasASecret() throws {
    let directory = TemporaryDirectory(prefix: "classgate-profiles-test")
    defer { directory.remove() }
    let secret = try directory.write("card.secret", "0123456789abcdef0123456789abcdef", mode: 0o600)
    let open = try directory.write("open.secret", "0123456789abcdef0123456789abcdef", mode: 0o644)
    func profilesTest(secretFile: String?) throws -> CommandResult {
      let config = try directory.write(
        "classgate.toml",
        "school_id = \"s\"\n" + (secretFile.map { "[privacy]\nsecret_file = \"\($0)\"\n" } ?? ""))
      return try runClassgate([
        "profiles", "test", "--config", config, "classgate/101/attendance_reader/r-1/event",
        #"{"type":"card_scan","info":{"UID":"04:a1:b2:c3:d4"}}"#,
      ])
    }
    let with = try profilesTest(secretFile: secret)
    #expect(with.status == 0, "\(with.stderr)")
    #expect(
      with.stdout.contains(#"{"card":"hmac:74a62c9640d391355e5cff12794d965f","info":{}}"#), "\(with.stdout)")
    #expect(with.stderr.contains("card ids are pseudonymised with the secret in \(secret)"))
    let without = try profilesTest(secretFile: nil)
    #expect(
      without.stdout.contains(#"{"info":{}}"#) && !without.stdout.contains("hmac:"), "\(without.stdout)")
    #expect(without.stderr.contains("card ids are dropped: no privacy.secret_file"))
    let refused = try profilesTest(secretFile: open)
    #expect(refused.stdout.contains(#"{"info":{}}"#) && !refused.stdout.contains("hmac:"))
    #expect(refused.stderr.contains("chmod 600 \(open)"), "\(refused.stderr)")
    for result in [with, without, refused] {
      #expect(!(result.stdout + result.stderr).lowercased().contains("a1:b2"))
    }
  }

  /// An ignored QoS 0 message (a Shelly NotifyEvent) must not leave the loop spinning.
  @Test func anIgnoredMessageDoesNotMakeTheLoopSpin() throws {
    let harness = try AgentHarness(config: "\n[profiles]\ndirectories = [\"\(Self.devicesDirectory)\"]\n")
    try harness.startAgent()
    try harness.publisher().publish(
      [
        (
          "shelly/shellyplus1-a8032ab12345/events/rpc",
          #"{"method":"NotifyEvent","params":{"ts":1764403195.1,"events":[]}}"#
        )
      ],
      qos: 0)
    Thread.sleep(forTimeInterval: 0.3)
    func cpuTicks() -> Int {
      let stat = (try? String(contentsOfFile: "/proc/\(harness.agent.pid)/stat", encoding: .utf8)) ?? ""
      let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
      return fields.count > 13 ? (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0) : -1
    }
    let before = cpuTicks()
    Thread.sleep(forTimeInterval: 1.5)
    let used = cpuTicks() - before
    // 100 ticks a second: a spinning loop would use ~150 here; an idle one, almost none.
    #expect(before >= 0 && used < 20, "the agent used \(used) ticks of CPU in 1.5 s while idle")
  }
}
