// Quick ingest benchmark: publishes N telemetry messages from many simulated devices to a broker
// and measures how fast the running agent commits them to its SQLite store.
// Usage: ingest-bench PORT STORE_PATH AGENT_PID MESSAGES DEVICES QOS
import Buffer
import EventLoop
import MQTTClient

#if canImport(Glibc)
  import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count == 7, let port = Int32(arguments[1]), let agentPID = Int32(arguments[3]),
  let total = Int(arguments[4]), let devices = Int(arguments[5]), let qos = Int32(arguments[6])
else {
  print("usage: ingest-bench PORT STORE_PATH AGENT_PID MESSAGES DEVICES QOS")
  exit(64)
}
let storePath = arguments[2]

func peakRSSKiB(pid: Int32) -> Int {
  guard let file = fopen("/proc/\(pid)/status", "r") else { return -1 }
  defer { fclose(file) }
  var line = [CChar](repeating: 0, count: 256)
  while fgets(&line, Int32(line.count), file) != nil {
    let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    if text.hasPrefix("VmHWM:") {
      return Int(text.split(separator: " ").dropFirst().first ?? "") ?? -1
    }
  }
  return -1
}

let publisher = try MQTTConnection(
  options: MQTTOptions(
    host: "127.0.0.1", port: port, clientID: "ingest-bench", protocolVersion: .v5,
    cleanSession: true, receiveMaximum: 65535))
let connectStarted = Clock.monotonicMs()
while publisher.state != .connected {
  publisher.maintain(nowMs: Clock.monotonicMs())
  publisher.flush(nowMs: Clock.monotonicMs())
  if let fd = publisher.socketDescriptor {
    var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    if poll(&descriptor, 1, 10) > 0 { publisher.read(maxMessages: 100, nowMs: Clock.monotonicMs()) }
  }
  if Clock.monotonicMs() - connectStarted > 5000 {
    print("cannot connect: \(publisher.lastError ?? "?")")
    exit(1)
  }
}
/// Reads acknowledgements and writes what is queued: libmosquitto only releases queued QoS 1
/// publishes into its in-flight window when their predecessors' PUBACKs are read.
var acknowledged = 0
@MainActor func pump() {
  let now = Clock.monotonicMs()
  publisher.maintain(nowMs: now)
  publisher.flush(nowMs: now)
  if let fd = publisher.socketDescriptor {
    var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    while poll(&descriptor, 1, 0) > 0 { publisher.read(maxMessages: 10_000, nowMs: now) }
  }
  for event in publisher.takeEvents() { if case .published = event { acknowledged += 1 } }
}

let reader = try StoreReader(path: storePath)
let before = try reader.readingCount()
let baseTime = Clock.wallMs() - 3_600_000
let started = Clock.monotonicMs()
for index in 0..<total {
  let device = index % devices
  // ~200 bytes, like a real env sensor message; distinct ts per message.
  let payload =
    "{\"ts\":\(baseTime + Int64(index)),\"co2\":\(400 + index % 900),\"temperature\":\(20 + index % 15).5,\"humidity\":\(40 + index % 50),\"noise\":\(35 + index % 40),\"illuminance\":\(200 + index % 600),\"battery\":97}"
  _ = try publisher.publish(
    topic: "classgate/r\(device % 40)/env_sensor/bench-\(device)/telemetry",
    payload: Array(payload.utf8), qos: qos, retain: false)
  if index % 200 == 199 { pump() }
}
while (qos > 0 && acknowledged < total) || publisher.wantsWrite {
  pump()
  usleep(500)
}
let published = Clock.monotonicMs()
let expected = before + total * 6
while try reader.readingCount() < expected {
  usleep(2000)
  if Clock.monotonicMs() - started > 300_000 {
    print("timeout: \(try reader.readingCount() - before) of \(total * 6) readings")
    exit(1)
  }
}
let committed = Clock.monotonicMs()
let seconds = Double(committed - started) / 1000
print(
  "messages=\(total) devices=\(devices) qos=\(qos) publish_s=\(Double(published - started) / 1000) "
    + "committed_s=\(seconds) msgs_per_s=\(Int(Double(total) / seconds)) "
    + "readings_per_s=\(Int(Double(total * 6) / seconds)) agent_peak_rss_kib=\(peakRSSKiB(pid: agentPID))")
