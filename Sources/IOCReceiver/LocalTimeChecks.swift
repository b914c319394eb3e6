import DeviceModel
import Rollup

/// What a schema cannot say about a summary's local times, as scripts/validate-uplink.py checks
/// them: each names the same instant as its `_ms` twin, at the offset its zone has then; a window
/// starts on a multiple of its minutes of the local day; a day runs from one local midnight to
/// the next.
enum LocalTimeChecks {
  static let dayMs: Int64 = 86_400_000

  static func zone(_ name: String, _ zones: ZoneLookup) throws(InvalidMessage) -> ZoneRules {
    guard let rules = zones.rules(name) else {
      throw InvalidMessage("period.time_zone \(FieldReader.quoted(name)) is not a known IANA time zone")
    }
    return rules
  }

  /// `text` (already shaped as RFC 3339) is the instant `ms`, written at the zone's offset then.
  static func instant(_ text: String, is ms: Int64, in rules: ZoneRules, path: String) throws(InvalidMessage)
  {
    guard let parsed = EpochTime.parseISO8601(text), let written = offsetSeconds(text) else {
      throw InvalidMessage("\(path): \(FieldReader.quoted(text)) is not a valid date-time")
    }
    guard parsed == ms else {
      throw InvalidMessage("\(path): \(text) is \(parsed) ms, not \(ms)")
    }
    let expected = rules.offsetSeconds(atUTC: ms)
    guard written == expected else {
      throw InvalidMessage(
        "\(path): \(text) has UTC offset \(describe(written)), but the zone is at \(describe(expected)) then")
    }
  }

  static func windowAligned(startMs: Int64, minutes: Int, in rules: ZoneRules) throws(InvalidMessage) {
    guard 1440 % minutes == 0 else { return }
    let minuteOfDay = localMsOfDay(startMs, rules)
    guard minuteOfDay % (Int64(minutes) * 60_000) == 0 else {
      let minute = minuteOfDay / 60_000
      throw InvalidMessage(
        "window starts at local \(pad(minute / 60)):\(pad(minute % 60)), not on a multiple of \(minutes) minutes"
      )
    }
  }

  /// `start_ms`…`end_ms` is exactly the local day `date` (`YYYY-MM-DD`, already shaped).
  static func coversDay(_ date: String, startMs: Int64, endMs: Int64, in rules: ZoneRules)
    throws(InvalidMessage)
  {
    let parts = date.split(separator: "-").compactMap { Int($0) }
    let day = Int64(EpochTime.daysFromCivil(year: parts[0], month: parts[1], day: parts[2]))
    let covers =
      localDay(startMs, rules) == day && localDay(startMs - 1, rules) == day - 1
      && localDay(endMs - 1, rules) == day && localDay(endMs, rules) == day + 1
    guard covers else { throw InvalidMessage("period does not cover exactly the local day \(date)") }
  }

  private static func localMs(_ ms: Int64, _ rules: ZoneRules) -> Int64 {
    ms + Int64(rules.offsetSeconds(atUTC: ms)) * 1000
  }

  private static func localDay(_ ms: Int64, _ rules: ZoneRules) -> Int64 {
    let local = localMs(ms, rules)
    return local >= 0 ? local / dayMs : (local - dayMs + 1) / dayMs
  }

  private static func localMsOfDay(_ ms: Int64, _ rules: ZoneRules) -> Int64 {
    let local = localMs(ms, rules)
    return ((local % dayMs) + dayMs) % dayMs
  }

  /// The offset written at the end of an RFC 3339 time: `Z` or `±hh:mm`.
  static func offsetSeconds(_ text: String) -> Int? {
    if text.hasSuffix("Z") || text.hasSuffix("z") { return 0 }
    let tail = Array(text.utf8.suffix(6))
    guard tail.count == 6, tail[0] == 0x2B || tail[0] == 0x2D, tail[3] == 0x3A,
      let hours = Int(String(decoding: tail[1...2], as: UTF8.self)),
      let minutes = Int(String(decoding: tail[4...5], as: UTF8.self))
    else { return nil }
    return (hours * 3600 + minutes * 60) * (tail[0] == 0x2D ? -1 : 1)
  }

  private static func describe(_ seconds: Int) -> String {
    let minutes = abs(seconds) / 60
    return "\(seconds < 0 ? "-" : "+")\(pad(minutes / 60)):\(pad(minutes % 60))"
  }

  private static func pad(_ value: some BinaryInteger) -> String {
    value < 10 ? "0\(value)" : "\(value)"
  }
}
