import Foundation
import PJLink
import PJLinkPoller
import TestSupport
import Testing

/// `PJLinkClient.poll` over real loopback sockets against the spec-written responder.
@Suite("PJLink poller against a responder", .serialized)
struct PollerSocketTests {
  static let settings = PJLinkSettings(connectTimeoutMs: 1000, responseTimeoutMs: 1000)

  static func projector(_ responder: Responder, password: String? = nil) -> PJLinkProjector {
    PJLinkProjector(id: "proj-1", room: "101", host: "127.0.0.1", port: responder.port, password: password)
  }

  static func report(_ result: PollResult) -> ProjectorReport? {
    if case .completed(.report(let report)) = result { return report }
    return nil
  }

  @Test("class 1 without authentication (v1.04 §5.2): every query answered")
  func classOneNoAuthentication() throws {
    let responder = try Responder()
    let result = PJLinkClient.poll(Self.projector(responder), settings: Self.settings)
    let report = try #require(Self.report(result), "\(result)")
    #expect(report.power == .on)
    #expect(report.lamps.first?.hours == 1432)
    #expect(report.errors?.code == 0)
    #expect(report.input == 31)
    #expect(report.videoMuted == false)
    #expect(responder.commands == ["%1POWR ?", "%1LAMP ?", "%1ERST ?", "%1INPT ?", "%1AVMT ?"])
  }

  @Test("a host name is resolved and each of its addresses tried until one connects")
  func hostNameWithSeveralAddresses() throws {
    let responder = try Responder()
    let byName = PJLinkProjector(id: "proj-1", host: "localhost", port: responder.port)
    let result = PJLinkClient.poll(byName, settings: Self.settings)
    #expect(Self.report(result)?.power == .on, "\(result)")
  }

  @Test("MD5 authentication (v1.04 §5.1): the digest of random + password on the first command only")
  func md5AuthenticationSucceeds() throws {
    let responder = try Responder(password: "JBMIAProjectorLink")
    let result = PJLinkClient.poll(
      Self.projector(responder, password: "JBMIAProjectorLink"), settings: Self.settings)
    #expect(Self.report(result)?.power == .on, "\(result)")
    // The responder's random number is the spec's example, so this is the spec's digest.
    #expect(responder.commands.first == "5d8409bc1c3fa39749434aa3a5c38682%1POWR ?")
    #expect(responder.commands.dropFirst().allSatisfy { $0.hasPrefix("%1") })
    #expect(responder.commands.count == 5)
  }

  @Test("a wrong password is answered PJLINK ERRA: authentication failed")
  func wrongPassword() throws {
    let responder = try Responder(password: "right")
    #expect(
      PJLinkClient.poll(Self.projector(responder, password: "wrong"), settings: Self.settings)
        == .completed(.authenticationFailed))
    #expect(
      PJLinkClient.poll(Self.projector(responder), settings: Self.settings) == .completed(.passwordRequired))
  }

  @Test("ERR2 and ERR3 answers are recorded, the other answers kept")
  func errAnswers() throws {
    var answers = Responder.standardAnswers
    answers["LAMP"] = "ERR3"
    answers["INPT"] = "ERR2"
    answers["AVMT"] = "ERR3"
    answers["POWR"] = "3"
    let responder = try Responder(answers: answers)
    let report = try #require(
      Self.report(PJLinkClient.poll(Self.projector(responder), settings: Self.settings)))
    #expect(report.refusals == [.lamp: .unavailableTime, .input: .outOfParameter, .avMute: .unavailableTime])
    #expect(report.power == .warmingUp)
    #expect(report.errors?.code == 0)
  }

  @Test("a connection dropped in the middle of an answer, and a projector that never answers")
  func droppedAndSilent() throws {
    let responder = try Responder()
    try responder.set(dropAfter: 2)
    guard case .dropped(let detail) = PJLinkClient.poll(Self.projector(responder), settings: Self.settings)
    else {
      Issue.record("expected a dropped poll")
      return
    }
    #expect(detail.contains("closed"))
    try responder.set(silent: true)
    let start = Date()
    guard
      case .dropped(let silentDetail) = PJLinkClient.poll(Self.projector(responder), settings: Self.settings)
    else {
      Issue.record("expected a timed-out poll")
      return
    }
    #expect(silentDetail.contains("no answer within 1000 ms"))
    #expect(Date().timeIntervalSince(start) < 5)
  }

  @Test("a closed port (projector off at the wall) is unreachable, quickly")
  func closedPort() throws {
    let port = Int(freeLoopbackPort())
    let projector = PJLinkProjector(id: "proj-off", host: "127.0.0.1", port: port)
    guard case .unreachable(let detail) = PJLinkClient.poll(projector, settings: Self.settings) else {
      Issue.record("expected unreachable")
      return
    }
    #expect(detail.contains("Connection refused"))
    let unknownHost = PJLinkProjector(id: "proj-x", host: "no-such-projector.invalid", port: 4352)
    guard case .unreachable = PJLinkClient.poll(unknownHost, settings: Self.settings) else {
      Issue.record("an unknown host name is unreachable")
      return
    }
  }
}
