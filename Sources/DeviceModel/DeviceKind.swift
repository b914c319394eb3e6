/// The kinds of classroom hardware ClassGate knows. Rollups and the CLI group by these.
public enum DeviceKind: String, Sendable, CaseIterable, Codable {
  case board
  case projector
  case envSensor = "env_sensor"
  case attendanceReader = "attendance_reader"
  case plug
  case other
}

/// A device's availability as the technician sees it.
public enum DeviceStatus: String, Sendable, CaseIterable, Codable {
  /// Never reported a status and not seen yet.
  case unknown
  case online
  case offline
  /// Said it was online but has been silent longer than the configured limit.
  case stale
}
