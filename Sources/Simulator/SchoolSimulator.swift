import DeviceModel
import JSON

/// One MQTT message of the simulation.
public struct SimMessage: Sendable, Equatable {
  public var topic: String
  public var payload: String
  public var retain: Bool
  /// Deliberately broken (the agent must dead-letter it).
  public var malformed: Bool
}

/// Produces a school's traffic minute by simulated minute: pure, deterministic for a seed.
public struct SchoolSimulator: Sendable {
  public let layout: SchoolLayout
  public let nativePrefix: String
  private var random: SeededRandom
  private var state: [String: DeviceState] = [:]
  private var roomAir: [String: Air] = [:]
  private var roomIndex: [String: Int] = [:]
  public private(set) var malformedSent = 0

  struct DeviceState: Sendable {
    var offlineUntil: Int64 = 0
    var isOn = false
    var lampHours: Double = 0
    var energyKWh: Double = 0
    var scansLeft = 0
  }

  struct Air: Sendable {
    var co2: Double = 430
    var temperature: Double = 27
  }

  /// A holiday: nobody comes, no lesson is given; only the showcase room's board is switched on
  /// for two hours (someone preparing a lesson) and the sensors report.
  public let holiday: Bool

  public init(layout: SchoolLayout, seed: UInt64, nativePrefix: String = "classgate", holiday: Bool = false) {
    self.layout = layout
    self.nativePrefix = nativePrefix
    self.holiday = holiday
    random = SeededRandom(seed: seed)
    for device in layout.devices {
      state[device.id] = DeviceState(
        lampHours: Double(800 + random.int(below: 2000)), energyKWh: Double(random.int(below: 400)) / 10)
    }
    for room in layout.rooms { roomAir[room.id] = Air(temperature: 26 + random.unit() * 2) }
    for (index, room) in layout.rooms.enumerated() { roomIndex[room.id] = index }
  }

  /// The first room's devices follow a fixed script (ShowcaseRoom), so its per-lesson numbers
  /// can be worked out by hand; every other room is random around the timetable.
  public var showcaseRoom: String? { layout.rooms.first?.id }

  /// Retained availability for every device, sent once at the start.
  public func announce() -> [SimMessage] {
    layout.devices.map { availability($0, online: true) }
  }

  /// The messages of one simulated minute. `time` is epoch ms (UTC); `minute` is local minutes
  /// since midnight in the school's zone.
  public mutating func tick(time: Int64, minute: Int) -> [SimMessage] {
    let phase = holiday ? .closed : SchoolDay.phase(minute: minute)
    var messages: [SimMessage] = []
    updateAir(minute: minute)
    for device in layout.devices {
      guard var current = state[device.id] else { continue }
      if device.room == showcaseRoom {
        messages += ShowcaseRoom.telemetry(
          device, time: time, minute: minute, prefix: nativePrefix, holiday: holiday)
        continue
      }
      let phase = holiday ? .closed : SchoolDay.phase(minute: minute, roomIndex: roomIndex[device.room] ?? 0)
      // Devices drop off now and then (power strip switched off, Wi-Fi lost) and come back.
      if current.offlineUntil > 0 {
        if time >= current.offlineUntil {
          current.offlineUntil = 0
          messages.append(availability(device, online: true))
        } else {
          state[device.id] = current
          continue
        }
      } else if phase != .closed, random.chance(0.0008) {
        current.offlineUntil = time + Int64(5 + random.int(below: 25)) * 60_000
        state[device.id] = current
        messages.append(availability(device, online: false))
        continue
      }
      messages += telemetry(device, &current, phase: phase, time: time)
      state[device.id] = current
    }
    if phase != .closed, random.chance(0.02),
      let victim = layout.devices.first(where: { $0.protocolName == .native && $0.kind == .envSensor })
    {
      malformedSent += 1
      messages.append(
        SimMessage(
          topic: "\(nativePrefix)/\(victim.room)/env_sensor/\(victim.id)/telemetry",
          payload: "{\"co2\": 8", retain: false, malformed: true))
    }
    return messages
  }

  // MARK: - Per device

