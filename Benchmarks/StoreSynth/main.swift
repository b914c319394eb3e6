import Buffer
// store-synth: big ClassGate stores for the benchmarks, written through the Buffer and Uplink
// modules (the agent's own writer, usage store, rollups, outbox and message builder).
//
//   store-synth month  STORE [--days 30] [--reading-days 7] [--devices 300] [--interval-s 10]
//   store-synth outbox STORE [--windows 2016] [--events 3000] [--devices 300] [--school-id ID]
//   store-synth writer STORE [--messages 200000] [--devices 1000] [--batch 5000] [--raw 1] [--cache-mb 0]
//   common:                  [--time-zone Asia/Ho_Chi_Minh]
//
// month:  a school's month as `classgate stats/devices/device` read it (Benchmarks/run-all.sh
//         times those commands on it, and measures bytes per reading).
// outbox: a week of IOC backlog, for the drain benchmark.
// writer: the storage half of ingest alone (decoded messages → SQLite), the agent's writer or
//         bare INSERTs: the ceiling SQLite sets, measured next to the MQTT one.
import DeviceModel
import EventLoop
import Rollup

#if canImport(Glibc)
  import Glibc
#endif

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 2, ["month", "outbox", "writer", "count"].contains(arguments[0]) else {
  print("usage: store-synth month|outbox|writer|count STORE [options] (see Benchmarks/StoreSynth/main.swift)")
  exit(64)
}
let mode = arguments[0]
let path = arguments[1]
/// `--name value` pairs after the store path.
func parseOptions(_ words: ArraySlice<String>) -> [String: String] {
  var options: [String: String] = [:]
  var words = words
  while words.count >= 2, let name = words.first, name.hasPrefix("--") {
    options[String(name.dropFirst(2))] = words.dropFirst().first
    words = words.dropFirst(2)
  }
  return options
}
let options = parseOptions(arguments[2...])
@MainActor func option(_ name: String, _ fallback: Double) -> Double {
  options[name].flatMap(Double.init) ?? fallback
}

let zoneName = options["time-zone"] ?? "Asia/Ho_Chi_Minh"
let calendar: SchoolCalendar
do {
  let zone = try ZoneRules(tzif: readBinaryFile("/usr/share/zoneinfo/\(zoneName)").get())
  calendar = SchoolCalendar(zone: zone, zoneName: zoneName, windowMinutes: 5)
} catch {
  print("store-synth: cannot load the time zone \(zoneName): \(error)")
  exit(1)
}
let now = Clock.wallMs()
let devices = Int(option("devices", 300))
let intervalMs = Int64(option("interval-s", 10) * 1000)

do {
  if mode == "count" {
    // Readings stored (they are packed: sqlite3 alone cannot count them).
    print(try StoreReader(path: path).readingCount())
  } else if mode == "writer" {
    try WriterBench(
      path: path, messages: Int(option("messages", 200_000)), devices: Int(option("devices", 1000)),
      batch: Int(option("batch", 5000)), raw: option("raw", 0) != 0, cacheMB: Int(option("cache-mb", 0))
    ).run()
  } else if mode == "month" {
    let days = Int(option("days", 30))
    // Local midnight `days - 1` days ago: the month ends today (partly summarised), as in the field.
    let start = calendar.day(containing: now - Int64(days - 1) * 86_400_000).start
    let school = SyntheticSchool(
      deviceCount: devices, calendar: calendar, intervalMs: intervalMs, start: start)
    try MonthStore(
      school: school, days: days, readingDays: option("reading-days", 7), now: now, path: path
    ).build()
  } else {
    let windows = Int(option("windows", 2016))
    let start = calendar.day(containing: now - Int64(windows) * 300_000 - 86_400_000).start
    let school = SyntheticSchool(
      deviceCount: devices, calendar: calendar, intervalMs: intervalMs, start: start)
    try OutboxWeek(
      school: school, windows: windows, events: Int(option("events", 3000)), now: now, path: path,
      schoolID: options["school-id"] ?? "bench-school"
    ).build()
  }
} catch {
  print("store-synth: \(error)")
  exit(1)
}
