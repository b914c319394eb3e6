import LibCrypto
import PJLink
import Testing

/// PJLink as the specifications define it: JBMIA "PJLink Specifications" Version 1.04
/// (2013-12-10, class 1) and Version 2.00 (2017-01-31, class 2), sections named per test.
@Suite("PJLink protocol (pure)")
struct ProtocolTests {
  @Test("v1.04 §5.1: the spec's own digest example, md5(\"498e4a67\" + \"JBMIAProjectorLink\")")
  func authenticationDigestMatchesTheSpecExample() {
    #expect(
      Greeting.digest(random: "498e4a67", password: "JBMIAProjectorLink")
        == "5d8409bc1c3fa39749434aa3a5c38682")
  }

  @Test("RFC 1321 A.5 vectors through libcrypto's EVP_md5")
  func md5MatchesRFC1321() {
    #expect(MD5Digest.hex([]) == "d41d8cd98f00b204e9800998ecf8427e")
    #expect(MD5Digest.hex(Array("abc".utf8)) == "900150983cd24fb0d6963f7d28e17f72")
    #expect(MD5Digest.hex(Array("message digest".utf8)) == "f96b697d7cb7938d525a2f31aaf161d0")
    #expect(MD5Digest.hash(Array("a".utf8)).count == 16)
  }

  @Test("v1.04 §5: greetings PJLINK 0 and PJLINK 1 <random>; anything else is not one")
  func greetings() {
    #expect(Greeting(line: "PJLINK 0") == .open)
    #expect(Greeting(line: "PJLINK 1 498e4a67") == .authenticate(random: "498e4a67"))
    #expect(Greeting(line: "PJLINK 1") == nil)
    #expect(Greeting(line: "PJLINK 2 x") == nil)
    #expect(Greeting(line: "SSH-2.0-OpenSSH_9.2") == nil)
    #expect(Greeting(line: "PJLINK ERRA") == nil)
  }

  @Test("v1.04 §2.1/§2.4: a get command is %1POWR ?<CR>; the digest goes in front of the first")
  func requestEncoding() {
    #expect(Request.query(.power).encoded() == Array("%1POWR ?\r".utf8))
    #expect(
      Request.query(.lamp).encoded(digest: "5d8409bc1c3fa39749434aa3a5c38682")
        == Array("5d8409bc1c3fa39749434aa3a5c38682%1LAMP ?\r".utf8))
    #expect(Request.query(Command("SNUM"), commandClass: 2).encoded() == Array("%2SNUM ?\r".utf8))
  }

  @Test("v1.04 §2.2: responses %1POWR=1, ERR1..ERR4, PJLINK ERRA; class 2 %2 lines parse too")
  func responses() {
    #expect(Response(line: "%1POWR=1") == .value(commandClass: 1, command: .power, parameter: "1"))
    #expect(Response(line: "%1LAMP=ERR3") == .refused(commandClass: 1, command: .lamp, .unavailableTime))
    #expect(Response(line: "%1INPT=ERR2") == .refused(commandClass: 1, command: .input, .outOfParameter))
    #expect(
      Response(line: "%1XXXX=ERR1") == .refused(commandClass: 1, command: Command("XXXX"), .undefinedCommand))
    #expect(Response(line: "%1POWR=ERR4") == .refused(commandClass: 1, command: .power, .projectorFailure))
    #expect(Response(line: "PJLINK ERRA") == .authenticationFailed)
    #expect(
      Response(line: "%2SNUM=ABC123")
        == .value(commandClass: 2, command: Command("SNUM"), parameter: "ABC123"))
    #expect(Response(line: "%3POWR=1") == nil)
    #expect(Response(line: "%1powr=1") == nil)
    #expect(Response(line: "%1POWR 1") == nil)
    #expect(Response(line: "%1POWR=" + String(repeating: "9", count: 200)) == nil)
    #expect(Response(line: "") == nil)
  }

  @Test("v1.04 §4.2/§4.9/§4.8/§4.4/§4.6: power states, lamp pairs, error digits, input, mute")
  func reportInterpretation() {
    var report = ProjectorReport()
    report.record(.power, parameter: "3")
    report.record(.lamp, parameter: "1432 1 80 0")
    report.record(.errorStatus, parameter: "020100")
    report.record(.input, parameter: "31")
    report.record(.avMute, parameter: "30")
    #expect(report.power == .warmingUp)
    #expect(report.lamps.map(\.hours) == [1432, 80])
    #expect(report.lamps.map(\.on) == [true, false])
    #expect(report.errors?.code == 20100)
    #expect(report.input == 31)
    #expect(report.videoMuted == false)
    #expect(report.unreadable.isEmpty)
    let metrics = Dictionary(uniqueKeysWithValues: report.metrics.map { ($0.name, $0.value) })
    // Warming up counts as switched on; not yet active (lamp not fully on).
    #expect(
      metrics == ["power_on": 1, "active": 0, "lamp_hours": 1432, "error_code": 20100, "input_source": 31])

    var cooling = ProjectorReport()
    cooling.record(.power, parameter: "2")
    #expect(cooling.metrics.first?.value == 0)

    var bad = ProjectorReport()
    bad.record(.power, parameter: "7")
    bad.record(.lamp, parameter: "12 3")
    bad.record(.errorStatus, parameter: "0003")
    bad.record(.input, parameter: "3A")
    bad.record(.avMute, parameter: "99")
    #expect(bad.unreadable == [.power, .lamp, .errorStatus, .input, .avMute])
    #expect(bad.metrics.isEmpty)
  }

  @Test("an open projector: the five queries in order, no digest")
  func exchangeWithoutAuthentication() {
    var exchange = PollExchange(password: nil)
    var sent: [String] = []
    var step = exchange.receive(greeting: "PJLINK 0")
    let answers = ["%1POWR=1", "%1LAMP=1432 1", "%1ERST=000000", "%1INPT=31", "%1AVMT=11"]
    var index = 0
    while case .send(let bytes) = step {
      sent.append(String(decoding: bytes, as: UTF8.self))
      step = exchange.receive(line: answers[index])
      index += 1
    }
    #expect(sent == ["%1POWR ?\r", "%1LAMP ?\r", "%1ERST ?\r", "%1INPT ?\r", "%1AVMT ?\r"])
    guard case .finished(.report(let report)) = step else {
      Issue.record("expected a report, got \(step)")
      return
    }
    #expect(report.power == .on)
    #expect(report.videoMuted == true)
    // Muted picture: on, but not in use.
    #expect(report.metrics.first { $0.name == "active" }?.value == 0)
  }

  @Test("v1.04 §5.1: only the first command carries the digest; ERRA ends the poll")
  func exchangeWithAuthentication() {
    var exchange = PollExchange(password: "JBMIAProjectorLink")
    guard case .send(let first) = exchange.receive(greeting: "PJLINK 1 498e4a67") else {
      Issue.record("no first command")
      return
    }
    #expect(String(decoding: first, as: UTF8.self) == "5d8409bc1c3fa39749434aa3a5c38682%1POWR ?\r")
    guard case .send(let second) = exchange.receive(line: "%1POWR=0") else {
      Issue.record("no second command")
      return
    }
    #expect(String(decoding: second, as: UTF8.self) == "%1LAMP ?\r")

    var wrong = PollExchange(password: "nope")
    _ = wrong.receive(greeting: "PJLINK 1 498e4a67")
    #expect(wrong.receive(line: "PJLINK ERRA") == .finished(.authenticationFailed))

    var missing = PollExchange(password: nil)
    #expect(missing.receive(greeting: "PJLINK 1 498e4a67") == .finished(.passwordRequired))

    var other = PollExchange(password: nil)
    guard case .finished(.protocolError) = other.receive(greeting: "220 ftp ready") else {
      Issue.record("a non-PJLink greeting must end the poll")
      return
    }
  }

  @Test("ERR answers are recorded per command and the poll goes on")
  func refusalsDoNotEndThePoll() {
    var exchange = PollExchange(password: nil)
    _ = exchange.receive(greeting: "PJLINK 0")
    _ = exchange.receive(line: "%1POWR=0")
    _ = exchange.receive(line: "%1LAMP=ERR3")
    _ = exchange.receive(line: "%1ERST=000000")
    _ = exchange.receive(line: "%1INPT=ERR2")
    let step = exchange.receive(line: "%1AVMT=ERR3")
    guard case .finished(.report(let report)) = step else {
      Issue.record("expected a report, got \(step)")
      return
    }
    #expect(report.refusals == [.lamp: .unavailableTime, .input: .outOfParameter, .avMute: .unavailableTime])
    #expect(report.metrics.map(\.name) == ["power_on", "error_code"])
  }

  @Test("an answer to another command than the one asked is a protocol error")
  func mismatchedAnswer() {
    var exchange = PollExchange(password: nil)
    _ = exchange.receive(greeting: "PJLINK 0")
    guard case .finished(.protocolError(let detail)) = exchange.receive(line: "%1LAMP=10 1") else {
      Issue.record("expected a protocol error")
      return
    }
    #expect(detail.contains("POWR"))
  }
}

