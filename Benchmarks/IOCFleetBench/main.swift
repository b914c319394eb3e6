// IOC fleet publisher: the uplink of many schools, as real agents send it, into one IOC broker.
//
//   ioc-fleet-bench PORT SCHOOLS WINDOWS EVENTS [JITTER_MS RATE IN_FLIGHT]
//     For each of SCHOOLS schools: a retained presence, WINDOWS window summaries (30 devices each,
//     ~9 kB, consecutive 5-minute periods; every 10th is sent again as revision 1 with a new seq)
//     and EVENTS device-status events; then 2 % of all sequenced messages once more (duplicates,
//     as after an agent's reconnect). Publishes at QoS 1 on a plain loopback listener and prints
//     `published N sequenced=S unique=U in T ms`. Benchmarks/ioc-fleet.sh times the receiver.
//
//     Without JITTER_MS: one connection publishes everything (the backlog queued at the broker).
//     With it (live mode): each school is its own connection, as its agent is, and comes back at a
//     random moment within JITTER_MS of the start (agents wait out a full-jitter backoff capped at
//     `ioc.reconnect_max_ms`, 60 s by default, so after a long outage they return spread over that
//     long), then drains its backlog as an agent does: at most IN_FLIGHT unacknowledged and RATE
//     messages/s (`ioc.max_in_flight` 20, `ioc.max_messages_per_s` 500). Prints, besides the
//     line above, when the last school connected and finished.
import EventLoop
import JSON
import MQTTClient

#if canImport(Glibc)
  import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count == 5 || arguments.count == 8, let port = Int32(arguments[1]),
  let schools = Int(arguments[2]), let windows = Int(arguments[3]), let eventsPerSchool = Int(arguments[4])
else {
  print("usage: ioc-fleet-bench PORT SCHOOLS WINDOWS EVENTS [JITTER_MS RATE IN_FLIGHT]")
  exit(64)
}
let live: (jitterMs: Int64, rate: Int, inFlight: Int)? =
  arguments.count == 8
  ? (Int64(arguments[5]) ?? 60_000, Int(arguments[6]) ?? 500, Int(arguments[7]) ?? 20) : nil

let startMs: Int64 = 1_795_798_800_000  // 2026-11-28T00:00:00+07:00

