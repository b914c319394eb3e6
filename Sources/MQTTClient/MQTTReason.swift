import CMosquitto

#if canImport(Glibc)
  import Glibc
#endif

/// Why a broker refused or ended a connection, or why libmosquitto gave up on it, as the codes it
/// reported. Callers decide on the values (`isNotAuthorised`, `isSessionTakenOver`, …); people
/// read `description`, which says it in words and keeps the code. libmosquitto 2.0.11's own
/// strings cannot be used for this: `mosquitto_strerror` says "Unknown error." for a keepalive
/// timeout (19) and for every MQTT 5 reason code, and `mosquitto_connack_string` says "unknown
/// reason" for MQTT 5's 134/135.
public enum MQTTReason: Sendable, Equatable, CustomStringConvertible {
  /// The broker's CONNACK refused us: an MQTT 3.1.1 return code (1–5) or an MQTT 5 reason code (≥ 128).
  case refused(code: Int32)
  /// The broker sent an MQTT 5 DISCONNECT with this reason code.
  case disconnectedByBroker(code: Int32)
  /// A libmosquitto error on the connection (`MOSQ_ERR_*`), with `errno` for `MOSQ_ERR_ERRNO`.
  case failure(code: Int32, errno: Int32)
  /// The broker closed `times` connections in a row soon after accepting them (MQTT 3.1.1 has no
  /// DISCONNECT from the broker): what another client with the same client id causes.
  case closedAfterConnect(times: Int)
  /// We closed it.
  case closedByUs

  /// Wrong user name or password, or an account the broker does not let in.
  public var isNotAuthorised: Bool {
    switch self {
    case .refused(let code): [4, 5, 134, 135].contains(code)
    case .disconnectedByBroker(let code): code == 135
    default: false
    }
  }

  /// Another client connected with our client id (MQTT 5 reason 142, or repeated kicks in 3.1.1).
  public var isSessionTakenOver: Bool {
    switch self {
    case .disconnectedByBroker(let code): code == 142
    case .closedAfterConnect: true
    default: false
    }
  }

  /// Nothing answered in time: a broker host that is unreachable or drops packets.
  public var isTimeout: Bool {
    guard case .failure(let code, let errno) = self else { return false }
    return code == MOSQ_ERR_KEEPALIVE.rawValue || code == MOSQ_ERR_TIMEOUT.rawValue
      || (code == MOSQ_ERR_ERRNO.rawValue && errno == ETIMEDOUT)
  }

  /// libmosquitto's TLS layer failed (our side refused the server's certificate, or the handshake).
  public var isTLS: Bool {
    guard case .failure(let code, _) = self else { return false }
    return code == MOSQ_ERR_TLS.rawValue || code == MOSQ_ERR_TLS_HANDSHAKE.rawValue
  }

  /// The connection dropped without a reason from the broker: libmosquitto's "connection lost" or
  /// a protocol error (what a TLS server refusing our certificate looks like before CONNACK).
  public var isDropped: Bool {
    guard case .failure(let code, let errno) = self else { return false }
    return code == MOSQ_ERR_CONN_LOST.rawValue || code == MOSQ_ERR_PROTOCOL.rawValue
      || (code == MOSQ_ERR_ERRNO.rawValue && [EPROTO, ECONNRESET, EPIPE].contains(errno))
  }

  public var description: String {
    switch self {
    case .refused(let code):
      let label = code >= 128 ? "reason code \(code)" : "CONNACK return code \(code)"
      return "\(Self.refusal(code)) (\(label))"
    case .disconnectedByBroker(let code):
      return "\(Self.disconnect(code)) (DISCONNECT reason code \(code))"
    case .failure(let code, let errno):
      return Self.failure(code, errno: errno)
    case .closedAfterConnect(let times):
      return
        "session taken over by another client with the same client id (probably: the broker closed \(times) connections in a row right after accepting them)"
    case .closedByUs:
      return "closed by us"
    }
  }

  private static func refusal(_ code: Int32) -> String {
    switch code {
    case 4, 5, 134, 135: "not authorised / bad user name or password"
    case 1, 132: "the broker does not accept this MQTT protocol version"
    case 2, 133: "the broker rejected the client id"
    case 3, 136: "the broker is unavailable"
    case 137: "the broker is busy"
    case 138: "this client is banned by the broker"
    case 140: "the broker does not support this authentication method"
    case 159: "connecting too often (the broker's connection rate limit)"
    default: reasonString(code)
    }
  }

  private static func disconnect(_ code: Int32) -> String {
    switch code {
    case 142: "session taken over by another client with the same client id"
    case 141: "the broker saw no keepalive from us in time"
    case 139: "the broker is shutting down"
    case 135: "not authorised / bad user name or password"
    case 149: "a packet was larger than the broker accepts"
    case 151: "over the broker's quota"
    case 152: "disconnected by the broker's administrator"
    case 160: "the broker's maximum connection time was reached"
    default: reasonString(code)
    }
  }

  private static func reasonString(_ code: Int32) -> String {
    let text = String(cString: mosquitto_reason_string(code))
    return text == "Unknown reason" ? "an unknown reason" : text.lowercased()
  }

  private static func failure(_ code: Int32, errno: Int32) -> String {
    switch code {
    case MOSQ_ERR_KEEPALIVE.rawValue:
      "no answer from the broker within the keepalive: the link timed out (broker unreachable, or the network drops packets)"
    case MOSQ_ERR_TIMEOUT.rawValue:
      "timed out waiting for the broker (unreachable, or the network drops packets)"
    case MOSQ_ERR_CONN_LOST.rawValue:
      "the connection was lost (closed by the broker or the network)"
    case MOSQ_ERR_PROTOCOL.rawValue:
      "protocol error: the broker closed the connection or sent something unexpected"
    case MOSQ_ERR_TLS.rawValue: "a TLS error occurred"
    case MOSQ_ERR_TLS_HANDSHAKE.rawValue: "the TLS handshake failed"
    case MOSQ_ERR_EAI.rawValue, MOSQ_ERR_LOOKUP.rawValue: "cannot resolve the broker's host name"
    case MOSQ_ERR_OVERSIZE_PACKET.rawValue: "a packet was larger than the broker accepts"
    case MOSQ_ERR_NO_CONN.rawValue: "not connected"
    case MOSQ_ERR_NOMEM.rawValue: "out of memory"
    case MOSQ_ERR_ERRNO.rawValue:
      switch errno {
      case ETIMEDOUT: "connection timed out: the broker host is unreachable or drops packets"
      case ECONNREFUSED: "connection refused: nothing listens on that host and port"
      case EHOSTUNREACH: "the broker host is unreachable (no route)"
      case ENETUNREACH: "the network is unreachable"
      case ECONNRESET: "the connection was reset by the broker or the network"
      case EPIPE: "the connection was closed while writing"
      case EPROTO: "protocol error: the connection was broken off (by the broker or in the TLS handshake)"
      case 0: "system error (no errno)"
      default: String(cString: strerror(errno))
      }
    default: libraryString(code)
    }
  }

  private static func libraryString(_ code: Int32) -> String {
    let text = String(cString: mosquitto_strerror(code))
    return text == "Unknown error." ? "libmosquitto error \(code)" : text
  }
}
