import DeviceModel
import Foundation
import Testing

@testable import Rollup

/// The system's zone file (tests may read files; the Rollup module never does).
func zone(_ name: String) throws -> ZoneRules {
  let data = try #require(FileManager.default.contents(atPath: "/usr/share/zoneinfo/\(name)"))
  return try ZoneRules(tzif: [UInt8](data))
}

func utc(_ text: String) -> EpochMillis { EpochTime.parseISO8601(text)! }

/// A small TZif file: version 2+ (both sections and a footer) or version 1.
func tzif(
  version: UInt8 = UInt8(ascii: "2"), transitions: [Int64] = [], types: [UInt8] = [], offsets: [Int32],
  footer: String = ""
) -> [UInt8] {
  func be(_ value: UInt64, _ size: Int) -> [UInt8] {
    (0..<size).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
  }
  func header(_ version: UInt8) -> [UInt8] {
    Array("TZif".utf8) + [version] + [UInt8](repeating: 0, count: 15)
      + [0, 0, 0, transitions.count, offsets.count, 2].flatMap { be(UInt64($0), 4) }
  }
  func body(_ timeSize: Int) -> [UInt8] {
    transitions.flatMap { be(UInt64(bitPattern: $0), timeSize) } + types
      + offsets.flatMap { be(UInt64(UInt32(bitPattern: $0)), 4) + [0, 0] } + Array("X\0".utf8)
  }
  if version == 0 { return header(0) + body(4) }
  return header(version) + body(4) + header(version) + body(8) + Array("\n\(footer)\n".utf8)
}

@Suite("ZoneRules")
struct ZoneRulesTests {
  @Test("Ho Chi Minh City: +07:00 now and in the far future, other offsets before 1975")
  func hoChiMinh() throws {
    let rules = try zone("Asia/Ho_Chi_Minh")
    #expect(rules.offsetSeconds(atUTC: utc("2026-11-28T01:00:00Z")) == 25_200)  // 7 h
    #expect(rules.offsetSeconds(atUTC: utc("2100-06-01T00:00:00Z")) == 25_200)  // footer <+07>-7
    // +08:00 from 1960 until 1975-06-12T16:00Z (zdump), +07:00 from then on.
    #expect(rules.offsetSeconds(atUTC: utc("1970-01-01T00:00:00Z")) == 28_800)
    #expect(rules.offsetSeconds(atUTC: utc("1975-06-12T15:59:59Z")) == 28_800)
    #expect(rules.offsetSeconds(atUTC: utc("1975-06-12T16:00:00Z")) == 25_200)
    // Local mean time before 1906: 7:06:30 = 25590 s (time type 0).
    #expect(rules.offsetSeconds(atUTC: utc("1900-01-01T00:00:00Z")) == 25_590)
  }

  @Test("Berlin: CET/CEST, switching at 01:00 UTC on 2026-03-29 and 2026-10-25")
  func berlin() throws {
    let rules = try zone("Europe/Berlin")
    #expect(rules.offsetSeconds(atUTC: utc("2026-01-15T12:00:00Z")) == 3600)
    #expect(rules.offsetSeconds(atUTC: utc("2026-03-29T00:59:59.999Z")) == 3600)
    #expect(rules.offsetSeconds(atUTC: utc("2026-03-29T01:00:00Z")) == 7200)
    #expect(rules.offsetSeconds(atUTC: utc("2026-10-25T00:59:59Z")) == 7200)
    #expect(rules.offsetSeconds(atUTC: utc("2026-10-25T01:00:00Z")) == 3600)
    #expect(rules.transition(after: utc("2026-01-01T00:00:00Z")) == utc("2026-03-29T01:00:00Z"))
    #expect(rules.transition(atOrBefore: utc("2026-03-29T01:00:00Z")) == utc("2026-03-29T01:00:00Z"))
    #expect(rules.transition(atOrBefore: utc("2026-03-29T00:59:59Z")) == utc("2025-10-26T01:00:00Z"))
  }

