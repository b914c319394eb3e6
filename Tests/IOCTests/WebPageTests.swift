import Foundation
import JSON
import PostgresClient
import TestSupport
import Testing

/// The receiver's own city page (`[web]`): a real receiver fed real messages over the IOC
/// broker, its page fetched with curl, a raw socket and headless chromium.
@Suite("IOC web page", .serialized)
struct WebPageTests {
  /// A receiver serving the page, and what two schools sent it: one online with lessons,
  /// events and summaries, one whose Last Will arrived.
  static func serving() throws -> (IOCHarness, ReceiverProcess, String) {
    let harness = try IOCHarness()
    let port = freeLoopbackPort()
    let receiver = try harness.receiver(webPort: port)
    try receiver.startAndWaitForSubscriptions()
    #expect(receiver.log.contains("Serving the city page"), "\(receiver.log)")
    var presence = try Examples.object("presence")
    presence["time_ms"] = .number(Double(Date.nowMs))
    presence["devices"] = ["online": 4, "offline": 1, "stale": 1, "unknown": 0]
    var lastWill = try Examples.object("presence-last-will")
    lastWill["school_id"] = "hcm-q3-th-0007"
    var messages: [(topic: String, payload: String)] = [
      (Examples.topic("presence"), presence),
      (Examples.topic("presence", school: "hcm-q3-th-0007"), lastWill),
    ].map { ($0.0, JSONWriter.compact(.object($0.1))) }
    for name in [
      "window-summary", "daily-summary", "lesson-summary", "event-device-status", "event-threshold-alert",
    ] {
      messages.append((Examples.topic(name), JSONWriter.compact(.object(try Examples.object(name)))))
    }
    let school = try TestPublisher(port: harness.broker.port, clientID: "web-test")
    try school.publish(messages)
    let database = try harness.connect()
    let arrived = try waitUntil(timeout: 20) {
      try harness.count("SELECT count(*) FROM sequenced", on: database) == 5
        && harness.count("SELECT count(*) FROM school WHERE online IS NOT NULL", on: database) == 2
    }
    #expect(arrived, "\(receiver.log)")
    return (harness, receiver, "http://127.0.0.1:\(port)")
  }

  @Test func theCityAndASchool_servedWithStrictHeaders_inLocalTime() throws {
    let (harness, receiver, url) = try Self.serving()
    let city = try CurlResponse.fetch(url + "/")
    #expect(city.status == 200)
    #expect(city.headers["content-type"] == "text/html; charset=utf-8")
    #expect(city.headers["cache-control"] == "no-store")
    #expect(
      city.headers["content-security-policy"]
        == "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
    #expect(city.headers["x-content-type-options"] == "nosniff")
    #expect(city.body.contains("2 schools: 1 online, 1 offline"), "\(city.body)")
    // The newest day with a daily summary is the default; the links carry it on.
    #expect(city.body.contains("<a href=\"/schools/hcm-q1-th-0042?day=2026-11-28\">hcm-q1-th-0042</a>"))
    #expect(city.body.contains("<td class=\"offline\">offline since 20"))
    #expect(city.body.contains("+07:00"), "times in the IOC's zone with the offset")
    #expect(city.body.contains("<h2>Use on 2026-11-28</h2>"))
    #expect(city.body.contains("<td>3 of 4 (75 %)</td>"), "the usage table's lesson share")
    #expect(city.body.contains("<svg") && !city.body.contains("<script"))

    let school = try CurlResponse.fetch(url + "/schools/hcm-q1-th-0042")
    #expect(school.status == 200)
    #expect(school.body.contains("<h1>hcm-q1-th-0042</h1>"))
    #expect(school.body.contains("online 4") && school.body.contains("offline 1"), "devices by status")
    #expect(school.body.contains("<td>07:00</td><td>101</td><td>10A1</td>"), "the day's lessons")
    #expect(school.body.contains("threshold_alert") && school.body.contains("plug-102"), "recent events")
    #expect(school.body.contains("cause=reported status=offline"))
    #expect(school.body.contains("aria-label=\"lessons per room\""))
    #expect(!school.body.contains("<script"))
    let otherDay = try CurlResponse.fetch(url + "/schools/hcm-q1-th-0042?day=2026-11-27")
    #expect(otherDay.body.contains("No daily summary for 2026-11-27"))
    _ = harness
    #expect(receiver.stop() == 0)
  }

