import DeviceModel

/// The dead-letter reason of `result`, or nil when it is not a dead letter.
public func deadLetter(_ result: DecodeResult?) -> DeadLetterReason? {
  guard case .deadLetter(let reason)? = result else { return nil }
  return reason
}

/// The readings of `result`, or nil when it is not decoded telemetry.
public func readings(_ result: DecodeResult?) -> [Reading]? {
  guard case .decoded(let message)? = result, case .readings(let readings) = message.content else {
    return nil
  }
  return readings
}

/// The device of a decoded `result`, or nil.
public func identity(_ result: DecodeResult?) -> DeviceIdentity? {
  guard case .decoded(let message)? = result else { return nil }
  return message.device
}
