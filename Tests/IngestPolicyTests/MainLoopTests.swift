import EventLoop
import Testing

/// The neutral host without sockets: turns in order, shutdown in reverse, every component shut
/// down even when one fails.
@Suite("main loop")
struct MainLoopTests {
  final class Recorder {
    var log: [String] = []
  }

  struct Failure: Error {}

  final class Component: LoopComponent {
    let name: String
    let recorder: Recorder
    let failsOnShutdown: Bool
    var stopAfterTurns: Int?
    weak var loop: MainLoop?
    private var turns = 0

    init(_ name: String, _ recorder: Recorder, failsOnShutdown: Bool = false) {
      self.name = name
      self.recorder = recorder
      self.failsOnShutdown = failsOnShutdown
    }

    func pollInterests() -> [Poller.Interest] { [] }
    func millisecondsUntilDue(nowMs: Int64) -> Int64 { 0 }
    func turn(ready: [Poller.Readiness], nowMs: Int64) {
      turns += 1
      recorder.log.append("\(name).turn")
      if let stopAfterTurns, turns >= stopAfterTurns { loop?.stop() }
    }
    func statusLine() -> String? { name }
    func shutDown() throws {
      recorder.log.append("\(name).shutDown")
      if failsOnShutdown { throw Failure() }
    }
  }

  @Test func componentsTurnInOrderAndShutDownInReverseEvenWhenOneFails() {
    let recorder = Recorder()
    let ingest = Component("ingest", recorder, failsOnShutdown: true)
    let uplink = Component("uplink", recorder)
    let loop = MainLoop(components: [ingest, uplink], signals: nil)
    uplink.loop = loop
    uplink.stopAfterTurns = 2
    #expect(throws: Failure.self) { try loop.run() }
    #expect(
      recorder.log == [
        "ingest.turn", "uplink.turn", "ingest.turn", "uplink.turn", "uplink.shutDown", "ingest.shutDown",
      ])
  }

  @Test func theReportHookRunsOnItsInterval() throws {
    let recorder = Recorder()
    let only = Component("ingest", recorder)
    var reports = 0
    let loop = MainLoop(
      components: [only], signals: nil, hooks: .init(report: { reports += 1 }), reportIntervalMs: 3_600_000)
    only.loop = loop
    only.stopAfterTurns = 3
    try loop.run()
    #expect(reports == 1)  // at the first turn, then not for an hour
  }
}
