import DeviceModel
import JSON

/// The first room's script: every number of its lessons follows from the timetable (SchoolDay),
/// so tests can work them out by hand. Its devices report every minute and never drop out:
/// - the board is on from 2 minutes after each period starts to 3 minutes before it ends (40 of
///   45 minutes), in active use from minute 5 to minute 25 of it, and left on after school from
///   the end of the last period (16:35) until the simulation stops;
/// - the projector is on for the first two morning periods, whole;
/// - CO2 is 600 ppm outside lessons and 600 + 20 per minute into a lesson (1480 in its last minute);
///   the temperature is 30 °C;
/// - the card reader reads 30 cards at 06:50–06:59 (before the first period), then in period 1
///   cards 31, 32 and 31 again at 07:05–07:07, and card 5 at 14:05 in the first afternoon period.
/// On a holiday only the board is on, 09:00–11:00, and nothing else happens.
enum ShowcaseRoom {
  static func period(at minute: Int) -> (start: Int, end: Int)? {
    SchoolDay.periods.first { minute >= $0.start && minute < $0.end }.map { ($0.start, $0.end) }
  }

  static func boardOn(_ minute: Int) -> Bool {
    if let lesson = period(at: minute) { return minute >= lesson.start + 2 && minute < lesson.end - 3 }
    return minute >= SchoolDay.periods[SchoolDay.periods.count - 1].end
  }

  static func boardActive(_ minute: Int) -> Bool {
    guard let lesson = period(at: minute) else { return false }
    return minute >= lesson.start + 5 && minute < lesson.start + 25
  }

  static func projectorOn(_ minute: Int) -> Bool {
    minute >= SchoolDay.periods[0].start && minute < SchoolDay.periods[1].end
  }

  static func co2(_ minute: Int) -> Double {
    period(at: minute).map { 600 + 20 * Double(minute - $0.start) } ?? 600
  }

  /// (second within the minute, card number) of each scan in that minute.
  static func scans(_ minute: Int) -> [(second: Int, card: Int)] {
    switch minute {
    case 410..<420: (1...3).map { ((($0 - 1) * 15), (minute - 410) * 3 + $0) }
    case 425: [(10, 31)]
    case 426: [(10, 32)]
    case 427: [(10, 31)]
    case 845: [(10, 5)]
    default: []
    }
  }

  static func telemetry(
    _ device: SchoolLayout.SimDevice, time: Int64, minute: Int, prefix: String, holiday: Bool
  ) -> [SimMessage] {
    if holiday {
      return holidayTelemetry(device, time: time, minute: minute, prefix: prefix)
    }
    func native(_ channel: String, _ fields: KeyValuePairs<String, JSONValue>) -> SimMessage {
      SchoolSimulator.native(device, channel, fields, prefix: prefix)
    }
    switch device.kind {
    case .board:
      return [
        native(
          "telemetry",
          [
            "ts": .number(Double(time)), "power_on": .bool(boardOn(minute)),
            "active": .bool(boardActive(minute)),
          ])
      ]
    case .projector:
      return [native("telemetry", ["ts": .number(Double(time)), "power_on": .bool(projectorOn(minute))])]
    case .envSensor where device.protocolName == .zigbee2mqtt:
      let payload = JSONWriter.compact(
        .object(
          JSONObject([
            ("co2", .number(co2(minute))), ("temperature", .number(30)),
            ("last_seen", .string(EpochTime.iso8601(time))),
          ])))
      return [
        SimMessage(topic: "zigbee2mqtt/\(device.id)", payload: payload, retain: false, malformed: false)
      ]
    case .envSensor:
      return [
        native(
          "telemetry", ["ts": .number(Double(time)), "co2": .number(co2(minute)), "temperature": .number(30)])
      ]
    case .attendanceReader:
      return scans(minute).map { scan in
        native(
          "event",
          [
            "type": .string("card_scan"), "ts": .number(Double(time + Int64(scan.second) * 1000)),
            "card": .string("SHOWCASE-\(scan.card)"),
          ])
      }
    default:
      return []
    }
  }

  private static func holidayTelemetry(
    _ device: SchoolLayout.SimDevice, time: Int64, minute: Int, prefix: String
  ) -> [SimMessage] {
    switch device.kind {
    case .board:
      let on = minute >= 540 && minute < 660
      return [
        SchoolSimulator.native(
          device, "telemetry", ["ts": .number(Double(time)), "power_on": .bool(on), "active": .bool(false)],
          prefix: prefix)
      ]
    case .projector, .envSensor:
      return telemetry(device, time: time, minute: 0, prefix: prefix, holiday: false)
    default:
      return []
    }
  }
}
