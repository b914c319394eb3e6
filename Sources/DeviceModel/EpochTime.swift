/// Conversions between epoch milliseconds and ISO 8601 text, without Foundation (which would pull
/// ICU into a small daemon). Civil-date arithmetic after Howard Hinnant's `days_from_civil`.
public enum EpochTime {
  /// `2026-11-29T01:02:03.456Z`
  public static func iso8601(_ millis: EpochMillis) -> String {
    let (days, msOfDay) = floorDivide(millis, 86_400_000)
    let (year, month, day) = civil(fromDays: Int(days))
    let seconds = Int(msOfDay / 1000)
    let ms = Int(msOfDay % 1000)
    return
      "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2)).\(pad(ms, 3))Z"
  }

  /// `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)`. A zone is required: a device's local time is ambiguous.
  public static func parseISO8601(_ text: String) -> EpochMillis? {
    let bytes = Array(text.utf8)
    guard bytes.count >= 20, bytes.count <= 40 else { return nil }
    func digits(_ start: Int, _ count: Int) -> Int? {
      guard start + count <= bytes.count else { return nil }
      var value = 0
      for byte in bytes[start..<start + count] {
        guard byte >= 48, byte <= 57 else { return nil }
        value = value * 10 + Int(byte - 48)
      }
      return value
    }
    guard let year = digits(0, 4), bytes[4] == 45, let month = digits(5, 2), bytes[7] == 45,
      let day = digits(8, 2), bytes[10] == 84 || bytes[10] == 32, let hour = digits(11, 2),
      bytes[13] == 58, let minute = digits(14, 2), bytes[16] == 58, let second = digits(17, 2),
      (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), hour < 24,
      minute < 60, second < 61
    else { return nil }
    var index = 19
    var millis = 0
    if index < bytes.count, bytes[index] == 46 {
      index += 1
      var scale = 100
      let start = index
      while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57, index - start < 9 {
        millis += Int(bytes[index] - 48) * scale
        scale /= 10
        index += 1
      }
      guard index > start else { return nil }
    }
    guard index < bytes.count else { return nil }
    var offsetMinutes = 0
    switch bytes[index] {
    case 90, 122:  // Z z
      guard index + 1 == bytes.count else { return nil }
    case 43, 45:  // + -
      guard index + 6 == bytes.count, let hours = digits(index + 1, 2), bytes[index + 3] == 58,
        let minutes = digits(index + 4, 2), hours < 24, minutes < 60
      else { return nil }
      offsetMinutes = (hours * 60 + minutes) * (bytes[index] == 45 ? -1 : 1)
    default:
      return nil
    }
    let days = daysFromCivil(year: year, month: month, day: day)
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60
    return EpochMillis(seconds) * 1000 + EpochMillis(millis)
  }

  public static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
  }

  /// Days since 1970-01-01 in the proleptic Gregorian calendar.
  public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  public static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let mp = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }

  private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
    let quotient = a / b
    let remainder = a % b
    return remainder < 0 ? (quotient - 1, remainder + b) : (quotient, remainder)
  }

  private static func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
  }
}
