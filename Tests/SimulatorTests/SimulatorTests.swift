import Decode
import DeviceModel
import Foundation
import Profiles
import Simulator
import Testing

/// The simulator's whole day, decoded by the shipped profiles exactly as the agent would.
@Suite("The school simulator")
struct SimulatorTests {
  static let devicesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Devices").path
  /// 2026-11-28 00:00 in Asia/Ho_Chi_Minh (UTC+7), as epoch ms.
  static let midnight: Int64 = 1_764_262_800_000

  struct Day {
    var messages: [(minute: Int, message: SimMessage)] = []
    var malformed = 0
  }

  static func simulate(devices: Int = 120, seed: UInt64 = 42, holiday: Bool = false) -> (SchoolLayout, Day) {
    let layout = SchoolLayout(deviceCount: devices, seed: seed)
    var simulator = SchoolSimulator(layout: layout, seed: seed, holiday: holiday)
    var day = Day()
    day.messages = simulator.announce().map { (SchoolDay.opens, $0) }
    for minute in SchoolDay.opens..<SchoolDay.closes {
      for message in simulator.tick(time: midnight + Int64(minute) * 60_000, minute: minute) {
        day.messages.append((minute, message))
      }
    }
    day.malformed = simulator.malformedSent
    return (layout, day)
  }

  static func chain(for layout: SchoolLayout) throws -> DecoderChain {
    let profiles = try ProfileSet.load(directories: [devicesDirectory], required: true)
    let inventory = try InventoryParser.parse(layout.inventoryTOML(), file: "generated.toml")
    return DecoderChain(
      [NativeDecoder()] + profiles.decoders(limits: DecodeLimits()), inventory: inventory)
  }

