import CMosquitto

#if canImport(Glibc)
  import Glibc
#endif

/// Where libmosquitto's callbacks leave what they saw. The callbacks only run inside
/// `mosquitto_loop_read/write/misc`, which the owning connection calls on its own thread,
/// so this needs no lock. It must outlive the `mosquitto` handle (see MQTTConnection.deinit).
final class CallbackSink {
  var messages: [MQTTMessage] = []
  var events: [MQTTEvent] = []
  var maxPayloadCopy = Int.max

  var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

  static func from(_ pointer: UnsafeMutableRawPointer?) -> CallbackSink {
    Unmanaged<CallbackSink>.fromOpaque(pointer!).takeUnretainedValue()
  }

  func install(on handle: OpaquePointer) {
    mosquitto_connect_with_flags_callback_set(handle, onConnect)
    mosquitto_disconnect_callback_set(handle, onDisconnect)
    mosquitto_message_callback_set(handle, onMessage)
    mosquitto_publish_callback_set(handle, onPublish)
    mosquitto_subscribe_callback_set(handle, onSubscribe)
  }
}

// The trampolines: @convention(c), no captures; they copy what they need out of C memory at once.

private func onConnect(_: OpaquePointer?, _ context: UnsafeMutableRawPointer?, rc: Int32, flags: Int32) {
  let sink = CallbackSink.from(context)
  if rc == 0 {
    sink.events.append(.connected(sessionPresent: flags & 1 == 1))
  } else {
    // MQTT 3.1.1 return code or MQTT 5 reason code, as the broker sent it.
    sink.events.append(.refused(reason: .refused(code: rc)))
  }
}

private func onDisconnect(_: OpaquePointer?, _ context: UnsafeMutableRawPointer?, rc: Int32) {
  let savedErrno = errno
  let sink = CallbackSink.from(context)
  // libmosquitto passes a broker's MQTT 5 DISCONNECT reason code (≥ 128) as rc, and its own
  // MOSQ_ERR_* (< 128) otherwise.
  let reason: MQTTReason =
    switch rc {
    case 0: .closedByUs
    case 128...: .disconnectedByBroker(code: rc)
    default: .failure(code: rc, errno: savedErrno)
    }
  sink.events.append(.disconnected(reason: reason))
}

private func onMessage(
  _: OpaquePointer?, _ context: UnsafeMutableRawPointer?,
  _ message: UnsafePointer<mosquitto_message>?
) {
  guard let message = message?.pointee, let topic = message.topic else { return }
  let sink = CallbackSink.from(context)
  let count = Int(message.payloadlen)
  let kept = min(count, sink.maxPayloadCopy)
  let payload: [UInt8] =
    if kept > 0, let bytes = message.payload {
      Array(UnsafeRawBufferPointer(start: bytes, count: kept))
    } else {
      []
    }
  sink.messages.append(
    MQTTMessage(
      topic: String(cString: topic), payload: payload, size: count, qos: message.qos,
      retained: message.retain))
}

private func onPublish(_: OpaquePointer?, _ context: UnsafeMutableRawPointer?, mid: Int32) {
  CallbackSink.from(context).events.append(.published(messageID: mid))
}

private func onSubscribe(
  _: OpaquePointer?, _ context: UnsafeMutableRawPointer?, mid: Int32, count: Int32,
  granted: UnsafePointer<Int32>?
) {
  let qos = granted.map { Array(UnsafeBufferPointer(start: $0, count: Int(count))) } ?? []
  CallbackSink.from(context).events.append(.subscribed(messageID: mid, grantedQoS: qos))
}
