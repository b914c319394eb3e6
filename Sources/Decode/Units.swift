import DeviceModel

/// Unit conversions into the canonical units of `Metrics`: what a profile's `unit` (fixed) or
/// `unit_field` (named by the payload, Tasmota's `TempUnit`) can say. A unit not listed here for a
/// metric is unknown: the value is noted (`FieldNote.unknownUnit`), never stored as if canonical.
public enum Units {
  /// (unit as written by devices, case-insensitive) → canonical = value × scale + offset.
  private static let conversions: [String: [String: (scale: Double, offset: Double)]] = [
    "°C": [
      "c": (1, 0), "°c": (1, 0), "celsius": (1, 0),
      "f": (5.0 / 9.0, -32 * 5.0 / 9.0), "°f": (5.0 / 9.0, -32 * 5.0 / 9.0),
      "fahrenheit": (5.0 / 9.0, -32 * 5.0 / 9.0),
      "k": (1, -273.15),
    ],
    "hPa": [
      "hpa": (1, 0), "mbar": (1, 0), "kpa": (10, 0), "pa": (0.01, 0),
      "mmhg": (1.333_224, 0), "inhg": (33.863_89, 0),
    ],
    "V": ["v": (1, 0), "mv": (0.001, 0)],
    "A": ["a": (1, 0), "ma": (0.001, 0)],
    "W": ["w": (1, 0), "kw": (1000, 0)],
    "kWh": ["kwh": (1, 0), "wh": (0.001, 0)],
    "µg/m³": ["µg/m³": (1, 0), "ug/m3": (1, 0), "µg/m3": (1, 0)],
    "mg/m³": ["mg/m³": (1, 0), "mg/m3": (1, 0), "µg/m³": (0.001, 0), "ug/m3": (0.001, 0)],
    "ppm": ["ppm": (1, 0)],
    "ppb": ["ppb": (1, 0)],
    "%": ["%": (1, 0)],
    "lx": ["lx": (1, 0), "lux": (1, 0)],
    "dBm": ["dbm": (1, 0), "db": (1, 0)],
  ]

  /// `value` in `unit` converted to `metric`'s canonical unit, or nil when the unit is unknown for
  /// it. A site's own (not canonical) metric has no unit: only an empty unit is known for it.
  public static func convert(_ value: Double, from unit: String, metric: String) -> Double? {
    let canonical = Metrics.unit(of: metric)
    let written = unit.lowercased()
    if written.isEmpty || written == canonical.lowercased() { return value }
    guard let conversion = conversions[canonical]?[written] else { return nil }
    return value * conversion.scale + conversion.offset
  }

  /// True when `unit` converts into `metric`'s canonical unit (for checking profile files).
  public static func isKnown(_ unit: String, metric: String) -> Bool {
    convert(0, from: unit, metric: metric) != nil
  }
}