  @Test("Berlin after the file's last transition: the footer's DST rule (2045, from zdump)")
  func berlinFooter() throws {
    let rules = try zone("Europe/Berlin")
    #expect(try #require(rules.transitions.last) < utc("2045-01-01T00:00:00Z") / 1000)
    #expect(rules.offsetSeconds(atUTC: utc("2045-03-26T00:59:59Z")) == 3600)
    #expect(rules.offsetSeconds(atUTC: utc("2045-03-26T01:00:00Z")) == 7200)
    #expect(rules.offsetSeconds(atUTC: utc("2045-10-29T00:59:59Z")) == 7200)
    #expect(rules.offsetSeconds(atUTC: utc("2045-10-29T01:00:00Z")) == 3600)
    #expect(rules.transition(after: utc("2045-01-01T00:00:00Z")) == utc("2045-03-26T01:00:00Z"))
    #expect(rules.transition(atOrBefore: utc("2045-06-01T00:00:00Z")) == utc("2045-03-26T01:00:00Z"))
  }

  @Test("Kathmandu: +05:45 since 1986, +05:30 before")
  func kathmandu() throws {
    let rules = try zone("Asia/Kathmandu")
    #expect(rules.offsetSeconds(atUTC: utc("2026-11-28T01:00:00Z")) == 20_700)  // 5 h 45 min
    #expect(rules.offsetSeconds(atUTC: utc("2040-01-01T00:00:00Z")) == 20_700)  // after the 2038 entry
    #expect(rules.offsetSeconds(atUTC: utc("1985-12-31T18:29:59Z")) == 19_800)  // 5 h 30 min
    #expect(rules.offsetSeconds(atUTC: utc("1985-12-31T18:30:00Z")) == 20_700)
  }

  @Test("UTC, from the file and built in")
  func utcZone() throws {
    let rules = try zone("UTC")
    #expect(rules.offsetSeconds(atUTC: utc("2026-11-28T01:00:00Z")) == 0)
    #expect(rules.offsetSeconds(atUTC: -1) == 0)
    #expect(ZoneRules.utc.offsetSeconds(atUTC: utc("2026-11-28T01:00:00Z")) == 0)
    #expect(ZoneRules.utc.transition(after: 0) == nil)
    #expect(ZoneRules.fixed(offsetSeconds: -12_600).offsetSeconds(atUTC: 0) == -12_600)
  }

  @Test("a version 1 file: 32-bit times, the last transition's offset holds for ever")
  func versionOne() throws {
    let rules = try ZoneRules(tzif: tzif(version: 0, transitions: [1000], types: [1], offsets: [3600, 7200]))
    #expect(rules.offsetSeconds(atUTC: 999_999) == 3600)  // before 1000 s: type 0
    #expect(rules.offsetSeconds(atUTC: 1_000_000) == 7200)
    #expect(rules.offsetSeconds(atUTC: utc("2100-01-01T00:00:00Z")) == 7200)
  }

  @Test("a version 2 file without transitions follows its footer: southern-hemisphere DST (Sydney 2026)")
  func footerOnly() throws {
    let rules = try ZoneRules(tzif: tzif(offsets: [36_000], footer: "AEST-10AEDT,M10.1.0,M4.1.0/3"))
    // zdump Australia/Sydney: AEDT until 2026-04-04T16:00Z, AEST until 2026-10-03T16:00Z.
    #expect(rules.offsetSeconds(atUTC: utc("2026-01-15T00:00:00Z")) == 39_600)
    #expect(rules.offsetSeconds(atUTC: utc("2026-04-04T15:59:59Z")) == 39_600)
    #expect(rules.offsetSeconds(atUTC: utc("2026-04-04T16:00:00Z")) == 36_000)
    #expect(rules.offsetSeconds(atUTC: utc("2026-10-03T15:59:59Z")) == 36_000)
    #expect(rules.offsetSeconds(atUTC: utc("2026-10-03T16:00:00Z")) == 39_600)
    #expect(rules.offsetSeconds(atUTC: utc("2026-12-31T15:00:00Z")) == 39_600)  // local new year's day
    #expect(rules.transition(after: utc("2026-05-01T00:00:00Z")) == utc("2026-10-03T16:00:00Z"))
  }