extension Greeting {
  /// The digest for the responder's fixed random number (the spec's example, 498e4a67).
  static func digestForTest(password: String) -> String { digest(random: "498e4a67", password: password) }
}

@Suite("PJLink parsing of hostile input")
struct PJLinkHostileInputTests {
  @Test("random, truncated and byte-by-byte lines never crash the exchange and end it cleanly")
  func randomLines() {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next() -> UInt64 {
      state ^= state << 13
      state ^= state >> 7
      state ^= state << 17
      return state
    }
    let seeds = ["%1POWR=1", "%1LAMP=1432 1", "PJLINK 1 498e4a67", "PJLINK ERRA", "%2ERST=000000"]
    var finished = 0
    for round in 0..<2000 {
      var bytes = Array(seeds[round % seeds.count].utf8)
      for _ in 0..<Int(next() % 4) {
        let position = Int(next() % UInt64(bytes.count + 1))
        if position < bytes.count && next() % 2 == 0 {
          bytes[position] = UInt8(truncatingIfNeeded: next())
        } else {
          bytes.insert(UInt8(truncatingIfNeeded: next()), at: min(position, bytes.count))
        }
      }
      let line = String(decoding: bytes.prefix(Int(next() % UInt64(bytes.count + 1))), as: UTF8.self)
      var exchange = PollExchange(password: round % 2 == 0 ? nil : "pw")
      var step = exchange.receive(greeting: round % 3 == 0 ? line : "PJLINK 0")
      var turns = 0
      while case .send = step, turns < 10 {
        step = exchange.receive(line: line)
        turns += 1
      }
      if case .finished = step { finished += 1 }
    }
    #expect(finished == 2000, "every exchange ends within its five queries")
    var early = PollExchange(password: nil)
    guard case .finished(.protocolError) = early.receive(line: "%1POWR=1") else {
      Issue.record("an answer before the greeting is a protocol error, not a crash")
      return
    }
  }
}
