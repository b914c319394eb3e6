import ArgumentParser
import DeviceModel
import EventLoop
import Glibc
import MQTTClient
import Simulator

extension ClassGate {
  struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Publish a whole school's realistic traffic to a broker, following a school day.",
      discussion: """
        Boards, projectors (some legacy ones behind Tasmota or Shelly plugs), air sensors \
        (Zigbee2MQTT on the ground floor) and card readers, four per classroom. Values follow the \
        timetable: CO2 rises in lessons and falls in breaks, boards are used in lessons, readers \
        burst before the first period; devices drop offline and come back, and now and then a \
        sensor sends a malformed message. The simulated day is yesterday by default, so device \
        timestamps are in the past as the agent requires. Write the matching inventory with \
        --write-inventory and give it to the agent (inventory.path).
        """)

    @Option(help: "Broker host.") var host = "127.0.0.1"
    @Option(help: "Broker port.") var port: Int32 = 1883
    @Option(help: "Simulated seconds per real second (60: a minute per second; 600: a day in ~1 min).")
    var speed: Double = 60
    @Option(help: "Random seed: the same seed gives the same traffic.") var seed: UInt64 = 1
    @Option(help: "Number of devices (four per classroom).") var devices: Int = 120
    @Option(help: "Stop after this many real seconds (default: when the school day ends).")
    var duration: Double?
    @Option(help: "Simulated start, local time HH:MM.") var start = "06:30"
    @Option(help: "Which day to simulate, relative to today (-1: yesterday).") var dayOffset = -1
    @Flag(help: "A holiday: no lessons, nobody in; only room 101's board is on 09:00-11:00.")
    var holiday = false
    @Option(help: "The school's time zone.") var timeZone = "Asia/Ho_Chi_Minh"
    @Option(help: "Topic prefix of the native protocol.") var prefix = "classgate"
    @Option(help: "Write the inventory of the simulated school to FILE and exit.")
    var writeInventory: String?
    @Option(
      help: "Write the simulated school's class list (a timetable CSV for [timetable] csv) to FILE and exit.")
    var writeTimetable: String?

    func validate() throws {
      guard speed > 0 else { throw ValidationError("Please specify a 'speed' above 0.") }
      guard devices > 0, devices <= 100_000 else {
        throw ValidationError("Please specify 'devices' from 1 to 100000.")
      }
      guard SimClock.minutes(of: start) != nil else {
        throw ValidationError("Please specify 'start' as HH:MM, e.g. 06:30.")
      }
    }

    private func write(_ text: String, to path: String) throws {
      guard let file = fopen(path, "w") else {
        throw CLIError("cannot write \(path): \(String(cString: strerror(errno)))")
      }
      fputs(text, file)
      fclose(file)
    }

    func run() throws {
      let layout = SchoolLayout(deviceCount: devices, seed: seed)
      if let writeInventory {
        try write(layout.inventoryTOML(), to: writeInventory)
        print(
          "wrote the inventory of \(layout.rooms.count) classrooms and \(layout.devices.count) devices to \(writeInventory)"
        )
        return
      }
      if let writeTimetable {
        try write(layout.timetableCSV(), to: writeTimetable)
        print("wrote the class list of \(layout.rooms.count) classrooms to \(writeTimetable)")
        return
      }
      var clock = try SimClock(timeZone: timeZone, start: start, dayOffset: dayOffset, speed: speed)
      var simulator = SchoolSimulator(layout: layout, seed: seed, nativePrefix: prefix, holiday: holiday)
      let publisher = try SimPublisher(host: host, port: port)
      publisher.send(simulator.announce())
      let realStart = Clock.monotonicMs()
      var published = 0
      while true {
        let elapsed = Clock.monotonicMs() - realStart
        if let duration, Double(elapsed) >= duration * 1000 { break }
        guard let minute = clock.nextMinute(realElapsedMs: elapsed) else {
          publisher.pump(waitMs: 20)
          continue
        }
        if minute.local >= SchoolDay.closes { break }
        let messages = simulator.tick(time: minute.epochMs, minute: minute.local)
        publisher.send(messages)
        published += messages.count
      }
      publisher.finish()
      print(
        "published \(published + layout.devices.count) messages (\(simulator.malformedSent) deliberately malformed) "
          + "for \(layout.devices.count) devices in \(layout.rooms.count) classrooms; "
          + "simulated \(start) to \(clock.lastLocalText) on day \(dayOffset)")
    }
  }
}

