import DeviceModel
import Rollup
import Simulator

/// A deterministic school for the benchmarks: the simulator's layout (a board, a projector — native
/// or behind a Tasmota/Shelly plug —, an air sensor and a card reader per classroom), each device
/// reporting every `intervalMs`, lessons on weekdays, a few offline incidents, and card scans
/// before each lesson. Every value is a pure function of (device, time), so the readings, the
/// usage rows and the uplink payloads all describe the same school.
struct SyntheticSchool {
  struct Device {
    var index: Int
    var id: String
    var kind: DeviceKind
    var room: String
    var profile: String
    var metrics: [String]
    /// Offset of its reports inside each interval, so devices do not all report at once.
    var phaseMs: Int64
  }

  let devices: [Device]
  let calendar: SchoolCalendar
  let intervalMs: Int64
  /// Local midnight of the first synthesized day.
  let start: EpochMillis
  /// The school's UTC offset (assumed constant over the month: true for the default zone).
  private let offsetMs: Int64
  private static let dayMs: Int64 = 86_400_000

  init(deviceCount: Int, calendar: SchoolCalendar, intervalMs: Int64, start: EpochMillis) {
    self.calendar = calendar
    self.intervalMs = intervalMs
    self.start = start
    offsetMs = Int64(calendar.zone.offsetSeconds(atUTC: start)) * 1000
    let layout = SchoolLayout(deviceCount: deviceCount, seed: 7)
    let count = layout.devices.count
    devices = layout.devices.enumerated().map { index, device in
      let profile: String
      var metrics: [String]
      switch (device.kind, device.protocolName) {
      case (.board, _):
        metrics = ["power_on", "active", "input_source"]
      case (.projector, .native):
        metrics = ["power_on", "lamp_hours", "error_code"]
      case (.projector, _):
        metrics = ["power_on", "power", "energy", "voltage", "current"]
      case (.envSensor, .zigbee2mqtt):
        metrics = ["co2", "temperature", "humidity", "noise", "battery", "linkquality"]
      case (.envSensor, _):
        metrics = ["co2", "temperature", "humidity", "noise", "battery"]
      default:
        metrics = ["rssi"]  // a reader's heartbeat
      }
      switch device.protocolName {
      case .native: profile = "native"
      case .zigbee2mqtt: profile = "zigbee2mqtt"
      case .tasmota: profile = "tasmota"
      case .shelly: profile = "shelly_gen2"
      case .esphome: profile = "esphome"
      }
      return Device(
        index: index, id: device.id, kind: device.kind, room: device.room, profile: profile,
        metrics: metrics, phaseMs: Int64(index) * intervalMs / Int64(max(count, 1)))
    }
  }

  // MARK: - Time

  func dayIndex(_ t: EpochMillis) -> Int { Int((t - start) / Self.dayMs) }

  /// Minutes since local midnight.
  func localMinute(_ t: EpochMillis) -> Int { Int(((t + offsetMs) % Self.dayMs) / 60_000) }

  func isWeekday(_ t: EpochMillis) -> Bool {
    // 1970-01-01 was a Thursday: day 0 → Thursday.
    let weekday = Int(((t + offsetMs) / Self.dayMs + 3) % 7)  // 0 = Monday
    return weekday < 5
  }

  /// Lesson starts (local minutes): 07:00, 08:45, 13:00, 14:45; each lasts 90 minutes.
  static let lessonStarts = [420, 525, 780, 885]

  func lesson(_ t: EpochMillis) -> Int? {
    guard isWeekday(t) else { return nil }
    let minute = localMinute(t)
    return Self.lessonStarts.firstIndex { minute >= $0 && minute < $0 + 90 }
  }

  // MARK: - Values

  static func hash(_ a: Int, _ b: Int64, _ c: Int = 0) -> UInt64 {
    var x = UInt64(bitPattern: Int64(a)) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(bitPattern: b) ^ UInt64(c) &<< 48
    x ^= x >> 30
    x = x &* 0xBF58_476D_1CE4_E5B9
    x ^= x >> 27
    x = x &* 0x94D0_49BB_1331_11EB
    return x ^ (x >> 31)
  }

  /// Boards and projectors are on in most lessons (not every room is used every period).
  func isOn(_ device: Device, at t: EpochMillis) -> Bool {
    guard let lesson = lesson(t) else { return false }
    return Self.hash(device.index, Int64(dayIndex(t)), lesson) % 5 != 0
  }

  func value(_ device: Device, _ metric: String, at t: EpochMillis) -> Double {
    let h = Self.hash(device.index, t, metric.utf8.count)
    let hours = Double(t - start) / 3_600_000
    switch metric {
    case "power_on": return isOn(device, at: t) ? 1 : 0
    case "active": return isOn(device, at: t) && Self.hash(device.index, t / 600_000) % 3 != 0 ? 1 : 0
    case "input_source": return Double(1 + Self.hash(device.index, Int64(dayIndex(t))) % 3)
    case "lamp_hours": return round(1000 + Double(device.index * 7) + hours * 0.3, 1)
    case "error_code": return 0
    case "power":
      return isOn(device, at: t) ? round(180 + Double(h % 200) / 10, 1) : round(1.5 + Double(h % 10) / 10, 1)
    case "energy": return round(50 + Double(device.index) + hours * 0.075, 3)
    case "voltage": return Double(226 + h % 9)
    case "current": return round(value(device, "power", at: t) / 230, 3)
    case "co2":
      let minute = localMinute(t)
      let into = lesson(t).map { Double(minute - Self.lessonStarts[$0]) / 90 } ?? 0
      return Double(430 + Int(into * 750) + Int(h % 60))
    case "temperature": return round(27 + 3 * Double(localMinute(t)) / 1440 + Double(h % 10) / 10, 1)
    case "humidity": return Double(55 + h % 20)
    case "noise":
      return lesson(t) != nil ? round(55 + Double(h % 150) / 10, 1) : round(34 + Double(h % 40) / 10, 1)
    case "battery": return Double(100 - dayIndex(t) / 3)
    case "linkquality": return Double(80 + h % 120)
    case "rssi": return -Double(45 + h % 30)
    default: return 0
    }
  }

