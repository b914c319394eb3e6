import Foundation
import TestSupport
import Testing

@Suite("classgate run refuses a bad config")
struct RunConfigTests {
  @Test func badConfigExitsWithCode78AndNamesFileLineAndKey() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let config = try directory.write(
      "broken.toml",
      """
      school_id = "s1"

      [local_broker]
      port = 70000
      prot = 1883
      """)
    let result = try runClassgate(["run", "--config", config])
    #expect(result.status == 78)
    #expect(
      result.stderr.contains(
        "broken.toml line 4: key 'local_broker.port': expected an integer from 1 to 65535, found 70000"))
    #expect(result.stderr.contains("broken.toml line 5: key 'local_broker.prot': unknown key"))
  }

  @Test func environmentOverrideIsValidatedToo() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let config = try directory.write("ok.toml", "school_id = \"s1\"\n")
    let result = try runClassgate(
      ["run", "--config", config], environment: ["CLASSGATE_LOCAL_BROKER_PORT": "abc"])
    #expect(result.status == 78)
    #expect(result.stderr.contains("environment variable CLASSGATE_LOCAL_BROKER_PORT"))
  }
}
