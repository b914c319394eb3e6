import DeviceModel

/// A POSIX TZ string as found in a TZif footer (RFC 8536 §3.3), e.g. `<+07>-7` or
/// `CET-1CEST,M3.5.0,M10.5.0/3`: the rule for instants after the file's last transition.
/// Offsets here are seconds east of UTC (POSIX writes them west, hence the sign flip when parsing).
struct PosixTZ: Sendable, Equatable {
  var standardOffset: Int
  var daylight: Daylight?

  struct Daylight: Sendable, Equatable {
    var offset: Int
    var start: RuleDate
    /// Local (standard) time of day the change to daylight time happens, in seconds; may be
    /// negative or beyond 24 h (RFC 8536 allows -167…167 hours).
    var startTime: Int
    var end: RuleDate
    /// Local (daylight) time of day the change back happens.
    var endTime: Int
  }

  enum RuleDate: Sendable, Equatable {
    /// `Jn`: day 1…365, February 29 never counted.
    case julian(Int)
    /// `n`: day 0…365, February 29 counted in leap years.
    case dayOfYear(Int)
    /// `Mm.w.d`: weekday d (0 = Sunday) of week w (1…5, 5 = last) of month m.
    case monthWeekDay(month: Int, week: Int, weekday: Int)
  }

  init?(_ text: String) {
    var scanner = Scanner(bytes: Array(text.utf8))
    guard scanner.name(), let std = scanner.offset(maxHours: 24) else { return nil }
    standardOffset = -std
    if scanner.atEnd {
      daylight = nil
      return
    }
    guard scanner.name() else { return nil }
    var dstOffset = standardOffset + 3600
    if !scanner.atEnd, scanner.peek != UInt8(ascii: ",") {
      guard let west = scanner.offset(maxHours: 24) else { return nil }
      dstOffset = -west
    }
    // Without a rule POSIX leaves the dates to the implementation; glibc takes the US rules.
    var rule = Scanner(bytes: Array(",M3.2.0,M11.1.0".utf8))
    if !scanner.atEnd { rule = scanner }
    guard rule.take(UInt8(ascii: ",")), let start = rule.date() else { return nil }
    var startTime = 7200
    if rule.take(UInt8(ascii: "/")) {
      guard let time = rule.offset(maxHours: 167) else { return nil }
      startTime = time
    }
    guard rule.take(UInt8(ascii: ",")), let end = rule.date() else { return nil }
    var endTime = 7200
    if rule.take(UInt8(ascii: "/")) {
      guard let time = rule.offset(maxHours: 167) else { return nil }
      endTime = time
    }
    guard rule.atEnd else { return nil }
    daylight = Daylight(offset: dstOffset, start: start, startTime: startTime, end: end, endTime: endTime)
  }

  func offset(atUTC seconds: Int64) -> Int {
    guard let daylight else { return standardOffset }
    // The year is the local standard time's; both changes of that year decide.
    let year = EpochTime.civil(fromDays: Int(floorDiv(seconds + Int64(standardOffset), 86_400))).year
    let (start, end) = changes(in: year, daylight)
    if start < end { return seconds >= start && seconds < end ? daylight.offset : standardOffset }
    // Southern hemisphere: daylight time spans the new year.
    return seconds >= end && seconds < start ? standardOffset : daylight.offset
  }

  /// The UTC instants (seconds) of the rule's changes in the years around `seconds`, ascending.
  func changes(around seconds: Int64) -> [Int64] {
    guard let daylight else { return [] }
    let year = EpochTime.civil(fromDays: Int(floorDiv(seconds, 86_400))).year
    return (year - 1...year + 1).flatMap { year -> [Int64] in
      let (start, end) = changes(in: year, daylight)
      return [start, end]
    }.sorted()
  }

  private func changes(in year: Int, _ daylight: Daylight) -> (start: Int64, end: Int64) {
    let start = Int64(Self.day(daylight.start, year)) * 86_400 + Int64(daylight.startTime - standardOffset)
    let end = Int64(Self.day(daylight.end, year)) * 86_400 + Int64(daylight.endTime - daylight.offset)
    return (start, end)
  }