/// Simulated time: a local start on a chosen day, advancing `speed` times faster than real time.
struct SimClock {
  let startEpochMs: Int64
  let startMinute: Int
  let speed: Double
  private var emitted = -1

  init(timeZone: String, start: String, dayOffset: Int, speed: Double) throws {
    // libc's tz database: setting TZ here only affects this simulate process.
    setenv("TZ", timeZone, 1)
    tzset()
    var now = time(nil)
    var parts = tm()
    localtime_r(&now, &parts)
    guard let minutes = Self.minutes(of: start) else { throw CLIError("bad start time \(start)") }
    parts.tm_mday += Int32(dayOffset)
    parts.tm_hour = Int32(minutes / 60)
    parts.tm_min = Int32(minutes % 60)
    parts.tm_sec = 0
    parts.tm_isdst = -1
    startEpochMs = Int64(mktime(&parts)) * 1000
    startMinute = minutes
    self.speed = speed
  }

  static func minutes(of text: String) -> Int? {
    let parts = text.split(separator: ":")
    guard parts.count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]), (0..<24).contains(hours),
      (0..<60).contains(minutes)
    else { return nil }
    return hours * 60 + minutes
  }

  /// The next simulated minute due by now, or nil if none is due yet.
  mutating func nextMinute(realElapsedMs: Int64) -> (epochMs: Int64, local: Int)? {
    let simulatedMinutes = Int(Double(realElapsedMs) * speed / 60_000)
    guard emitted < simulatedMinutes else { return nil }
    emitted += 1
    return (startEpochMs + Int64(emitted) * 60_000, startMinute + emitted)
  }

  var lastLocalText: String {
    let minute = startMinute + max(emitted, 0)
    return "\(String(format2: minute / 60 % 24)):\(String(format2: minute % 60))"
  }
}

extension String {
  fileprivate init(format2 value: Int) { self = value < 10 ? "0\(value)" : "\(value)" }
}

/// Publishes at QoS 1 and keeps the connection moving so libmosquitto's queue drains.
final class SimPublisher {
  private let connection: MQTTConnection

  init(host: String, port: Int32) throws {
    connection = try MQTTConnection(
      options: MQTTOptions(
        host: host, port: port, clientID: "classgate-simulator-\(getpid())", protocolVersion: .v5,
        cleanSession: true, receiveMaximum: 65535))
    let deadline = Clock.monotonicMs() + 10_000
    while connection.state != .connected {
      pump(waitMs: 10)
      if Clock.monotonicMs() > deadline {
        throw CLIError("cannot connect to \(host):\(port): \(connection.lastError ?? "no answer")")
      }
    }
  }

  func send(_ messages: [SimMessage]) {
    for (index, message) in messages.enumerated() {
      _ = try? connection.publish(
        topic: message.topic, payload: Array(message.payload.utf8), qos: 1, retain: message.retain)
      if index % 200 == 199 { pump(waitMs: 0) }
    }
    pump(waitMs: 0)
  }

  func pump(waitMs: Int32) {
    connection.pump(waitMs: waitMs, nowMs: Clock.monotonicMs())
    _ = connection.takeEvents()
  }

  /// Waits (up to 10 s) until everything queued is written and acknowledged.
  func finish() {
    let deadline = Clock.monotonicMs() + 10_000
    while Clock.monotonicMs() < deadline && (connection.wantsWrite || connection.hasUnacknowledgedPublishes) {
      pump(waitMs: 10)
    }
    connection.close()
  }
}
