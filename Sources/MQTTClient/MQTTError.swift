import CMosquitto

#if canImport(Glibc)
  import Glibc
#endif

/// A libmosquitto call failed. `description` is libmosquitto's own sentence plus what we were doing.
public struct MQTTError: Error, Sendable, CustomStringConvertible {
  public let code: Int32
  public let operation: String
  public let detail: String

  init(code: Int32, operation: String) {
    self.code = code
    self.operation = operation
    if code == MOSQ_ERR_ERRNO.rawValue {
      self.detail = String(cString: strerror(errno))
    } else {
      self.detail = String(cString: mosquitto_strerror(code))
    }
  }

  public var description: String { "\(operation): \(detail)" }

  /// The broker said (MQTT 5 Maximum Packet Size) that it takes no packet this large.
  public var isOversizePacket: Bool { code == MOSQ_ERR_OVERSIZE_PACKET.rawValue }
}

@inline(__always)
func check(_ rc: Int32, _ operation: @autoclosure () -> String) throws(MQTTError) {
  if rc != MOSQ_ERR_SUCCESS.rawValue { throw MQTTError(code: rc, operation: operation()) }
}