  private mutating func telemetry(
    _ device: SchoolLayout.SimDevice, _ current: inout DeviceState, phase: SchoolDay.Phase, time: Int64
  ) -> [SimMessage] {
    let inLesson = if case .lesson = phase { true } else { false }
    switch device.kind {
    case .board:
      // About one lesson in four is taught without the board (the teacher's choice, per room and period).
      if inLesson, !current.isOn, case .lesson(let period) = phase,
        ((roomIndex[device.room] ?? 0) + period) % 4 != 0
      {
        current.isOn = random.chance(0.9)
      }
      if !inLesson, current.isOn, random.chance(phase == .shortBreak ? 0.2 : 0.7) { current.isOn = false }
      let active = current.isOn && inLesson && random.chance(0.7)
      return [
        native(
          device, "telemetry",
          [
            "ts": .number(Double(time)), "power_on": .bool(current.isOn), "active": .bool(active),
            "input_source": .number(Double(1 + random.int(below: 3))),
          ])
      ]
    case .projector:
      if inLesson, !current.isOn { current.isOn = random.chance(0.5) }
      if !inLesson, current.isOn, random.chance(0.5) { current.isOn = false }
      if current.isOn { current.lampHours += 1.0 / 60 }
      let watts = current.isOn ? 190 + random.noise(8) : 2.5 + random.noise(0.3)
      current.energyKWh += watts / 60_000
      switch device.protocolName {
      case .tasmota:
        return [
          SimMessage(
            topic: "tele/\(device.id)/SENSOR",
            payload: compact([
              ("Time", .string("2026-11-29T08:00:00")),
              (
                "ENERGY",
                .object(
                  JSONObject([
                    ("Total", .number(rounded(current.energyKWh, 3))), ("Power", .number(rounded(watts, 0))),
                    ("Voltage", .number(Double(228 + random.int(below: 5)))),
                    ("Current", .number(rounded(watts / 230, 3))),
                  ]))
              ),
            ]), retain: false, malformed: false)
        ]
      case .shelly:
        return [
          // Shelly's factory topic prefix is the device id (no `shelly/` level).
          SimMessage(
            topic: "\(device.id)/events/rpc",
            payload: compact([
              ("src", .string(device.id)), ("method", .string("NotifyStatus")),
              (
                "params",
                .object(
                  JSONObject([
                    ("ts", .number(Double(time) / 1000)),
                    (
                      "switch:0",
                      .object(
                        JSONObject([
                          ("id", .number(0)), ("output", .bool(true)), ("apower", .number(rounded(watts, 1))),
                          (
                            "aenergy",
                            .object(JSONObject([("total", .number(rounded(current.energyKWh * 1000, 1)))]))
                          ),
                        ]))
                    ),
                  ]))
              ),
            ]), retain: false, malformed: false)
        ]
      default:
        return [
          native(
            device, "telemetry",
            [
              "ts": .number(Double(time)), "power_on": .bool(current.isOn),
              "lamp_hours": .number(rounded(current.lampHours, 1)), "error_code": .number(0),
            ])
        ]
      }
    case .envSensor:
      let air = roomAir[device.room] ?? Air()
      let occupancy = SchoolDay.occupancy(phase)
      let co2 = rounded(air.co2 + random.noise(15), 0)
      let temperature = rounded(air.temperature + random.noise(0.2), 1)
      let humidity = rounded(68 - (air.temperature - 26) * 2 + random.noise(1.5), 0)
      let noise = rounded(
        36 + occupancy * (phase == .shortBreak || phase == .longBreak ? 38 : 24) + random.noise(3), 0)
      if device.protocolName == .esphome {
        // One plain-text state topic per entity (esphome/components/mqtt/mqtt_sensor.cpp), with
        // the usual DIY box's entities: an SCD4x (CO2, temperature, humidity), an mmWave presence
        // sensor and the node's Wi-Fi signal. CO2 every minute; the slower entities every 5 and
        // 10 minutes (their update_interval), so a box costs the broker about two messages a minute.
        func state(_ type: String, _ name: String, _ value: String) -> SimMessage {
          SimMessage(
            topic: "\(device.id)/\(type)/\(name)/state", payload: value, retain: false, malformed: false)
        }
        let minute = time / 60_000
        var states = [state("sensor", "co2", JSONWriter.compact(.number(co2)))]
        if minute % 5 == 0 {
          states.append(state("sensor", "temperature", JSONWriter.compact(.number(temperature))))
          states.append(state("sensor", "humidity", JSONWriter.compact(.number(humidity))))
          states.append(state("binary_sensor", "presence", occupancy > 0.3 ? "ON" : "OFF"))
        }
        if minute % 10 == 0 {
          states.append(state("sensor", "wifi_signal", String(-50 - random.int(below: 25))))
        }
        return states
      }
      if device.protocolName == .zigbee2mqtt {
        return [
          SimMessage(
            topic: "zigbee2mqtt/\(device.id)",
            payload: compact([
              ("co2", .number(co2)), ("temperature", .number(temperature)), ("humidity", .number(humidity)),
              ("battery", .number(Double(80 + random.int(below: 20)))),
              ("linkquality", .number(Double(60 + random.int(below: 120)))),
              ("last_seen", .string(EpochTime.iso8601(time))),
            ]), retain: false, malformed: false)
        ]
      }
      return [
        native(
          device, "telemetry",
          [
            "ts": .number(Double(time)), "co2": .number(co2), "temperature": .number(temperature),
            "humidity": .number(humidity), "noise": .number(noise),
          ])
      ]
    case .attendanceReader:
      // A burst before the first period, a few late arrivals after lunch.
      if phase == .arrival, current.scansLeft == 0, random.chance(0.2) {
        current.scansLeft = layout.rooms.first { $0.id == device.room }?.students ?? 30
      }
      guard phase == .arrival || phase == .lunch else {
        current.scansLeft = 0
        return []
      }
      let scans =
        phase == .arrival ? min(current.scansLeft, 2 + random.int(below: 4)) : (random.chance(0.05) ? 1 : 0)
      current.scansLeft -= min(current.scansLeft, scans)
      return (0..<scans).map { index in
        native(
          device, "event",
          [
            "type": .string("card_scan"), "ts": .number(Double(time + Int64(index) * 7000)),
            "card": .string(String(random.next() & 0xFFFF_FFFF, radix: 16, uppercase: true)),
          ])
      }
    default:
      return []
    }
  }