  @Test func aWholeDayIsAcceptedByTheShippedProfilesExceptTheDeliberateMalformedMessages() throws {
    let (layout, day) = Self.simulate()
    let chain = try Self.chain(for: layout)
    var deadLetters: [String: Int] = [:]
    var devicesSeen: Set<String> = []
    var kinds: [String: DeviceKind] = [:]
    // Decoded at the end of the simulated day + 1 h, like an agent receiving it live a day later.
    let receivedAt = Self.midnight + Int64(SchoolDay.closes + 60) * 60_000
    for (_, message) in day.messages {
      switch chain.decode(topic: message.topic, payload: Array(message.payload.utf8), receivedAt: receivedAt)
      {
      case .decoded(let decoded):
        devicesSeen.insert(decoded.device.id)
        kinds[decoded.device.id] = decoded.device.kind
        #expect(!message.malformed)
      case .deadLetter(let reason):
        deadLetters[reason.code.rawValue, default: 0] += 1
        #expect(message.malformed, "unexpected dead letter \(reason) for \(message.topic)")
      case .ignored:
        Issue.record("the simulator sent an ignored topic: \(message.topic)")
      }
    }
    #expect(day.malformed > 0)
    #expect(deadLetters == ["malformed_payload": day.malformed])
    #expect(devicesSeen.count == 120)
    // Plugs in front of legacy projectors are projectors, thanks to the generated inventory.
    #expect(kinds["plug-102"] == .projector && kinds["shellyplug-105"] == .projector)
    #expect(kinds["env-101"] == .envSensor && kinds["reader-101"] == .attendanceReader)
    #expect(day.messages.contains { $0.message.topic == "zigbee2mqtt/env-101" })
    #expect(day.messages.contains { $0.message.topic == "tele/plug-102/SENSOR" })
    // Shelly with its factory topics (no site profile), and an ESPHome CO2 box on the third floor.
    #expect(day.messages.contains { $0.message.topic == "shellyplug-105/events/rpc" })
    #expect(day.messages.contains { $0.message.topic == "shellyplug-105/online" })
    #expect(day.messages.contains { $0.message.topic == "co2-box-301/sensor/co2/state" })
    #expect(
      day.messages.contains { $0.message.topic == "co2-box-301/status" && $0.message.payload == "online" })
    #expect(kinds["co2-box-301"] == .envSensor)
  }

  @Test func theESPHomeBoxSendsPlainTextStatesTheProfileMapsWithoutNotes() throws {
    let (layout, day) = Self.simulate()
    let chain = try Self.chain(for: layout)
    let receivedAt = Self.midnight + Int64(SchoolDay.closes + 60) * 60_000
    var metrics: Set<String> = []
    for (_, message) in day.messages where message.topic.hasPrefix("co2-box-301/") {
      guard
        case .decoded(let decoded) = chain.decode(
          topic: message.topic, payload: Array(message.payload.utf8), receivedAt: receivedAt)
      else {
        Issue.record("not decoded: \(message.topic)")
        continue
      }
      #expect(decoded.device.profile == "esphome" && decoded.device.room == "301")
      #expect(decoded.notes.isEmpty, "\(message.topic): \(decoded.notes)")
      if case .readings(let readings) = decoded.content { metrics.formUnion(readings.map(\.metric)) }
    }
    #expect(metrics == ["co2", "temperature", "humidity", "rssi", "presence"])
  }

  @Test func co2RisesInLessonsAndFallsInTheLongBreak() throws {
    let (_, day) = Self.simulate()
    func co2(atMinute minute: Int) -> Double? {
      guard
        let message = day.messages.first(where: {
          $0.minute == minute && $0.message.topic == "classgate/201/env_sensor/env-201/telemetry"
        }),
        let object = try? JSONSerialization.jsonObject(with: Data(message.message.payload.utf8))
          as? [String: Any]
      else { return nil }
      return object["co2"] as? Double
    }
    // Period 2 ends 08:35 (515), the long break ends 08:55 (535); before school 06:40 (400).
    let early = try #require(co2(atMinute: 400))
    let endOfLesson = try #require(co2(atMinute: 514))
    let endOfBreak = try #require(co2(atMinute: 534))
    #expect(endOfLesson > early + 300)
    #expect(endOfBreak < endOfLesson - 200)
  }

  @Test func cardScansBurstBeforeTheFirstPeriod() {
    let (_, day) = Self.simulate()
    let scans = day.messages.filter {
      $0.message.topic.hasSuffix("/event") && $0.message.payload.contains("card_scan")
    }
    let beforeFirstPeriod = scans.filter { $0.minute < 420 }.count
    #expect(scans.count > 300)
    #expect(Double(beforeFirstPeriod) > Double(scans.count) * 0.8)
  }

  @Test func devicesDropOfflineAndComeBack() {
    let (_, day) = Self.simulate(devices: 400)
    let offline = day.messages.filter {
      $0.message.retain
        && ["offline", "Offline", "false", #"{"state":"offline"}"#].contains($0.message.payload)
    }
    #expect(!offline.isEmpty)
    // Each drop is followed by a return of the same device.
    for drop in offline where drop.minute < SchoolDay.closes - 30 {
      let cameBack = day.messages.contains {
        $0.minute > drop.minute && $0.message.topic == drop.message.topic && $0.message.retain
          && $0.message.payload != drop.message.payload
      }
      #expect(cameBack, "\(drop.message.topic) did not come back")
    }
  }

  /// The demo's inventory in Devices/ is the simulator's own output for the default school.
  @Test func theShippedDemoSchoolInventoryMatchesTheDefaultLayout() throws {
    let shipped = try String(
      contentsOfFile: Self.devicesDirectory + "/demo-school-inventory.toml", encoding: .utf8)
    #expect(shipped == SchoolLayout(deviceCount: 120, seed: 1).inventoryTOML())
    let inventory = try InventoryParser.parse(shipped, file: "demo-school-inventory.toml")
    #expect(inventory.rooms.count == 30)
    #expect(inventory.devices["plug-102"]?.onAboveWatts == 20)
  }

  @Test func theSameSeedGivesTheSameTrafficAndDevicesScale() {
    let (_, first) = Self.simulate(seed: 9)
    let (_, second) = Self.simulate(seed: 9)
    let (_, other) = Self.simulate(seed: 10)
    #expect(first.messages.map(\.message) == second.messages.map(\.message))
    #expect(first.messages.map(\.message) != other.messages.map(\.message))
    #expect(SchoolLayout(deviceCount: 1000, seed: 1).devices.count == 1000)
    #expect(SchoolLayout(deviceCount: 1000, seed: 1).rooms.count == 250)
    #expect(SchoolLayout(deviceCount: 3, seed: 1).devices.count == 3)
  }
}
