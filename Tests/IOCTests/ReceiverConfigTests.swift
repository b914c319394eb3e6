import Agent
import Foundation
import IOCReceiver
import TestSupport
import Testing

@Suite("receiver config")
struct ReceiverConfigTests {
  static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../Systemd/classgate-ioc.toml").standardized.path

  /// The shipped sample loads once its three files exist (here: overridden to files that do).
  @Test func theShippedSampleLoads() throws {
    let directory = TemporaryDirectory(prefix: "classgate-ioc-config")
    defer { directory.remove() }
    let file = try directory.write("x.pem", "x")
    let config = try ReceiverConfig.load(
      path: Self.sample,
      environment: [
        "CLASSGATE_IOC_BROKER_CA_FILE": file, "CLASSGATE_IOC_BROKER_CERT_FILE": file,
        "CLASSGATE_IOC_BROKER_KEY_FILE": file, "CLASSGATE_IOC_BROKER_SHARE_GROUP": "ioc-ingest",
      ])
    #expect(config.broker.host == "ioc-broker.example" && config.broker.port == 8883)
    #expect(config.broker.cleanSession == false && config.broker.protocolVersion == .v5)
    #expect(config.broker.tls?.certFile == file)
    #expect(config.batchMax == 500)
    #expect(config.web == nil && config.timeZone == nil, "the page is off unless [web] is there")
    #expect(
      config.subscriptions == [
        "$share/ioc-ingest/ioc/v1/schools/+/summaries/#", "$share/ioc-ingest/ioc/v1/schools/+/events",
        "ioc/v1/schools/+/presence",
      ])
  }

  @Test func everyProblemIsNamed_withItsFileAndLine() throws {
    let directory = TemporaryDirectory(prefix: "classgate-ioc-config")
    defer { directory.remove() }
    let path = try directory.write(
      "ioc.toml",
      """
      [broker]
      host = "127.0.0.1"
      prot = 8883
      share_group = "a/b"

      [receiver]
      batch_max = 0
      """)
    #expect {
      try ReceiverConfig.load(path: path, environment: [:])
    } throws: { error in
      let text = (error as? ConfigError)?.description ?? ""
      return text.contains("ioc.toml line 3: key 'broker.prot': unknown key")
        && text.contains("key 'broker.share_group': expected a name without / + #")
        && text.contains("key 'receiver.batch_max': expected an integer from 1 to 100000")
        && text.contains("key 'broker.ca_file': required")
        && text.contains("key 'database.conninfo': required")
    }
  }

  @Test(arguments: [
    ("127.0.0.1:8480", "127.0.0.1", 8480, "http://127.0.0.1:8480/"),
    ("[::1]:8480", "::1", 8480, "http://[::1]:8480/"),
    ("0.0.0.0:80", "0.0.0.0", 80, "http://0.0.0.0:80/"),
  ])
  func webListenTakesAnAddressAndAPort(_ text: String, host: String, port: Int, url: String) throws {
    let settings = try #require(WebSettings(listen: text))
    #expect(settings.host == host && settings.port == port && settings.url == url)
  }

  @Test(arguments: [
    "localhost:8480", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", "1.2.3:80", "256.1.1.1:80", "[::1]8480",
    "[]:80", "[::1]:", ":8480", "127.0.0.1:+80",
  ])
  func anythingElseIsRefused(_ text: String) {
    #expect(WebSettings(listen: text) == nil)
  }

  @Test func webAndTimeZone_readAndChecked() throws {
    let directory = TemporaryDirectory(prefix: "classgate-ioc-config")
    defer { directory.remove() }
    let file = try directory.write("x.pem", "x")
    let body = """
      [broker]
      host = "127.0.0.1"
      ca_file = "\(file)"
      cert_file = "\(file)"
      key_file = "\(file)"
      [database]
      conninfo = "dbname=ioc"
      [receiver]
      time_zone = "Asia/Ho_Chi_Minh"
      [web]
      listen = "127.0.0.1:8480"
      """
    let config = try ReceiverConfig.load(path: try directory.write("ok.toml", body), environment: [:])
    #expect(config.web == WebSettings(listen: "127.0.0.1:8480") && config.timeZone == "Asia/Ho_Chi_Minh")
    let broken = body.replacingOccurrences(of: "Asia/Ho_Chi_Minh", with: "Nowhere/Atlantis")
      .replacingOccurrences(of: "listen = ", with: "port = 8480\nlisten = ")
    #expect {
      try ReceiverConfig.load(path: try directory.write("bad.toml", broken), environment: [:])
    } throws: { error in
      let text = (error as? ConfigError)?.description ?? ""
      return text.contains(
        "bad.toml line 9: key 'receiver.time_zone': expected an IANA time zone such as \"Asia/Ho_Chi_Minh\", "
          + "found \"Nowhere/Atlantis\"")
        && text.contains("bad.toml line 11: key 'web.port': unknown key (known in [web]: listen)")
    }
  }
}

@Suite("classgate-ioc send's time arguments")
struct TimeArgumentTests {
  @Test func epochMillisecondsAndISOTimesWithAnOffset() {
    #expect(TimeArgument.epochMs("1795827600000") == 1_795_827_600_000)
    #expect(TimeArgument.epochMs("2026-11-28T08:00:00+07:00") == 1_795_827_600_000)
    #expect(TimeArgument.epochMs("2026-11-28T08:00+07:00") == 1_795_827_600_000)
    #expect(TimeArgument.epochMs("2026-11-28T01:00:00Z") == 1_795_827_600_000)
    #expect(TimeArgument.epochMs("2026-11-27T20:30:00-04:30") == 1_795_827_600_000)
    for bad in [
      "", "yesterday", "2026-11-28", "2026-11-28T08:00:00", "2026-11-28T08:00:00+0700",
      "2026-11-28T08:00:00Zx",
    ] {
      #expect(TimeArgument.epochMs(bad) == nil, "\(bad)")
    }
  }
}