  @Test func errors_404_405_400_431_andHostileIDsEscaped() throws {
    let (harness, receiver, url) = try Self.serving()
    let missing = try CurlResponse.fetch(url + "/schools/nowhere")
    #expect(missing.status == 404 && missing.body.contains("No school"))
    #expect(try CurlResponse.fetch(url + "/favicon.ico").status == 404)
    let hostile = try CurlResponse.fetch(url + "/schools/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    #expect(hostile.status == 404)
    #expect(hostile.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(hostile.body)")
    #expect(!hostile.body.contains("<script"))
    let badDay = try CurlResponse.fetch(url + "/?day=%22%3E%3Csvg%20onload%3D1%3E")
    #expect(badDay.status == 400 && !badDay.body.contains("<svg onload"))
    let post = try CurlResponse.fetch(url + "/", method: "POST")
    #expect(post.status == 405 && post.headers["allow"] == "GET, HEAD")
    let head = try CurlResponse.fetch(url + "/schools/hcm-q1-th-0042", method: "HEAD")
    #expect(head.status == 200 && head.body.isEmpty && Int(head.headers["content-length"] ?? "") ?? 0 > 1000)
    let port = Int(url.split(separator: ":").last ?? "") ?? 0
    let oversized = try RawClient(port: port)
    oversized.send("GET / HTTP/1.1\r\nHost: x\r\nCookie: \(String(repeating: "c", count: 9000))\r\n\r\n")
    #expect(oversized.readToEnd()?.hasPrefix("HTTP/1.1 431 ") == true)
    // The receiver's own path is untouched: an event sent now is still stored.
    let school = try TestPublisher(port: harness.broker.port, clientID: "web-test-2")
    try school.publish(events(school: "hcm-q1-th-0042", count: 3, stream: "00000000000000bb"))
    let database = try harness.connect()
    #expect(try waitUntil(timeout: 20) { try harness.count("SELECT count(*) FROM event", on: database) == 5 })
    #expect(receiver.stop() == 0)
  }

  @Test func healthzFollowsTheDatabase() throws {
    let (harness, receiver, url) = try Self.serving()
    let healthy = try CurlResponse.fetch(url + "/healthz")
    #expect(healthy.status == 200 && healthy.body == "ok\n")
    #expect(healthy.headers["content-type"] == "text/plain; charset=utf-8")
    harness.database.stop()
    #expect(try CurlResponse.fetch(url + "/healthz").status == 503)
    #expect(try CurlResponse.fetch(url + "/").status == 503)
    try harness.database.start()
    #expect(try waitUntil(timeout: 20) { try CurlResponse.fetch(url + "/healthz").status == 200 })
    #expect(receiver.stop() == 0)
  }

  @Test func headlessChromiumRendersBothPages_withoutScript() throws {
    let (harness, receiver, url) = try Self.serving()
    let city = try Chromium.dumpDOM(url + "/")
    #expect(city.contains(">hcm-q1-th-0042</a>") && city.contains(">hcm-q3-th-0007</a>"), "\(city)")
    #expect(city.contains("<svg") && !city.contains("<script"))
    let school = try Chromium.dumpDOM(url + "/schools/hcm-q1-th-0042")
    #expect(school.contains("<h1>hcm-q1-th-0042</h1>") && school.contains("<svg"))
    #expect(!school.contains("<script"))
    for (name, path) in [("city", "/"), ("school", "/schools/hcm-q1-th-0042")] {
      let file = harness.directory.file("\(name).png")
      try Chromium.screenshot(url + path, to: file)
      let png = try #require(FileManager.default.contents(atPath: file))
      #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
      // A blank 1280×900 page compresses to a few kB; tables, text and charts do not.
      #expect(png.count > 30_000, "\(name): \(png.count) bytes")
    }
    #expect(receiver.stop() == 0)
  }

  /// The screenshots of docs/ioc.md: `scripts/ioc-screenshots.sh` runs this test with
  /// CLASSGATE_SCREENSHOTS=docs/images, which copies them there.
  @Test func aCityOfFiveSchools_inHeadlessChromium() throws {
    let harness = try IOCHarness()
    let port = freeLoopbackPort()
    let receiver = try harness.receiver(webPort: port)
    try receiver.startAndWaitForSubscriptions()
    let messages = try SampleCity.messages(nowMs: Date.nowMs)
    let publisher = try TestPublisher(port: harness.broker.port, clientID: "sample-city")
    try publisher.publish(messages)
    let database = try harness.connect()
    let sequenced = messages.count - SampleCity.schools.count  // all but the presences
    let arrived = try waitUntil(timeout: 30) {
      try harness.count("SELECT count(*) FROM sequenced", on: database) == sequenced
        && harness.count("SELECT count(*) FROM school WHERE online IS NOT NULL", on: database) == 5
    }
    let rejected = try harness.cli(["rejected"]).stdout
    #expect(arrived, "\(rejected)")
    let url = "http://127.0.0.1:\(port)"
    let city = try Chromium.dumpDOM(url + "/")
    #expect(city.contains("5 schools: 4 online, 1 offline"), "\(city)")
    for school in SampleCity.schools { #expect(city.contains(">\(school)</a>"), "\(school)") }
    #expect(!city.contains("<script"))
    let school = try Chromium.dumpDOM(url + "/schools/hcm-q1-th-0042")
    #expect(school.contains("The newest 48 windows") && school.contains("aria-label=\"lessons per room\""))
    let shots = ProcessInfo.processInfo.environment["CLASSGATE_SCREENSHOTS"]
    for (name, path, height) in [("ioc-city", "/", 900), ("ioc-school", "/schools/hcm-q1-th-0042", 1800)] {
      let file = harness.directory.file("\(name).png")
      try Chromium.screenshot(url + path, to: file, height: height)
      let png = try #require(FileManager.default.contents(atPath: file))
      #expect(
        png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 30_000, "\(name): \(png.count) bytes")
      if let shots { try png.write(to: URL(fileURLWithPath: "\(shots)/\(name).png")) }
    }
    #expect(receiver.stop() == 0)
  }

  @Test func aListenAddressThatIsNoAddressIsAConfigError_namingTheKey() throws {
    let harness = try IOCHarness()
    let receiver = try harness.receiver(webPort: 8480)
    let config = try String(contentsOfFile: receiver.configPath, encoding: .utf8)
      .replacingOccurrences(of: "listen = \"127.0.0.1:8480\"", with: "listen = \"localhost\"")
      .replacingOccurrences(of: "Asia/Ho_Chi_Minh", with: "Mars/Olympus")
    try config.write(toFile: receiver.configPath, atomically: true, encoding: .utf8)
    try receiver.start()
    #expect(receiver.waitForExit(timeout: 10) == 78)
    #expect(
      receiver.log.contains(
        "key 'web.listen': expected an address and port such as \"127.0.0.1:8480\" or \"[::1]:8480\", found \"localhost\""
      ), "\(receiver.log)")
    #expect(receiver.log.contains("key 'receiver.time_zone'"), "\(receiver.log)")
  }

  @Test func aTakenPortStopsTheReceiver_sayingWhy() throws {
    let harness = try IOCHarness()
    let taken = try Listener()
    let receiver = try harness.receiver(webPort: taken.port)
    try receiver.start()
    #expect(receiver.waitForExit(timeout: 10) == 1)
    #expect(receiver.log.contains("Address already in use"), "\(receiver.log)")
  }
}
