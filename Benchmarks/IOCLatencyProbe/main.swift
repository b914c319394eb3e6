// Real-time event latency at the IOC, with real agents: a device's status change published on a
// school's broker, timed until its event row is in the IOC's PostgreSQL.
//
//   ioc-latency-probe CONNINFO CHANGES SCHOOL=PORT [SCHOOL=PORT …]
//     Each school's board `board-lat` in room 101 alternates online/offline, one change at a time
//     per school (the next 0.2–1.5 s after the last one landed), all schools at once. The first
//     change of each school brings the device and the link up and is not counted. Prints the
//     latencies' median, p90, p99 and max, and the same for the agent-message → receiver part
//     (`received_ms − created_ms`, one host, one clock). Benchmarks/ioc-latency.sh sets it all up.
import EventLoop
import MQTTClient
import PostgresClient

#if canImport(Glibc)
  import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count >= 4, let changes = Int(arguments[2]) else {
  print("usage: ioc-latency-probe CONNINFO CHANGES SCHOOL=PORT [SCHOOL=PORT …]")
  exit(64)
}

final class Probe {
  let school: String
  let devices: MQTTConnection
  var round = 0
  var sentMs: Int64?
  var baseline: Int64 = 0
  var nextMs: Int64 = 0
  init(school: String, port: Int32) throws {
    self.school = school
    devices = try MQTTConnection(
      options: MQTTOptions(
        host: "127.0.0.1", port: port, clientID: "latency-probe-\(school)", keepAliveSeconds: 30,
        protocolVersion: .v311, cleanSession: true))
  }
}

let probes: [Probe] = try arguments.dropFirst(3).map { pair in
  let parts = pair.split(separator: "=")
  guard parts.count == 2, let port = Int32(parts[1]) else {
    print("not SCHOOL=PORT: \(pair)")
    exit(64)
  }
  return try Probe(school: String(parts[0]), port: port)
}
let database = try PostgresConnection(conninfo: arguments[1])

@MainActor func eventCounts() throws -> [String: Int64] {
  var counts: [String: Int64] = [:]
  for row in try database.query("SELECT school_id, count(*) AS n FROM event GROUP BY school_id") {
    if let school = row["school_id"] { counts[school] = row.int("n") ?? 0 }
  }
  return counts
}

func percentile(_ sorted: [Int64], _ fraction: Double) -> Int64 {
  sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]
}

var latencies: [Int64] = []
let deadline = Clock.monotonicMs() + Int64(changes) * 20_000
var generator = SystemRandomNumberGenerator()
while probes.contains(where: { $0.round <= changes }), Clock.monotonicMs() < deadline {
  let now = Clock.monotonicMs()
  let counts = try eventCounts()
  for probe in probes {
    probe.devices.pump(waitMs: 0, nowMs: now)
    _ = probe.devices.takeEvents()
    guard probe.devices.state == .connected, probe.round <= changes else { continue }
    if let sent = probe.sentMs {
      guard counts[probe.school, default: 0] > probe.baseline else { continue }
      if probe.round > 0 { latencies.append(now - sent) }
      probe.round += 1
      probe.sentMs = nil
      probe.nextMs = now + Int64.random(in: 200...1500, using: &generator)
    } else if now >= probe.nextMs {
      probe.baseline = counts[probe.school, default: 0]
      _ = try probe.devices.publish(
        topic: "classgate/101/board/board-lat/status",
        payload: Array((probe.round % 2 == 0 ? "online" : "offline").utf8),
        qos: 1, retain: true)
      probe.sentMs = now
    }
  }
  usleep(5_000)
}
guard probes.allSatisfy({ $0.round > changes }) else {
  print("timed out: \(probes.map { "\($0.school) \($0.round)/\(changes)" })")
  exit(1)
}
latencies.sort()
let uplink = try database.query(
  "SELECT received_ms - created_ms AS ms FROM sequenced WHERE schema = 'classgate.event' ORDER BY 1"
).compactMap { $0.int("ms") }
print(
  "school broker → PostgreSQL row: \(latencies.count) changes from \(probes.count) agents: median \(percentile(latencies, 0.5)) ms,"
    + " p90 \(percentile(latencies, 0.9)) ms, p99 \(percentile(latencies, 0.99)) ms, max \(latencies.last ?? 0) ms"
)
print(
  "agent's message → receiver: \(uplink.count) events: median \(percentile(uplink, 0.5)) ms,"
    + " p99 \(percentile(uplink, 0.99)) ms, max \(uplink.last ?? 0) ms")