  /// Days since 1970-01-01 of a rule date in `year`.
  static func day(_ date: RuleDate, _ year: Int) -> Int {
    let january1 = EpochTime.daysFromCivil(year: year, month: 1, day: 1)
    switch date {
    case .julian(let n):
      let leap = EpochTime.daysIn(month: 2, year: year) == 29
      return january1 + n - 1 + (leap && n >= 60 ? 1 : 0)
    case .dayOfYear(let n):
      return january1 + n
    case .monthWeekDay(let month, let week, let weekday):
      let first = EpochTime.daysFromCivil(year: year, month: month, day: 1)
      let firstWeekday = Int(floorMod(Int64(first) + 4, 7))  // 1970-01-01 was a Thursday
      var day = 1 + (weekday - firstWeekday + 7) % 7 + 7 * (week - 1)
      let length = EpochTime.daysIn(month: month, year: year)
      while day > length { day -= 7 }
      return first + day - 1
    }
  }

  private struct Scanner {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index >= bytes.count }
    var peek: UInt8? { atEnd ? nil : bytes[index] }

    mutating func take(_ byte: UInt8) -> Bool {
      guard peek == byte else { return false }
      index += 1
      return true
    }

    /// `<+0545>` or letters (`CET`); the name itself is of no use to us.
    mutating func name() -> Bool {
      if take(UInt8(ascii: "<")) {
        let start = index
        while let byte = peek, byte != UInt8(ascii: ">") {
          guard isAlphanumeric(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") else {
            return false
          }
          index += 1
        }
        return index > start && take(UInt8(ascii: ">"))
      }
      let start = index
      while let byte = peek, isLetter(byte) { index += 1 }
      return index - start >= 3
    }

    /// `[+-]hh[:mm[:ss]]` in seconds, as written (POSIX offsets are west-positive).
    mutating func offset(maxHours: Int) -> Int? {
      var sign = 1
      if take(UInt8(ascii: "-")) {
        sign = -1
      } else {
        _ = take(UInt8(ascii: "+"))
      }
      guard let hours = number(maxDigits: 3), hours <= maxHours else { return nil }
      var seconds = hours * 3600
      if take(UInt8(ascii: ":")) {
        guard let minutes = number(maxDigits: 2), minutes < 60 else { return nil }
        seconds += minutes * 60
        if take(UInt8(ascii: ":")) {
          guard let secs = number(maxDigits: 2), secs < 60 else { return nil }
          seconds += secs
        }
      }
      return sign * seconds
    }

    mutating func date() -> RuleDate? {
      if take(UInt8(ascii: "J")) {
        guard let n = number(maxDigits: 3), (1...365).contains(n) else { return nil }
        return .julian(n)
      }
      if take(UInt8(ascii: "M")) {
        guard let month = number(maxDigits: 2), (1...12).contains(month), take(UInt8(ascii: ".")),
          let week = number(maxDigits: 1), (1...5).contains(week), take(UInt8(ascii: ".")),
          let weekday = number(maxDigits: 1), (0...6).contains(weekday)
        else { return nil }
        return .monthWeekDay(month: month, week: week, weekday: weekday)
      }
      guard let n = number(maxDigits: 3), (0...365).contains(n) else { return nil }
      return .dayOfYear(n)
    }

    private mutating func number(maxDigits: Int) -> Int? {
      var value = 0
      let start = index
      while let byte = peek, byte >= 48, byte <= 57, index - start < maxDigits {
        value = value * 10 + Int(byte - 48)
        index += 1
      }
      return index > start ? value : nil
    }

    private func isLetter(_ byte: UInt8) -> Bool { (65...90).contains(byte) || (97...122).contains(byte) }
    private func isAlphanumeric(_ byte: UInt8) -> Bool { isLetter(byte) || (48...57).contains(byte) }
  }
}

func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
  let quotient = a / b
  return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
}

func floorMod(_ a: Int64, _ b: Int64) -> Int64 { a - floorDiv(a, b) * b }
