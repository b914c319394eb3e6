import DeviceModel

/// `--from`/`--to`: epoch milliseconds, or `YYYY-MM-DDTHH:MM[:SS](Z|±HH:MM)`.
public enum TimeArgument {
  public static func epochMs(_ text: String) -> Int64? {
    if let ms = Int64(text) { return ms }
    let bytes = Array(text.utf8)
    guard bytes.count >= 17, bytes[10] == UInt8(ascii: "T") else { return nil }
    func number(_ start: Int, _ count: Int) -> Int? {
      guard start + count <= bytes.count else { return nil }
      return Int(String(decoding: bytes[start..<start + count], as: UTF8.self))
    }
    let dateParts = String(decoding: bytes[0..<10], as: UTF8.self).split(separator: "-").compactMap {
      Int($0)
    }
    guard dateParts.count == 3, let hour = number(11, 2), let minute = number(14, 2) else { return nil }
    var index = 16
    var second = 0
    if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
      guard let value = number(17, 2) else { return nil }
      second = value
      index = 19
    }
    guard index < bytes.count else { return nil }
    var offsetMinutes = 0
    if bytes[index] == UInt8(ascii: "Z") {
      guard index + 1 == bytes.count else { return nil }
    } else {
      guard bytes.count == index + 6, let hours = number(index + 1, 2), let minutes = number(index + 4, 2)
      else { return nil }
      let sign = bytes[index] == UInt8(ascii: "-") ? -1 : bytes[index] == UInt8(ascii: "+") ? 1 : 0
      guard sign != 0 else { return nil }
      offsetMinutes = sign * (hours * 60 + minutes)
    }
    let days = EpochTime.daysFromCivil(year: dateParts[0], month: dateParts[1], day: dateParts[2])
    let seconds = ((days * 24 + hour) * 60 + minute) * 60 + second - offsetMinutes * 60
    return Int64(seconds) * 1000
  }
}
