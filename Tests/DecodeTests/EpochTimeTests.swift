import DeviceModel
import Testing

@Suite("EpochTime")
struct EpochTimeTests {
  @Test("formatting known instants, including before 1970 and on a leap day")
  func formatting() {
    #expect(EpochTime.iso8601(0) == "1970-01-01T00:00:00.000Z")
    #expect(EpochTime.iso8601(-1) == "1969-12-31T23:59:59.999Z")
    #expect(EpochTime.iso8601(-14_182_940_000) == "1969-07-20T20:17:40.000Z")
    #expect(EpochTime.iso8601(-2_203_977_600_000) == "1900-02-28T00:00:00.000Z")
    #expect(EpochTime.iso8601(-2_203_977_600_000 + 86_400_000) == "1900-03-01T00:00:00.000Z")
    #expect(EpochTime.iso8601(1_709_210_096_000) == "2024-02-29T12:34:56.000Z")
    #expect(EpochTime.iso8601(1_764_403_200_123) == "2025-11-29T08:00:00.123Z")
    #expect(EpochTime.iso8601(-62_135_596_800_000) == "0001-01-01T00:00:00.000Z")
    #expect(EpochTime.iso8601(253_402_300_799_999) == "9999-12-31T23:59:59.999Z")
  }

  @Test("parsing known instants, with Z and with offsets")
  func parsing() {
    #expect(EpochTime.parseISO8601("1970-01-01T00:00:00Z") == 0)
    #expect(EpochTime.parseISO8601("1969-12-31T23:59:59.999Z") == -1)
    #expect(EpochTime.parseISO8601("1969-07-20T20:17:40Z") == -14_182_940_000)
    #expect(EpochTime.parseISO8601("1970-01-01T07:00:00+07:00") == 0)
    #expect(EpochTime.parseISO8601("1969-12-31T19:00:00-05:00") == 0)
    #expect(EpochTime.parseISO8601("2024-02-29T12:34:56.789+07:00") == 1_709_184_896_789)
    #expect(EpochTime.parseISO8601("2024-02-29T12:34:56Z") == 1_709_210_096_000)
    // Digits beyond milliseconds are truncated.
    #expect(EpochTime.parseISO8601("2025-11-29T08:00:00.123456789Z") == 1_764_403_200_123)
    #expect(EpochTime.parseISO8601("2025-11-29T08:00:00.1Z") == 1_764_403_200_100)
  }

  @Test(
    "malformed or zone-less text is refused",
    arguments: [
      "", "2025-11-29", "2025-11-29T08:00:00", "2025-11-29T08:00:00+0700", "2025-11-29T08:00:00+07",
      "2025-11-29T08:00:00.Z", "2025-11-29T08:00Z", "25-11-29T08:00:00Z", "2025/11/29T08:00:00Z",
      "2025-00-29T08:00:00Z", "2025-11-00T08:00:00Z", "2025-11-32T08:00:00Z",
      "2025-11-29T08:60:00Z", "2025-11-29T08:00:61Z", "2025-11-29T08:00:00+24:00",
      "2025-11-29T08:00:00ZZ", "2025-11-29T08:00:00.1234567890Z", "-025-11-29T08:00:00Z",
      "２０２５-11-29T08:00:00Z",
    ])
  func refused(text: String) {
    #expect(EpochTime.parseISO8601(text) == nil)
  }

  @Test(
    "dates that do not exist in the calendar are refused",
    arguments: [
      "2025-02-29T00:00:00Z", "2025-02-30T00:00:00Z", "2024-02-30T00:00:00Z",
      "2025-04-31T00:00:00Z", "1900-02-29T00:00:00Z",
    ])
  func nonexistentDates(text: String) {
    #expect(EpochTime.parseISO8601(text) == nil)
  }

