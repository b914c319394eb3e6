// IOC fleet publisher: the uplink of many schools, as real agents send it, into one IOC broker.
//
//   ioc-fleet-bench PORT SCHOOLS WINDOWS EVENTS
//     For each of SCHOOLS schools: a retained presence, WINDOWS window summaries (30 devices each,
//     ~9 kB, consecutive 5-minute periods; every 10th is sent again as revision 1 with a new seq)
//     and EVENTS device-status events; then 2 % of all sequenced messages once more (duplicates,
//     as after an agent's reconnect). Publishes at QoS 1 on a plain loopback listener and prints
//     `published N sequenced=S unique=U in T ms`. Benchmarks/ioc-fleet.sh times the receiver.
import EventLoop
import JSON
import MQTTClient

#if canImport(Glibc)
  import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count == 5, let port = Int32(arguments[1]), let schools = Int(arguments[2]),
  let windows = Int(arguments[3]), let eventsPerSchool = Int(arguments[4])
else {
  print("usage: ioc-fleet-bench PORT SCHOOLS WINDOWS EVENTS")
  exit(64)
}

let startMs: Int64 = 1_795_798_800_000  // 2026-11-28T00:00:00+07:00

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
      "start": "2026-11-28T00:00:00+07:00", "end": "2026-11-28T00:05:00+07:00",
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

var messages: [(topic: String, payload: [UInt8], retain: Bool)] = []
var sequenced = 0
var unique = 0
var generated = 0
for index in 0..<schools {
  let school = "bench-\(index)"
  let prefix = "ioc/v1/schools/\(school)/"
  messages.append((prefix + "presence", presence(school: school), true))
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
}
sequenced = messages.count - schools

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
