import EventLoop
import JSON
import MQTTClient

/// One command's round trip on the IOC broker: subscribe to the school's responses, publish the
/// command (QoS 1), wait for the answer with its request id. Its own clean session, so it never
/// takes over the receiver's.
struct CommandClient {
  enum Failure: Error, CustomStringConvertible {
    case link(String)
    case timeout(seconds: Int)

    var description: String {
      switch self {
      case .link(let words): "cannot reach the IOC broker: \(words)"
      case .timeout(let seconds):
        "no answer within \(seconds) s: is the school's agent connected (classgate-ioc schools) and its ioc.commands on?"
      }
    }
  }

  var options: MQTTOptions

  /// The response object, or a failure.
  func send(school: String, command: JSONValue, requestID: String, timeoutSeconds: Int) throws(Failure)
    -> JSONObject
  {
    var options = options
    options.clientID = "classgate-ioc-send-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
    options.cleanSession = true
    let connection: MQTTConnection
    do {
      connection = try MQTTConnection(options: options)
    } catch {
      throw .link("\(error)")
    }
    defer { connection.close() }
    let prefix = "ioc/v1/schools/\(school)/"
    connection.subscribe(prefix + "responses", qos: 1)
    let deadline = Clock.monotonicMs() + Int64(timeoutSeconds) * 1000
    var published = false
    while Clock.monotonicMs() < deadline {
      connection.pump(waitMs: 50, nowMs: Clock.monotonicMs())
      for event in connection.takeEvents() {
        switch event {
        case .subscribed where !published:
          // Subscribed first: the answer cannot come before we listen for it.
          do {
            try connection.publish(
              topic: prefix + "commands", payload: JSONWriter.compactBytes(command), qos: 1, retain: false)
          } catch {
            throw .link("\(error)")
          }
          published = true
        case .refused(let reason): throw .link("\(reason)")
        default: break
        }
      }
      for message in connection.takeMessages() {
        guard case .object(let response)? = try? JSONParser.parse(message.payload),
          response["request_id"]?.stringValue == requestID
        else { continue }
        connection.flush(nowMs: Clock.monotonicMs())
        return response
      }
    }
    if !published, let error = connection.lastError { throw .link(error) }
    throw .timeout(seconds: timeoutSeconds)
  }
}