  private mutating func updateAir(minute: Int) {
    let outdoor = 27 + 5 * max(0, sinDay(minute))
    for (room, air) in roomAir {
      let phase = holiday ? .closed : SchoolDay.phase(minute: minute, roomIndex: roomIndex[room] ?? 0)
      let occupancy = SchoolDay.occupancy(phase)
      // Breathing adds CO2 with the class; open windows in breaks let it fall back to outdoor air.
      let ventilation = phase == .shortBreak || phase == .longBreak || phase == .lunch ? 0.25 : 0.04
      var next = air
      next.co2 += occupancy * 22 - (air.co2 - 420) * ventilation
      next.co2 = min(max(next.co2, 400), 3000)
      next.temperature += (outdoor + occupancy * 2 - air.temperature) * 0.05
      roomAir[room] = next
    }
  }

  private func sinDay(_ minute: Int) -> Double {
    // Warmest around 14:00; a cheap curve is enough.
    let x = Double(minute - 480) / 360
    return x > 0 && x < 2 ? 1 - (x - 1) * (x - 1) : 0
  }

  private func availability(_ device: SchoolLayout.SimDevice, online: Bool) -> SimMessage {
    switch device.protocolName {
    case .native:
      return SimMessage(
        topic: "\(nativePrefix)/\(device.room)/\(device.kind.rawValue)/\(device.id)/status",
        payload: online ? "online" : "offline", retain: true, malformed: false)
    case .zigbee2mqtt:
      return SimMessage(
        topic: "zigbee2mqtt/\(device.id)/availability",
        payload: online ? #"{"state":"online"}"# : #"{"state":"offline"}"#,
        retain: true, malformed: false)
    case .tasmota:
      return SimMessage(
        topic: "tele/\(device.id)/LWT", payload: online ? "Online" : "Offline", retain: true, malformed: false
      )
    case .shelly:
      return SimMessage(
        topic: "\(device.id)/online", payload: online ? "true" : "false", retain: true, malformed: false)
    case .esphome:
      return SimMessage(
        topic: "\(device.id)/status", payload: online ? "online" : "offline", retain: true, malformed: false)
    }
  }

  static func native(
    _ device: SchoolLayout.SimDevice, _ channel: String, _ fields: KeyValuePairs<String, JSONValue>,
    prefix nativePrefix: String
  ) -> SimMessage {
    SimMessage(
      topic: "\(nativePrefix)/\(device.room)/\(device.kind.rawValue)/\(device.id)/\(channel)",
      payload: JSONWriter.compact(.object(JSONObject(fields.map { ($0.key, $0.value) }))), retain: false,
      malformed: false)
  }

  private func native(
    _ device: SchoolLayout.SimDevice, _ channel: String, _ fields: KeyValuePairs<String, JSONValue>
  ) -> SimMessage {
    Self.native(device, channel, fields, prefix: nativePrefix)
  }

  private func compact(_ members: [(String, JSONValue)]) -> String {
    JSONWriter.compact(.object(JSONObject(members)))
  }

  private func rounded(_ value: Double, _ digits: Int) -> Double {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    return Double(Int64(value * scale + (value >= 0 ? 0.5 : -0.5))) / scale
  }
}
