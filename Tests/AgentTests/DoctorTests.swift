import Foundation
import TestSupport
import Testing

@Suite("classgate doctor", .serialized)
struct DoctorTests {
  func checks(_ json: String) throws -> [String: String] {
    let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    let items = try #require(document["checks"] as? [[String: Any]])
    return Dictionary(
      uniqueKeysWithValues: items.map { ($0["name"] as? String ?? "", $0["status"] as? String ?? "") })
  }

  @Test func healthySetupHasNoFailureAndExitsZero() throws {
    let secrets = TemporaryDirectory(prefix: "classgate-secret")
    defer { secrets.remove() }
    let secret = try secrets.write("card.secret", "0123456789abcdef0123456789abcdef", mode: 0o600)
    let harness = try AgentHarness(config: "\n[privacy]\nsecret_file = \"\(secret)\"\n")
    try harness.startAgent()
    try harness.publisher().publish(topic: "classgate/101/board/b-1/telemetry", payload: #"{"power_on":1}"#)
    #expect(waitUntil(timeout: 10) { ((try? harness.reader().readingCount()) ?? 0) == 1 })
    let config = harness.directory.file("classgate.toml")
    let text = try runClassgate(["doctor", "--config", config, "--service-user", "nobody-such-user"])
    #expect(text.status == 0, "\(text.stdout)")
    #expect(text.stdout.contains("OK    config"))
    #expect(text.stdout.contains("OK    broker"))
    #expect(
      text.stdout.contains("OK    privacy          card ids are pseudonymised with the secret in \(secret)"))
    #expect(!text.stdout.contains("FAIL"))

    let json = try runClassgate([
      "doctor", "--config", config, "--json", "--service-user", "nobody-such-user",
    ])
    let statuses = try checks(json.stdout)
    #expect(statuses["config"] == "OK" && statuses["store.integrity"] == "OK" && statuses["broker"] == "OK")
    #expect(statuses["agent"] == "OK" && statuses["disk"] != "FAIL")
  }

  @Test func brokenSetupFailsWithHintsAndExitsNonZero() throws {
    let harness = try AgentHarness()
    harness.broker.stop()
    let config = harness.directory.file("classgate.toml")
    let text = try runClassgate(["doctor", "--config", config, "--service-user", "nobody-such-user"])
    #expect(text.status == 1)
    #expect(text.stdout.contains("FAIL  store "))
    #expect(text.stdout.contains("fix: start the agent once"))
    #expect(text.stdout.contains("FAIL  broker "))
    #expect(text.stdout.contains("not reachable"))
    #expect(text.stdout.contains("fix: systemctl status mosquitto"))
    #expect(
      text.stdout.contains(
        "WARN  privacy          no privacy.secret_file: card ids are dropped; distinct-card counts are unavailable"
      ))
    #expect(text.stdout.contains("fix: head -c 32 /dev/urandom > /etc/classgate/card.secret"))

    let bad = try harness.directory.write("bad.toml", "school_id = \"x\"\n[store]\npth = 1\n")
    let badConfig = try runClassgate(["doctor", "--config", bad, "--json"])
    #expect(badConfig.status == 1)
    #expect(try checks(badConfig.stdout)["config"] == "FAIL")
    #expect(badConfig.stdout.contains("bad.toml line 3: key 'store.pth': unknown key"))
  }
}