  @Test("formatting then parsing gives back the same milliseconds, 0001 to 9999")
  func roundTrip() {
    let first: EpochMillis = -62_135_596_800_000  // 0001-01-01
    let last: EpochMillis = 253_402_300_799_999  // 9999-12-31T23:59:59.999
    var failures = 0
    // An odd step that is not a multiple of a day, second or millisecond pattern.
    for millis in stride(from: first, through: last, by: 97_654_321_097) {
      if EpochTime.parseISO8601(EpochTime.iso8601(millis)) != millis { failures += 1 }
    }
    for millis: EpochMillis in [first, last, -1, 0, 1, 951_782_400_000, 1_709_164_800_000] {
      #expect(EpochTime.parseISO8601(EpochTime.iso8601(millis)) == millis)
    }
    #expect(failures == 0)
  }

  @Test("days from civil dates at known points")
  func knownDays() {
    #expect(EpochTime.daysFromCivil(year: 1970, month: 1, day: 1) == 0)
    #expect(EpochTime.daysFromCivil(year: 1969, month: 12, day: 31) == -1)
    #expect(EpochTime.daysFromCivil(year: 2000, month: 1, day: 1) == 10_957)
    #expect(EpochTime.daysFromCivil(year: 2024, month: 2, day: 29) == 19_782)
    #expect(EpochTime.daysFromCivil(year: 1600, month: 1, day: 1) == -135_140)
    #expect(EpochTime.daysFromCivil(year: 1, month: 1, day: 1) == -719_162)
    #expect(EpochTime.civil(fromDays: 19_782) == (2024, 2, 29))
    #expect(EpochTime.civil(fromDays: -1) == (1969, 12, 31))
    #expect(EpochTime.civil(fromDays: -719_162) == (1, 1, 1))
  }

  @Test("leap years: 2024 and 2000 have a 29 February, 1900 and 2023 do not")
  func leapDays() {
    func february(_ year: Int) -> Int {
      EpochTime.daysFromCivil(year: year, month: 3, day: 1)
        - EpochTime.daysFromCivil(year: year, month: 2, day: 1)
    }
    #expect(february(2024) == 29)
    #expect(february(2000) == 29)
    #expect(february(1600) == 29)
    #expect(february(1900) == 28)
    #expect(february(2023) == 28)
    #expect(february(2100) == 28)
    #expect(
      EpochTime.civil(fromDays: EpochTime.daysFromCivil(year: 2024, month: 2, day: 28) + 1) == (2024, 2, 29))
    #expect(
      EpochTime.civil(fromDays: EpochTime.daysFromCivil(year: 1900, month: 2, day: 28) + 1) == (1900, 3, 1))
  }

  @Test("walking day by day from 1600 to 2400 matches an independent calendar")
  func walkTheCalendar() {
    func daysIn(_ month: Int, of year: Int) -> Int {
      switch month {
      case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
      case 4, 6, 9, 11: 30
      default: 31
      }
    }
    var (year, month, day) = (1600, 1, 1)
    var days = -135_140
    var mismatches = 0
    while year <= 2400 {
      if EpochTime.daysFromCivil(year: year, month: month, day: day) != days { mismatches += 1 }
      if EpochTime.civil(fromDays: days) != (year, month, day) { mismatches += 1 }
      days += 1
      day += 1
      if day > daysIn(month, of: year) {
        day = 1
        month += 1
        if month > 12 { (month, year) = (1, year + 1) }
      }
    }
    #expect(days == 157_420)  // 2401-01-01
    #expect(mismatches == 0)
  }

  @Test("civil(fromDays:) and daysFromCivil agree for every day in ±1 000 000 days")
  func agreementOverAWideRange() {
    var mismatches = 0
    var outOfRange = 0
    for days in -1_000_000...1_000_000 {
      let date = EpochTime.civil(fromDays: days)
      if !(1...12).contains(date.month) || !(1...31).contains(date.day) { outOfRange += 1 }
      if EpochTime.daysFromCivil(year: date.year, month: date.month, day: date.day) != days {
        mismatches += 1
      }
    }
    #expect(outOfRange == 0)
    #expect(mismatches == 0)
    #expect(EpochTime.civil(fromDays: -1_000_000) == (-768, 2, 4))
    #expect(EpochTime.civil(fromDays: 1_000_000) == (4707, 11, 29))
  }
}
