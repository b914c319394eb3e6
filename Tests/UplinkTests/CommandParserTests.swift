import JSON
import Testing
import Uplink

/// The command contract as the agent enforces it: exactly right, or refused with a reason.
@Suite("IOC command parser and limiter")
struct CommandParserTests {
  static let now: Int64 = 1_795_827_600_000

  static func parse(_ text: String, size: Int? = nil) -> Result<CommandRequest, CommandRefusal> {
    let bytes = Array(text.utf8)
    return CommandParser.parse(bytes, size: size ?? bytes.count, nowMs: now)
  }

  static func command(_ name: String, args: String = "{}", extra: String = "", id: String = "r-1") -> String {
    #"{"schema":"classgate.command","schema_version":1,"request_id":"\#(id)","command":"\#(name)","issued_ms":\#(now)\#(extra),"args":\#(args)}"#
  }

  static func reason(_ result: Result<CommandRequest, CommandRefusal>) -> String? {
    if case .failure(let refusal) = result { return refusal.reason }
    return nil
  }

  @Test func validCommandsParse() throws {
    #expect(try Self.parse(Self.command("ping")).get().command == .ping)
    #expect(try Self.parse(Self.command("report")).get().command == .report)
    #expect(
      try Self.parse(Self.command("resend", args: #"{"day":"2026-11-28"}"#)).get().command
        == .resend(.day("2026-11-28")))
    #expect(
      try Self.parse(Self.command("resend", args: #"{"from_ms":1,"to_ms":300001}"#)).get().command
        == .resend(.period(from: 1, to: 300_001)))
    let seqs = try Self.parse(
      Self.command("resend", args: #"{"seq_from":5,"seq_to":9}"#, extra: #","expires_ms":\#(Self.now + 1)"#)
    ).get()
    #expect(seqs.command == .resend(.seqs(from: 5, to: 9)))
    #expect(seqs.expiresMs == Self.now + 1)
    #expect(seqs.requestID == "r-1")
  }

  @Test func everythingElseIsRefusedWithAReasonAndWhatCouldBeRead() {
    let cases: [(String, String)] = [
      ("{not json", "bad_json"),
      ("[1]", "bad_json"),
      (Self.command("reboot"), "unknown_command"),
      (
        Self.command("ping").replacingOccurrences(of: "classgate.command", with: "classgate.event"),
        "bad_schema"
      ),
      (
        Self.command("ping").replacingOccurrences(of: #""schema_version":1"#, with: #""schema_version":2"#),
        "bad_schema"
      ),
      (Self.command("ping", id: "has space"), "bad_request_id"),
      (Self.command("ping", id: String(repeating: "a", count: 65)), "bad_request_id"),
      (Self.command("ping", extra: #","shell":"rm -rf /""#), "bad_field"),
      (Self.command("ping", args: #"{"x":1}"#), "bad_args"),
      (Self.command("resend", args: #"{"day":"2026-02-30"}"#), "bad_args"),
      (Self.command("resend", args: #"{"day":"2026-11-28","seq_from":1,"seq_to":2}"#), "bad_args"),
      (Self.command("resend", args: #"{"seq_from":1,"seq_to":10001}"#), "bad_args"),
      (Self.command("resend", args: #"{"seq_from":9,"seq_to":2}"#), "bad_args"),
      (Self.command("resend", args: #"{"from_ms":5,"to_ms":5}"#), "bad_args"),
      (Self.command("resend", args: "[]"), "bad_args"),
      (Self.command("ping", extra: #","expires_ms":\#(Self.now - 1)"#), "expired"),
      (
        Self.command("ping").replacingOccurrences(of: "\(Self.now)", with: "\(Self.now - 7_200_000)"),
        "expired"
      ),
      (
        Self.command("ping").replacingOccurrences(of: "\(Self.now)", with: "\(Self.now + 3_600_000)"),
        "bad_time"
      ),
      (Self.command("ping").replacingOccurrences(of: "\(Self.now)", with: "\"soon\""), "bad_field"),
    ]
    for (text, code) in cases {
      let reason = Self.reason(Self.parse(text))
      #expect(reason?.hasPrefix(code + ":") == true, "\(text) → \(reason ?? "accepted")")
    }
    // What could be read is kept for the answer; a bad id is not echoed.
    if case .failure(let refusal) = Self.parse(Self.command("reboot", id: "abc")) {
      #expect(refusal.requestID == "abc")
      #expect(refusal.command == "reboot")
    }
    if case .failure(let refusal) = Self.parse(Self.command("ping", id: "a/b")) {
      #expect(refusal.requestID == nil)
    }
  }

  @Test func anOversizePayloadIsRefusedUnread() {
    let big = Self.command("ping", extra: #","pad":"\#(String(repeating: "x", count: 17_000))""#)
    #expect(Self.reason(Self.parse(big))?.hasPrefix("too_large:") == true)
    // A copy cut short by the MQTT layer is refused on the size received.
    #expect(Self.reason(Self.parse(Self.command("ping"), size: 20_000))?.hasPrefix("too_large:") == true)
  }

  @Test func theLimiterLetsSixAMinuteThroughAndRefills() {
    var limiter = CommandLimiter(perMinute: 6)
    var admitted = 0
    for _ in 0..<6 where limiter.admit(nowMs: 0) { admitted += 1 }
    #expect(admitted == 6)
    let seventh = limiter.admit(nowMs: 1000)
    let refilled = limiter.admit(nowMs: 11_000)  // one token per 10 s
    let tooSoon = limiter.admit(nowMs: 11_500)
    #expect(!seventh)
    #expect(refilled)
    #expect(!tooSoon)
  }

  @Test func recentResponsesKeepTheNewestAnswers() {
    var recent = RecentResponses(capacity: 2)
    recent.remember("a", answer: [1])
    recent.remember("b", answer: [2])
    recent.remember("c", answer: [3])
    #expect(recent.answer(to: "a") == nil)
    #expect(recent.answer(to: "b") == [2])
    #expect(recent.answer(to: "c") == [3])
  }
}
