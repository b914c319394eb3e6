// Ingest benchmark helper, two modes.
//
//   ingest-bench PORT STORE_PATH AGENT_PID MESSAGES DEVICES QOS
//     Live: publishes MESSAGES telemetry messages from DEVICES simulated devices to the broker the
//     running agent reads, and measures how fast the agent commits them to its store.
//
//   ingest-bench watch STORE_PATH AGENT_PID MESSAGES [TIMEOUT_S] [--with-dead-letters]
//     Drain: waits until the store's committed messages reach MESSAGES (an absolute
//     value: the caller adds what was there before it started the agent, so nothing the agent
//     commits before this tool is up is missed) and prints when (CLOCK_REALTIME ns), so a script
//     can time the agent exactly as it times the plain C subscriber (Benchmarks/ceiling/sub.c).
//     With --with-dead-letters, dead letters count as committed messages too (the faults
//     section: poison payloads and refused devices are one dead letter each, in the same commit).
//
// Both poll the store's `counters` table (one indexed row, every 2 ms): a `count(*)` over the
// readings would cost the 2-core machine more CPU the bigger the store gets, and slow the agent down.
import Buffer
import EventLoop
import MQTTClient

#if canImport(Glibc)
  import Glibc
#endif

func peakRSSKiB(pid: Int32) -> Int { procStatus(pid: pid, field: "VmHWM:") }

func procStatus(pid: Int32, field: String) -> Int {
  guard let file = fopen("/proc/\(pid)/status", "r") else { return -1 }
  defer { fclose(file) }
  var line = [CChar](repeating: 0, count: 256)
  while fgets(&line, Int32(line.count), file) != nil {
    let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    if text.hasPrefix(field) {
      return Int(text.split(separator: " ").dropFirst().first ?? "") ?? -1
    }
  }
  return -1
}

func realtimeNs() -> Int64 {
  var now = timespec()
  clock_gettime(CLOCK_REALTIME, &now)
  return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
}

/// Committed messages (log rows: every benchmark message is one row, so this is exact at each
/// commit) and readings (the agent's counter, written every few seconds).
func committed(_ reader: StoreReader, withDeadLetters: Bool = false) throws -> (messages: Int, readings: Int)
{
  let counters = try reader.counters()
  let deadLetters = withDeadLetters ? try reader.deadLetterRowsAppended() : 0
  return (try reader.logRowsAppended() + deadLetters, Int(counters[Counter.readingsStored] ?? 0))
}

let arguments = CommandLine.arguments

if arguments.count >= 5, arguments[1] == "watch" {
  guard let agentPID = Int32(arguments[3]), let total = Int(arguments[4]) else {
    print("usage: ingest-bench watch STORE_PATH AGENT_PID MESSAGES [TIMEOUT_S]")
    exit(64)
  }
  let timeoutMs = Int64(arguments.count > 5 ? Int(arguments[5]) ?? 300 : 300) * 1000
  let withDeadLetters = arguments.contains("--with-dead-letters")
  let reader = try StoreReader(path: arguments[2])
  let started = Clock.monotonicMs()
  var now = try committed(reader, withDeadLetters: withDeadLetters)
  // The broker may drop part of a QoS 0 flood: when nothing more is committed for 5 s, the
  // agent has what it will get (stalled=1, done_ns = the last commit seen).
  var lastChange = (ms: started, ns: realtimeNs(), messages: now.messages)
  var stalled = false
  while now.messages < total {
    usleep(2000)
    now = try committed(reader, withDeadLetters: withDeadLetters)
    if now.messages != lastChange.messages {
      lastChange = (Clock.monotonicMs(), realtimeNs(), now.messages)
    } else if Clock.monotonicMs() - lastChange.ms > 5000 && Clock.monotonicMs() - started > 30_000 {
      stalled = true
      break
    }
    if Clock.monotonicMs() - started > timeoutMs {
      print("timeout: \(now.messages) of \(total) messages committed")
      exit(1)
    }
  }
  // The readings counter is written every few seconds: wait for it (timing is already taken).
  let doneNs = stalled ? lastChange.ns : realtimeNs()
  let settleUntil = Clock.monotonicMs() + 8000
  while !withDeadLetters && now.readings < now.messages && Clock.monotonicMs() < settleUntil {
    usleep(100_000)
    now = try committed(reader)
  }
  print(
    "committed_messages=\(now.messages) committed_readings=\(now.readings) stalled=\(stalled ? 1 : 0) "
      + "done_ns=\(doneNs) agent_peak_rss_kib=\(peakRSSKiB(pid: agentPID)) "
      + "agent_rss_anon_kib=\(procStatus(pid: agentPID, field: "RssAnon:")) "
      + "agent_rss_file_kib=\(procStatus(pid: agentPID, field: "RssFile:"))")
  exit(0)
}

guard arguments.count == 7, let port = Int32(arguments[1]), let agentPID = Int32(arguments[3]),
  let total = Int(arguments[4]), let devices = Int(arguments[5]), let qos = Int32(arguments[6])
else {
  print("usage: ingest-bench PORT STORE_PATH AGENT_PID MESSAGES DEVICES QOS")
  print("       ingest-bench watch STORE_PATH AGENT_PID MESSAGES [TIMEOUT_S]")
  exit(64)
}
let storePath = arguments[2]

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
let before = try committed(reader)
let baseTime = Clock.wallMs() - 3_600_000
let started = Clock.monotonicMs()
for index in 0..<total {
  let device = index % devices
  // ~110 bytes of native env-sensor telemetry (6 metrics); distinct ts per message.
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
while try committed(reader).messages - before.messages < total {
  usleep(2000)
  if Clock.monotonicMs() - started > 300_000 {
    print("timeout: \(try committed(reader).messages - before.messages) of \(total) messages")
    exit(1)
  }
}
let committedAt = Clock.monotonicMs()
// The readings counter is written every few seconds: wait for it (the time is already taken).
var stored = try committed(reader).readings - before.readings
let settleUntil = Clock.monotonicMs() + 8000
while stored < total && Clock.monotonicMs() < settleUntil {
  usleep(100_000)
  stored = try committed(reader).readings - before.readings
}
let seconds = Double(committedAt - started) / 1000
print(
  "messages=\(total) devices=\(devices) qos=\(qos) publish_s=\(Double(published - started) / 1000) "
    + "committed_s=\(seconds) msgs_per_s=\(Int(Double(total) / seconds)) "
    + "readings_per_s=\(Int(Double(stored) / seconds)) readings=\(stored) agent_peak_rss_kib=\(peakRSSKiB(pid: agentPID))"
)
