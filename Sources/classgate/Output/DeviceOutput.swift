import Agent
import Buffer
import DeviceModel
import JSON

/// The documented JSON shapes of `devices --json` and `device ID --json` (docs/cli.md).
enum DeviceOutput {
  static func json(_ device: DeviceSummary, now: EpochMillis, time: SchoolTime) -> JSONValue {
    var values = JSONObject()
    for value in device.values {
      values[value.metric] = .object(
        JSONObject([
          ("value", .number(value.value)),
          ("unit", .string(Metrics.unit(of: value.metric))),
          ("time", .string(time.text(value.time))),
        ]))
    }
    return .object(
      JSONObject([
        ("id", .string(device.id)),
        // The inventory's name, else the name the device goes by (a Zigbee2MQTT friendly name
        // that is not a valid id, see Devices/README.md); null when neither.
        ("name", device.name.map(JSONValue.string) ?? .null),
        ("kind", .string(device.kind.rawValue)),
        ("room", device.room.map(JSONValue.string) ?? .null),
        ("profile", .string(device.profile)),
        ("status", .string(device.status.rawValue)),
        ("status_since", device.statusSince.map { .string(time.text($0)) } ?? .null),
        ("last_seen", device.lastSeen.map { .string(time.text($0)) } ?? .null),
        (
          "last_seen_age_s",
          device.lastSeen.map { .number(Double(max(0, (now - $0) / 1000))) } ?? .null
        ),
        ("first_seen", .string(time.text(device.firstSeen))),
        ("values", .object(values)),
      ]))
  }

  /// "co2=812 ppm temperature=27.4 °C", the first few values for the table.
  static func keyValues(_ device: DeviceSummary, limit: Int = 4) -> String {
    let ranked = device.values.sorted { rank($0.metric) < rank($1.metric) }
    var parts = ranked.prefix(limit).map { value in
      let unit = Metrics.unit(of: value.metric)
      let shown = unit.isEmpty || unit == "bool" || unit == "code" ? "" : " \(unit)"
      return "\(value.metric)=\(format(value.value))\(shown)"
    }
    if ranked.count > limit { parts.append("+\(ranked.count - limit)") }
    return parts.joined(separator: " ")
  }

  static func format(_ value: Double) -> String {
    JSONWriter.compact(.number((value * 100).rounded() / 100))
  }

  /// Canonical metrics in their documented order first, a site's own after.
  private static func rank(_ metric: String) -> Int {
    Metrics.all.firstIndex { $0.name == metric } ?? Metrics.all.count
  }
}

extension DeviceKind {
  /// The kind in at most 9 columns, for tables cut to the terminal's width.
  var shortLabel: String {
    switch self {
    case .envSensor: "sensor"
    case .attendanceReader: "reader"
    default: rawValue
    }
  }
}