  @Test("an empty footer keeps the last transition's offset")
  func emptyFooter() throws {
    let rules = try ZoneRules(
      tzif: tzif(version: UInt8(ascii: "3"), transitions: [0], types: [1], offsets: [0, -3600]))
    #expect(rules.offsetSeconds(atUTC: utc("2100-01-01T00:00:00Z")) == -3600)
    #expect(rules.offsetSeconds(atUTC: -1000) == 0)
  }

  @Test("bad files are refused with a reason")
  func badFiles() throws {
    #expect(throws: ZoneRulesError.notTZif) {
      try ZoneRules(tzif: Array("hello, world, this is not a zone".utf8))
    }
    #expect(throws: ZoneRulesError.notTZif) { try ZoneRules(tzif: []) }
    let berlin = try #require(FileManager.default.contents(atPath: "/usr/share/zoneinfo/Europe/Berlin"))
    #expect(throws: ZoneRulesError.truncated) { try ZoneRules(tzif: Array([UInt8](berlin).prefix(60))) }
    #expect(throws: ZoneRulesError.truncated) { try ZoneRules(tzif: Array([UInt8](berlin).dropLast(3))) }
    #expect(throws: ZoneRulesError.self) { try ZoneRules(tzif: tzif(offsets: [0], footer: "nonsense,,")) }
    #expect(throws: ZoneRulesError.self) {
      try ZoneRules(tzif: tzif(transitions: [10, 5], types: [0, 0], offsets: [0]))  // not ascending
    }
    #expect(throws: ZoneRulesError.self) {
      try ZoneRules(tzif: tzif(transitions: [10], types: [3], offsets: [0]))
    }
    #expect(throws: ZoneRulesError.self) { try ZoneRules(tzif: tzif(offsets: [])) }
  }

  @Test(
    "POSIX TZ strings",
    arguments: [
      ("<+07>-7", 25_200, nil), ("<+0545>-5:45", 20_700, nil), ("UTC0", 0, nil), ("<-03>3", -10_800, nil),
      ("CET-1CEST,M3.5.0,M10.5.0/3", 3600, 7200), ("EST5EDT", -18_000, -14_400),
      ("<-01>1<+00>,M3.5.0/0,M10.5.0/1", -3600, 0), ("IST-2IDT,M3.4.4/26,M10.5.0", 7200, 10_800),
    ] as [(String, Int, Int?)])
  func posix(text: String, standard: Int, daylight: Int?) throws {
    let rule = try #require(PosixTZ(text))
    #expect(rule.standardOffset == standard)
    #expect(rule.daylight?.offset == daylight)
  }

  @Test(
    "malformed POSIX TZ strings",
    arguments: ["", "7", "<+07", "CET", "CET-1CEST,M3.5.0", "CET-1CEST,M13.1.0,M10.5.0", "UTC0x"])
  func badPosix(text: String) {
    #expect(PosixTZ(text) == nil)
  }

  @Test("POSIX rule dates: Jn skips February 29, n counts it, Mm.w.d with week 5 = last")
  func ruleDates() {
    let march1 = EpochTime.daysFromCivil(year: 2028, month: 3, day: 1)  // 2028 is a leap year
    #expect(PosixTZ.day(.julian(60), 2028) == march1)
    #expect(PosixTZ.day(.dayOfYear(60), 2028) == march1)
    #expect(PosixTZ.day(.dayOfYear(59), 2028) == march1 - 1)  // February 29
    // EST5EDT's default (US) rule: second Sunday in March 2026 is the 8th, first in November the 1st.
    #expect(
      PosixTZ.day(.monthWeekDay(month: 3, week: 2, weekday: 0), 2026)
        == EpochTime.daysFromCivil(year: 2026, month: 3, day: 8))
    #expect(
      PosixTZ.day(.monthWeekDay(month: 11, week: 1, weekday: 0), 2026)
        == EpochTime.daysFromCivil(year: 2026, month: 11, day: 1))
    // Last Sunday of March 2026 is the 29th, of October the 25th.
    #expect(
      PosixTZ.day(.monthWeekDay(month: 3, week: 5, weekday: 0), 2026)
        == EpochTime.daysFromCivil(year: 2026, month: 3, day: 29))
    #expect(
      PosixTZ.day(.monthWeekDay(month: 10, week: 5, weekday: 0), 2026)
        == EpochTime.daysFromCivil(year: 2026, month: 10, day: 25))
  }
}
