/// The canonical metrics: one name and one unit each, whatever the vendor calls them.
/// Profiles convert vendor fields into these; rollups and the IOC rely on the units.
public struct CanonicalMetric: Sendable, Equatable {
  public let name: String
  public let unit: String
  public let summary: String
}

public enum Metrics {
  public static let all: [CanonicalMetric] = [
    .init(name: "power_on", unit: "bool", summary: "1 when the device is switched on"),
    .init(name: "active", unit: "bool", summary: "1 while a board/projector is in active use"),
    .init(name: "input_source", unit: "code", summary: "selected input, a device-specific code"),
    .init(name: "lamp_hours", unit: "h", summary: "projector lamp hours"),
    .init(name: "error_code", unit: "code", summary: "0 = no error"),
    .init(name: "power", unit: "W", summary: "active power"),
    .init(name: "energy", unit: "kWh", summary: "energy meter total"),
    .init(name: "voltage", unit: "V", summary: "mains voltage"),
    .init(name: "current", unit: "A", summary: "mains current"),
    .init(name: "co2", unit: "ppm", summary: "carbon dioxide"),
    .init(name: "temperature", unit: "°C", summary: "air temperature"),
    .init(name: "humidity", unit: "%", summary: "relative humidity"),
    .init(name: "noise", unit: "dBA", summary: "sound level"),
    .init(name: "illuminance", unit: "lx", summary: "light level"),
    .init(name: "pm25", unit: "µg/m³", summary: "fine particulate matter"),
    .init(name: "voc", unit: "ppb", summary: "volatile organic compounds"),
    .init(name: "occupancy", unit: "bool", summary: "1 when presence is detected"),
    .init(name: "battery", unit: "%", summary: "battery charge"),
    .init(name: "linkquality", unit: "lqi", summary: "radio link quality"),
    .init(name: "rssi", unit: "dBm", summary: "Wi-Fi signal strength"),
    .init(name: "battery_voltage", unit: "V", summary: "battery voltage (not mains)"),
    .init(name: "presence", unit: "bool", summary: "1 while someone is present (mmWave, radar)"),
    .init(name: "contact", unit: "bool", summary: "1 when a door/window contact is closed, 0 when open"),
    .init(name: "pressure", unit: "hPa", summary: "air pressure"),
    .init(name: "pm1", unit: "µg/m³", summary: "particulate matter below 1 µm"),
    .init(name: "pm10", unit: "µg/m³", summary: "particulate matter below 10 µm"),
    .init(name: "formaldehyde", unit: "mg/m³", summary: "formaldehyde (HCHO)"),
    .init(
      name: "chip_temperature", unit: "°C",
      summary: "a device's own (chip, relay) temperature, not the room's"),
    .init(name: "frequency", unit: "Hz", summary: "mains frequency"),
    .init(name: "apparent_power", unit: "VA", summary: "apparent power"),
    .init(name: "power_factor", unit: "ratio", summary: "power factor, 0…1"),
  ]

  private static let byName: [String: CanonicalMetric] = Dictionary(
    uniqueKeysWithValues: all.map { ($0.name, $0) })

  public static func canonical(_ name: String) -> CanonicalMetric? { byName[name] }

  /// The unit of a canonical metric; an empty string for a site's own metric.
  public static func unit(of name: String) -> String { byName[name]?.unit ?? "" }
}