/// `2026-11-28T00:05:00+07:00` for a time of that day (the receiver checks local times).
func localTime(_ ms: Int64) -> String {
  let minutes = (ms - startMs) / 60_000
  func pad(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
  return "2026-11-\(28 + minutes / 1440)T\(pad(minutes / 60 % 24)):\(pad(minutes % 60)):00+07:00"
}

func windowSummary(school: String, seq: Int, window: Int, revision: Int) -> [UInt8] {
  let start = startMs + Int64(window) * 300_000
  let devices: [JSONValue] = (0..<30).map { index in
    let kind: JSONValue = index % 3 == 0 ? "board" : index % 3 == 1 ? "projector" : "env_sensor"
    var device: JSONObject = [
      "id": .string("dev-\(index)"), "kind": kind, "room": .string("\(100 + index / 3)"), "online_min": 5,
      "offline_incidents": 0,
    ]
    if index % 3 == 2 {
      device["metrics"] = [
        "co2": ["count": 5, "min": 700, "mean": 850.4, "max": 1010, "above_min": 0.5, "threshold": 1000],
        "temperature": ["count": 5, "min": 29.5, "mean": 30.1, "max": 30.8],
      ]
    } else {
      device["on_min"] = 5
      device["active_min"] = .number(Double(index % 5))
      device["sessions"] = 0
    }
    return .object(device)
  }
  let summary: JSONObject = [
    "schema": "classgate.window_summary", "schema_version": 1, "school_id": .string(school),
    "stream": "00000000000fbe01", "seq": .number(Double(seq)), "created_ms": .number(Double(start + 360_000)),
    "period": [
      "start_ms": .number(Double(start)), "end_ms": .number(Double(start + 300_000)),
      "start": .string(localTime(start)), "end": .string(localTime(start + 300_000)),
      "time_zone": "Asia/Ho_Chi_Minh",
      "minutes": 5,
    ],
    "revision": .number(Double(revision)), "devices": .array(devices),
    "fleet": [
      "online": 30, "offline": 0, "stale": 0, "unknown": 0, "offline_incidents": 0, "uptime_pct": 100,
    ],
  ]
  return JSONWriter.compactBytes(.object(summary))
}

func event(school: String, seq: Int) -> [UInt8] {
  let time = startMs + Int64(seq) * 1000
  return Array(
    """
    {"schema":"classgate.event","schema_version":1,"school_id":"\(school)","stream":"00000000000fbe01",\
    "seq":\(seq),"created_ms":\(time + 12),"event":{"type":"device_status","device":"dev-\(seq % 30)",\
    "kind":"board","room":"101","time_ms":\(time),"status":"\(seq % 2 == 0 ? "online" : "offline")",\
    "cause":"reported"}}
    """.utf8)
}

func presence(school: String) -> [UInt8] {
  Array(
    """
    {"schema":"classgate.presence","schema_version":1,"school_id":"\(school)","online":true,\
    "time_ms":\(Clock.wallMs()),"version":"0.1.0","backlog":0,"oldest_pending_ms":null,"last_acked_seq":1,\
    "disk_free_bytes":1000000000,"devices":{"online":30,"offline":0,"stale":0,"unknown":0}}
    """.utf8)
}

typealias Message = (topic: String, payload: [UInt8], retain: Bool)
var backlogs: [[Message]] = []
var unique = 0
var generated = 0
for index in 0..<schools {
  let school = "bench-\(index)"
  let prefix = "ioc/v1/schools/\(school)/"
  var messages: [Message] = [(prefix + "presence", presence(school: school), true)]
  var seq = 0
  var sent: [(String, [UInt8])] = []
  for window in 0..<windows {
    seq += 1
    sent.append(
      (prefix + "summaries/window", windowSummary(school: school, seq: seq, window: window, revision: 0)))
    if window % 10 == 9 {
      seq += 1
      sent.append(
        (prefix + "summaries/window", windowSummary(school: school, seq: seq, window: window, revision: 1)))
    }
  }
  for _ in 0..<eventsPerSchool {
    seq += 1
    sent.append((prefix + "events", event(school: school, seq: seq)))
  }
  unique += sent.count
  for message in sent {
    messages.append((message.0, message.1, false))
    generated += 1
    if generated % 50 == 0 { messages.append((message.0, message.1, false)) }  // a duplicate
  }
  backlogs.append(messages)
}
let total = backlogs.reduce(0) { $0 + $1.count }
let sequenced = total - schools

if let live {
  runLive(live)
  exit(0)
}
let messages = backlogs.flatMap { $0 }

let publisher = try MQTTConnection(
  options: MQTTOptions(
    host: "127.0.0.1", port: port, clientID: "ioc-fleet-bench", keepAliveSeconds: 30, protocolVersion: .v311,
    cleanSession: true))
let began = Clock.monotonicMs()
while publisher.state != .connected {
  publisher.pump(waitMs: 10, nowMs: Clock.monotonicMs())
  if Clock.monotonicMs() - began > 10_000 {
    print("cannot connect: \(publisher.lastError ?? "?")")
    exit(1)
  }
}
var acknowledged = 0
@MainActor func pump(waitMs: Int32) {
  publisher.pump(waitMs: waitMs, nowMs: Clock.monotonicMs())
  for event in publisher.takeEvents() { if case .published = event { acknowledged += 1 } }
}
let started = Clock.monotonicMs()
for (index, message) in messages.enumerated() {
  _ = try publisher.publish(topic: message.topic, payload: message.payload, qos: 1, retain: message.retain)
  // Keep the in-flight window bounded, as an agent does.
  while index + 1 - acknowledged > 200 { pump(waitMs: 1) }
}
while acknowledged < messages.count { pump(waitMs: 1) }
print(
  "published \(messages.count) sequenced=\(sequenced) unique=\(unique) in \(Clock.monotonicMs() - started) ms"
)

/// One school's agent coming back after the outage.
final class School {
  let connection: MQTTConnection
  let backlog: [Message]
  var sent = 0
  var acknowledged = 0
  var windowStartMs: Int64 = 0
  var sentInWindow = 0
  var finishedMs: Int64?
  init(index: Int, port: Int32, backlog: [Message]) throws {
    connection = try MQTTConnection(
      options: MQTTOptions(
        host: "127.0.0.1", port: port, clientID: "classgate-bench-\(index)", keepAliveSeconds: 30,
        protocolVersion: .v311, cleanSession: true))
    self.backlog = backlog
  }
}

@MainActor func runLive(_ live: (jitterMs: Int64, rate: Int, inFlight: Int)) {
  var generator = SystemRandomNumberGenerator()
  let offsets = (0..<schools).map { _ in Int64.random(in: 0...max(0, live.jitterMs), using: &generator) }
  let began = Clock.monotonicMs()
  var schoolsUp: [School] = []
  var pending = Array(offsets.enumerated()).sorted { $0.element < $1.element }[...]
  var lastConnectedMs: Int64 = 0
  var done = 0
  while done < schools {
    let now = Clock.monotonicMs()
    while let next = pending.first, began + next.element <= now {
      pending.removeFirst()
      do {
        schoolsUp.append(try School(index: next.offset, port: port, backlog: backlogs[next.offset]))
      } catch {
        print("cannot make a connection: \(error)")
        exit(1)
      }
    }
    var busy = false
    for school in schoolsUp where school.finishedMs == nil {
      school.connection.pump(waitMs: 0, nowMs: now)
      for event in school.connection.takeEvents() {
        if case .published = event { school.acknowledged += 1 }
      }
      guard school.connection.state == .connected else { continue }
      if school.sent == 0 { lastConnectedMs = max(lastConnectedMs, now - began) }
      if now - school.windowStartMs >= 1000 {
        school.windowStartMs = now
        school.sentInWindow = 0
      }
      while school.sent < school.backlog.count, school.sent - school.acknowledged < live.inFlight,
        school.sentInWindow < live.rate
      {
        let message = school.backlog[school.sent]
        _ = try? school.connection.publish(
          topic: message.topic, payload: message.payload, qos: 1, retain: message.retain)
        school.sent += 1
        school.sentInWindow += 1
        busy = true
      }
      if school.acknowledged == school.backlog.count {
        school.finishedMs = now - began
        school.connection.close()
        done += 1
      }
    }
    if !busy { usleep(500) }
  }
  let finished = schoolsUp.compactMap(\.finishedMs)
  print(
    "published \(total) sequenced=\(sequenced) unique=\(unique) in \(Clock.monotonicMs() - began) ms"
      + " live: \(schools) connections, last connected at \(lastConnectedMs) ms, last done at \(finished.max() ?? 0) ms"
  )
}
