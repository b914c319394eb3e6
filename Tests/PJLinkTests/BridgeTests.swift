import EventLoop
import Foundation
import Logging
import MQTTClient
import PJLink
import PJLinkPoller
import TestSupport
import Testing

/// `PJLinkBridge` in this process against a real mosquitto and the responder: what a projector
/// switched off and on again at the wall looks like on the broker.
@Suite("PJLink bridge against a real broker", .serialized)
struct BridgeTests {
  @Test func projectorOffAtTheWallGoesOfflineBacksOffAndComesBackOnline() throws {
    let broker = try Broker()
    let port = Int(freeLoopbackPort())
    let projector = PJLinkProjector(id: "proj-7", room: "7", host: "127.0.0.1", port: port, intervalMs: 200)
    let settings = PJLinkSettings(
      projectors: [projector], connectTimeoutMs: 500, responseTimeoutMs: 500, maxBackoffMs: 800)
    let mqtt = try MQTTConnection(
      options: MQTTOptions(
        host: "127.0.0.1", port: broker.port, clientID: "pjlink-bridge-test", cleanSession: true,
        reconnectDelay: Backoff(initialMs: 50, maximumMs: 200)))
    let bridge = PJLinkBridge(
      mqtt: mqtt, settings: settings, prefix: "classgate", logger: Logger(label: "test"))
    let watcher = Watcher(port: broker.port)
    let status = "classgate/7/projector/proj-7/status"
    #expect(watcher.pump(for: 5) { $0.connection.state == .connected })

    func run(until condition: @escaping (Watcher) -> Bool, seconds: Double = 10) -> Bool {
      let deadline = Date().addingTimeInterval(seconds)
      while Date() < deadline {
        let now = Clock.monotonicMs()
        let wait = min(50, bridge.millisecondsUntilDue(nowMs: now))
        _ = Poller.wait(bridge.pollInterests(), timeoutMs: Int32(max(0, wait)))
        bridge.turn(ready: [], nowMs: Clock.monotonicMs())
        if watcher.pump(for: 0.01, until: condition) { return true }
      }
      return false
    }

    // Nothing listens on the port: offline, once, and the attempts spread out.
    #expect(run(until: { $0.payloads(status) == ["offline"] }))
    _ = run(until: { _ in false }, seconds: 1.5)
    let tracker = try #require(bridge.trackers.first)
    #expect(watcher.payloads(status) == ["offline"], "offline is published once, not per attempt")
    #expect(tracker.counters.unreachable >= 2)
    #expect(tracker.counters.unreachable <= 6, "backoff: 200, 400, 800, 800 ms, not every 200 ms")
    #expect(tracker.status == .offline)

    // Switched on again (the same port answers now), with lamp hours refused while warming up.
    var answers = Responder.standardAnswers
    answers["POWR"] = "3"
    answers["LAMP"] = "ERR3"
    let responder = try Responder(answers: answers, port: port)
    #expect(run(until: { $0.payloads(status) == ["offline", "online"] }))
    #expect(
      run(until: { watcher in
        watcher.payloads("classgate/7/projector/proj-7/telemetry").contains { $0.contains("\"power_on\":1") }
      }))
    let telemetry = try #require(watcher.payloads("classgate/7/projector/proj-7/telemetry").last)
    #expect(!telemetry.contains("lamp_hours"))
    #expect(bridge.trackers[0].counters.refusals[.unavailableTime, default: 0] >= 1)
    #expect(bridge.trackers[0].failures == 0)
    #expect(responder.commands.contains("%1LAMP ?"))
    try bridge.shutDown()
  }
}
