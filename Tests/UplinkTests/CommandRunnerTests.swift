import EventLoop
import Foundation
import JSON
import Logging
import MQTTClient
import Testing

@testable import Uplink

/// The runner on a real store, with the helper `report` runs replaced by programs that hang or
/// say nothing: the answer is an error, in time, and the loop is never held.
@Suite("IOC command runner")
struct CommandRunnerTests {
  static func runner(_ store: UplinkStore, report: [String], timeoutMs: Int64) -> CommandRunner {
    var settings = CommandRunner.Settings(reportArguments: report)
    settings.reportTimeoutMs = timeoutMs
    return CommandRunner(
      connection: store.connection, calendar: store.calendar, messages: store.messages, settings: settings,
      logger: Logger(label: "test"), version: "test")
  }

  static func report(_ id: String) -> MQTTMessage {
    let now = Int64(Date().timeIntervalSince1970 * 1000)
    let text =
      #"{"schema":"classgate.command","schema_version":1,"request_id":"\#(id)","command":"report","issued_ms":\#(now)}"#
    return MQTTMessage(
      topic: "ioc/v1/schools/school-1/commands", payload: Array(text.utf8), qos: 1, retained: false)
  }

  /// Turns the runner until it answers (or 10 s pass); returns the answers and how long.
  static func answers(of runner: CommandRunner, after message: MQTTMessage) -> (
    answers: [JSONObject], ms: Int64
  ) {
    var answers: [JSONObject] = []
    runner.respond = { answers.append((try? JSONParser.parse($0))?.objectValue ?? [:]) }
    let start = Int64(Date().timeIntervalSince1970 * 1000)
    runner.handle(message, nowMs: start)
    var now = start
    while answers.isEmpty && now - start < 10_000 {
      _ = Poller.wait(
        runner.pollInterests, timeoutMs: Int32(min(200, runner.millisecondsUntilDue(nowMs: now))))
      now = Int64(Date().timeIntervalSince1970 * 1000)
      runner.turn(nowMs: now)
    }
    return (answers, now - start)
  }

  @Test func aReportThatHangsIsKilledAtItsTimeout() throws {
    let store = try UplinkStore()
    let runner = Self.runner(store, report: ["/bin/sleep", "30"], timeoutMs: 300)
    let (answers, ms) = Self.answers(of: runner, after: Self.report("r-slow"))
    #expect(answers.count == 1)
    #expect(answers.first?["status"]?.stringValue == "error")
    #expect(answers.first?["reason"]?.stringValue?.hasPrefix("timeout:") == true, "\(answers)")
    #expect(ms < 5000)
    #expect(runner.counts[.init(command: "report", outcome: "error")] == 1)
  }

  @Test func aReportWithoutJSONIsAnError_andARepeatWhileRunningIsNotRunTwice() throws {
    let store = try UplinkStore()
    let runner = Self.runner(store, report: ["/bin/sh", "-c", "echo not json; exit 1"], timeoutMs: 5000)
    var answers: [JSONObject] = []
    runner.respond = { answers.append((try? JSONParser.parse($0))?.objectValue ?? [:]) }
    let now = Int64(Date().timeIntervalSince1970 * 1000)
    runner.handle(Self.report("r-1"), nowMs: now)
    runner.handle(Self.report("r-1"), nowMs: now)  // the QoS 1 copy, while it runs: no answer yet
    runner.handle(Self.report("r-2"), nowMs: now)  // refused: one report at a time
    #expect(answers.map { $0["request_id"]?.stringValue } == ["r-2"])
    #expect(answers.first?["reason"]?.stringValue?.hasPrefix("rate_limited:") == true, "\(answers)")
    #expect(runner.counts[.init(command: "report", outcome: "duplicate")] == 1)
    var turns = 0
    while answers.count < 2 && turns < 500 {
      _ = Poller.wait(runner.pollInterests, timeoutMs: 20)
      runner.turn(nowMs: Int64(Date().timeIntervalSince1970 * 1000))
      turns += 1
    }
    #expect(answers.count == 2)
    #expect(answers.last?["request_id"]?.stringValue == "r-1")
    #expect(answers.last?["reason"]?.stringValue == "doctor exited with 1 without JSON", "\(answers)")
  }
}
