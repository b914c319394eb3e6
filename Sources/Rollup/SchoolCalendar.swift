import DeviceModel

/// The school's local calendar: rollup windows and days aligned to the local wall clock, and local
/// date/time text. Pure: the zone comes in as `ZoneRules`.
///
/// A window is every instant whose local time falls in the same slot of the local day (slots of
/// `windowMinutes` from local midnight; the last one is cut short at midnight if the length does
/// not divide the day). So windows tile time without gaps or overlaps even across daylight-saving
/// changes: a spring-forward day has 23 hours and skips the slots that do not exist; when the
/// clocks go back, a slot whose local times occur twice in a row is one longer window (the 60-minute
/// 02:00 window in Berlin lasts two hours on the last Sunday of October), and a slot that occurs
/// twice with another in between is two windows with the same local start.
public struct SchoolCalendar: Sendable {
  public let zone: ZoneRules
  public let zoneName: String
  /// Clamped to 1…1440.
  public let windowMinutes: Int

  private static let dayMs: Int64 = 86_400_000

  public init(zone: ZoneRules, zoneName: String, windowMinutes: Int) {
    self.zone = zone
    self.zoneName = zoneName
    self.windowMinutes = min(max(windowMinutes, 1), 1440)
  }

  /// The window containing `ms`; e.g. 5-minute windows start at local :00, :05, …
  public func window(containing ms: Int64) -> Period {
    span(containing: ms, slotMs: Int64(windowMinutes) * 60_000)
  }

  /// Local midnight to the next local midnight.
  public func day(containing ms: Int64) -> Period {
    span(containing: ms, slotMs: Self.dayMs)
  }

  /// The windows overlapping `period`, in order and whole: the first may start before
  /// `period.start` and the last end after `period.end` (a caller rolling up finished windows keeps
  /// those with `end <= now`). Empty for an empty period.
  public func windows(in period: Period) -> [Period] {
    var windows: [Period] = []
    var cursor = period.start
    while cursor < period.end {
      let window = self.window(containing: cursor)
      windows.append(window)
      cursor = window.end  // always > cursor: a window contains the instant it was asked for
    }
    return windows
  }

  /// `2026-11-28`: the local date.
  public func dayLabel(_ ms: Int64) -> String {
    let date = EpochTime.civil(fromDays: Int(floorDiv(local(ms), Self.dayMs)))
    return "\(pad(date.year, 4))-\(pad(date.month, 2))-\(pad(date.day, 2))"
  }

  /// `2026-11-28T08:05:00+07:00`: local time to the second (milliseconds dropped) and the offset.
  /// Historic offsets with seconds (local mean time) print as `+07:06:30`.
  public func localISO(_ ms: Int64) -> String {
    let offset = zone.offsetSeconds(atUTC: ms)
    let localMs = ms + Int64(offset) * 1000
    let seconds = Int(floorMod(localMs, Self.dayMs) / 1000)
    let time = "\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2))"
    let magnitude = abs(offset)
    var zoneText = "\(offset < 0 ? "-" : "+")\(pad(magnitude / 3600, 2)):\(pad(magnitude / 60 % 60, 2))"
    if magnitude % 60 != 0 { zoneText += ":\(pad(magnitude % 60, 2))" }
    return "\(dayLabel(ms))T\(time)\(zoneText)"
  }

  private func local(_ ms: Int64) -> Int64 { ms + Int64(zone.offsetSeconds(atUTC: ms)) * 1000 }

  /// The local slot [start, end) of the local day that local time `localMs` falls in.
  private func slot(_ localMs: Int64, _ slotMs: Int64) -> (start: Int64, end: Int64) {
    let dayStart = floorDiv(localMs, Self.dayMs) * Self.dayMs
    let start = dayStart + (localMs - dayStart) / slotMs * slotMs
    return (start, min(start + slotMs, dayStart + Self.dayMs))
  }

  /// The longest run of instants around `ms` whose local times stay in `ms`'s slot. Within one
  /// offset that is the slot shifted by the offset; at a transition (even one exactly at the shifted
  /// boundary) the run continues only if the local time on the other side is still in the slot.
  private func span(containing ms: Int64, slotMs: Int64) -> Period {
    let slot = slot(local(ms), slotMs)
    func inSlot(_ instant: Int64) -> Bool { (slot.start..<slot.end).contains(local(instant)) }

    var start = ms
    var cursor = ms
    for _ in 0..<16 {  // one step per transition inside a slot of at most a day: a few at most
      let candidate = slot.start - Int64(zone.offsetSeconds(atUTC: cursor)) * 1000
      guard let change = zone.transition(atOrBefore: cursor), change >= candidate else {
        start = candidate
        break
      }
      start = change
      guard inSlot(change - 1) else { break }
      cursor = change - 1
    }

    var end = ms + 1
    cursor = ms
    for _ in 0..<16 {
      let candidate = slot.end - Int64(zone.offsetSeconds(atUTC: cursor)) * 1000
      guard let change = zone.transition(after: cursor), change <= candidate else {
        end = candidate
        break
      }
      end = change
      guard inSlot(change) else { break }
      cursor = change
    }
    return Period(start: start, end: end)
  }

  private func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
  }
}

extension SchoolCalendar {
  /// The instant of local time `minute` (minutes since local midnight) on the day that starts at
  /// `dayStart`: a lesson at 07:00 starts 7 hours after midnight, or 6 or 8 when the clocks moved
  /// in between.
  public func instant(minute: Int, ofDayStartingAt dayStart: EpochMillis) -> EpochMillis {
    let guess = dayStart + Int64(minute) * 60_000
    let shift = zone.offsetSeconds(atUTC: guess) - zone.offsetSeconds(atUTC: dayStart)
    return guess - Int64(shift) * 1000
  }

  /// The local date of an instant.
  public func localDate(_ ms: EpochMillis) -> LocalDate {
    let date = EpochTime.civil(
      fromDays: Int(floorDiv(ms + Int64(zone.offsetSeconds(atUTC: ms)) * 1000, 86_400_000)))
    return LocalDate(year: date.year, month: date.month, day: date.day)
  }
}
