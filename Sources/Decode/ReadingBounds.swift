import DeviceModel

/// The numbers a reading may carry, so that every sum, mean and integral the rollups make of them
/// stays finite and every summary validates (a `mean` of `null` would fail the whole school's
/// window summary at the IOC).
///
/// - Any metric: |value| ≤ 10^15. No school sensor or meter reports more (a kWh counter would
///   need a billion years at 100 kW), and a window's sum of a million such readings, or a day of
///   1e15 W integrated in W·ms (~10^23), is still far from Double's 1.8 × 10^308. Integers up to
///   10^15 are exact in a Double.
/// - `power`, `energy` and `lamp_hours` are never negative: the uplink contract's `energy_kwh` and
///   `lamp_hours` are ≥ 0 (a negative power reading would integrate into negative energy).
///
/// A reading outside these bounds is a glitching device or a wrong profile scale: the message
/// becomes an `invalid_value` dead letter that names the field, never a stored reading.
public enum ReadingBounds {
  public static let maxMagnitude = 1e15
  public static let nonNegativeMetrics: Set<String> = ["power", "energy", "lamp_hours"]

  /// Throws unless `value` may be stored as `metric`; `field` is the payload's name for it.
  static func check(_ value: Double, metric: String, field: String) throws(DeadLetterReason) {
    guard value.isFinite, value.magnitude <= maxMagnitude else {
      throw DeadLetterReason(
        .invalidValue, "field '\(field)' is out of range: readings are limited to ±1e15")
    }
    if value < 0, nonNegativeMetrics.contains(metric) {
      throw DeadLetterReason(.invalidValue, "field '\(field)' is negative; \(metric) cannot be")
    }
  }
}