  private func round(_ value: Double, _ places: Int) -> Double {
    let scale = places == 1 ? 10.0 : places == 2 ? 100.0 : 1000.0
    return (value * scale).rounded() / scale
  }

  // MARK: - Availability

  /// About one device in four has one offline incident (5–45 minutes) on a given day.
  func incident(_ device: Device, day: Int) -> Period? {
    let h = Self.hash(device.index, Int64(day), 99)
    guard h % 4 == 0 else { return nil }
    let dayStart = start + Int64(day) * Self.dayMs
    let from = dayStart + Int64(360 + (h >> 8) % 660) * 60_000 + Int64((h >> 20) % 60_000)
    return Period(start: from, end: from + Int64(5 + (h >> 32) % 40) * 60_000)
  }

  func isOnline(_ device: Device, at t: EpochMillis) -> Bool {
    guard t >= start, let outage = incident(device, day: dayIndex(t)) else { return true }
    return !(outage.start..<outage.end).contains(t)
  }

  /// Times this device reports in [from, to), oldest first.
  func reportTimes(_ device: Device, from: EpochMillis, to: EpochMillis) -> StrideTo<EpochMillis> {
    stride(from: firstReport(device, atOrAfter: from), to: to, by: Int(intervalMs))
  }

  /// Its first report at or after `time`.
  func firstReport(_ device: Device, atOrAfter time: EpochMillis) -> EpochMillis {
    let phase = device.phaseMs
    return ((time - phase + intervalMs - 1) / intervalMs) * intervalMs + phase
  }

  // MARK: - Card scans

  /// Weekday scans at a reader: its class (30–40 students) in the ten minutes before each
  /// lesson, 7–17 s apart. Cards are already pseudonyms, as the decoder stores them.
  func scans(_ device: Device, day: Int) -> [(time: EpochMillis, card: String)] {
    guard device.kind == .attendanceReader else { return [] }
    let dayStart = start + Int64(day) * Self.dayMs
    guard isWeekday(dayStart + 12 * 3_600_000) else { return [] }
    let students = 30 + Int(Self.hash(device.index, 0, 7) % 11)
    var result: [(EpochMillis, String)] = []
    for (lessonIndex, minute) in Self.lessonStarts.enumerated() {
      var t = dayStart - offsetMs + Int64(minute - 10) * 60_000 + Int64(device.index % 7) * 1000
      for student in 0..<students
      where Self.hash(device.index, Int64(day), lessonIndex * 64 + student) % 20 != 0 {
        t += 7000 + Int64(Self.hash(device.index, t) % 10_000)
        result.append((t, Self.card(room: device.room, student: student)))
      }
    }
    return result
  }

  static func card(room: String, student: Int) -> String {
    // FNV-1a over the room id: String.hashValue is seeded per process, and runs must agree.
    let roomHash = room.utf8.reduce(0xCBF2_9CE4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
    let h1 = hash(Int(truncatingIfNeeded: roomHash), Int64(student), 1)
    let h2 = hash(Int(truncatingIfNeeded: roomHash), Int64(student), 2)
    return "hmac:" + hex(h1) + hex(h2)
  }

  private static func hex(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }

  // MARK: - Histories, as the HistoryReader would read them

  func history(
    _ device: Device, over window: Period, scans: [(time: EpochMillis, card: String)]
  ) -> DeviceHistory {
    var history = DeviceHistory(
      id: device.id, kind: device.kind, room: device.room, firstSeen: start,
      statusAtStart: isOnline(device, at: window.start - 1) ? .online : .offline)
    if let outage = incident(device, day: dayIndex(window.start)) {
      for (time, status) in [(outage.start, DeviceStatus.offline), (outage.end, .online)]
      where time >= window.start && time < window.end {
        history.statusChanges.append(StatusPoint(time: time, status: status))
      }
    }
    let times = Array(reportTimes(device, from: window.start, to: window.end)).filter {
      isOnline(device, at: $0)
    }
    // The last report before the window (skipping an outage): one interval back is nearly always it.
    var previous = firstReport(device, atOrAfter: window.start) - intervalMs
    while previous >= start, !isOnline(device, at: previous) { previous -= intervalMs }
    for metric in device.metrics {
      var series = MetricSeries()
      if previous >= start {
        series.before = Sample(time: previous, value: value(device, metric, at: previous))
      }
      series.samples = times.map { Sample(time: $0, value: value(device, metric, at: $0)) }
      history.series[metric] = series
    }
    history.events = scans.filter { $0.time >= window.start && $0.time < window.end }
      .map { EventPoint(time: $0.time, type: "card_scan", card: $0.card) }
    return history
  }
}
