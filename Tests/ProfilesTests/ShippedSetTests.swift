import Decode
import DeviceModel
import Profiles
import TestSupport
import Testing

@Suite("The shipped profile set (Devices/*.toml)")
struct ShippedSetTests {
  @Test("loads the four shipped profiles, in file order, with their default kinds")
  func loads() throws {
    let set = try shippedSet()
    #expect(set.profiles.map(\.name) == ["esphome", "shelly_gen2", "tasmota", "zigbee2mqtt"])
    #expect(set.profiles.map(\.kind) == [.envSensor, .plug, .plug, .envSensor])
    #expect(
      set.profiles.map(\.file)
        == ["esphome.toml", "shelly-gen2.toml", "tasmota.toml", "zigbee2mqtt.toml"].map {
          "\(devicesDirectory)/\($0)"
        })
    #expect(set.overridden.isEmpty)
    #expect(set.profiles.allSatisfy { !$0.summary.isEmpty })
  }

  @Test(
    "the subscription filters: one per distinct pattern, none another one covers, ignore rules not subscribed"
  )
  func filters() throws {
    let filters = try shippedSet().filters
    #expect(
      filters == [
        "+/status", "+/sensor/+/state", "+/binary_sensor/+/state", "+/switch/+/state", "+/online",
        "shelly/+/online", "+/events/rpc", "shelly/+/events/rpc", "+/status/+", "shelly/+/status/+",
        "tele/+/SENSOR", "+/tele/SENSOR", "tele/+/STATE", "+/tele/STATE", "stat/+/+", "+/stat/+",
        "tele/+/LWT",
        "+/tele/LWT", "zigbee2mqtt/#",
      ])
  }

  @Test("every topic a shipped rule decodes is received by some filter; the bridge's are ignored, even large")
  func filtersCoverRules() throws {
    let filters = try shippedSet().filters
    for topic in [
      "shelly/shellyplus1pm-a8032ab12345/online", "shelly/shellyplus1pm-a8032ab12345/events/rpc",
      "shelly/shellyplus1pm-a8032ab12345/status/switch:0",
      "shelly/shellyhtg3-d4d4da112233/status/temperature:0",
      "shelly/shellyhtg3-d4d4da112233/status/humidity:0",
      "shelly/shellyhtg3-d4d4da112233/status/devicepower:0",
      "shelly/shellyhtg3-d4d4da112233/status/wifi", "tele/plug-101/SENSOR", "tele/plug-101/STATE",
      "stat/plug-101/RESULT", "tele/plug-101/LWT", "zigbee2mqtt/env-101", "zigbee2mqtt/env-101/availability",
      "shellyplus1pm-441793d69718/online", "shellyplus1pm-441793d69718/events/rpc",
      "shellyplus2pm-c4d8d5561234/status/switch:1", "plug-101/tele/SENSOR", "stat/plug-101/POWER2",
      "zigbee2mqtt/floor1/room101/co2", "co2-box-101/status", "co2-box-101/sensor/co2/state",
      "co2-box-101/binary_sensor/presence/state", "co2-box-101/switch/relay/state",
    ] {
      #expect(try isSubscribed(topic, by: filters), "\(topic)")
    }
    // zigbee2mqtt/# brings in the bridge's topics: ignored, also above the payload size limit
    // (bridge/devices lists every device and is often hundreds of kB).
    let chain = try shippedChain(limits: DecodeLimits(maxPayloadBytes: 1024))
    let large = Array(repeating: UInt8(ascii: " "), count: 4096)
    for topic in ["zigbee2mqtt/bridge/state", "zigbee2mqtt/bridge/devices", "zigbee2mqtt/bridge/logging"] {
      #expect(chain.decode(topic: topic, payload: large, receivedAt: receivedAt) == .ignored, "\(topic)")
    }
    // A device topic above the limit is still a dead letter.
    #expect(
      chain.decode(topic: "zigbee2mqtt/env-101", payload: large, receivedAt: receivedAt)
        == .deadLetter(DeadLetterReason(.payloadTooLarge, "payload is 4096 bytes, the limit is 1024")))
  }

  @Test("every mapped metric is a canonical metric")
  func canonicalMetrics() throws {
    for profile in try shippedSet().profiles {
      for rule in profile.rules {
        guard case .telemetry(let telemetry) = rule.content else { continue }
        for field in telemetry.fields {
          #expect(
            Metrics.canonical(field.metric) != nil,
            "\(profile.name) \(rule.pattern) maps \(field.path) to '\(field.metric)', not a canonical metric")
        }
      }
    }
  }

  @Test("the bridge's ignore rule comes before every Zigbee2MQTT device rule")
  func ignoreRuleFirst() throws {
    let rules = try shippedProfile("zigbee2mqtt").rules
    #expect(rules.first?.pattern.description == "zigbee2mqtt/bridge/#")
    #expect(rules.first?.content == .ignore)
  }

  @Test(
    "no shipped pattern overlaps the built-in native protocol (classgate/<room>/<kind>/<device>/<channel>)")
  func noOverlapWithNative() throws {
    let native = try TopicPattern("classgate/{room}/{kind}/{device}/+")
    for profile in try shippedSet().profiles {
      for rule in profile.rules {
        #expect(!rule.pattern.overlaps(native), "\(profile.name): \(rule.pattern)")
      }
    }
    // And the chain still hands native topics to the native decoder, with the inventory's name.
    let result = try decodeChain(
      "classgate/101/board/board-101/telemetry", #"{"power_on":true,"active":1}"#, inventory: demoInventory())
    #expect(
      result
        == telemetry(
          DeviceIdentity(
            id: "board-101", kind: .board, room: "101", profile: "native", name: "Smart board, 101"),
          received(["power_on": 1, "active": 1])))
  }

  @Test("a site profile {device}/online loads beside zigbee2mqtt/{device#}: precedence, not refusal")
  func siteProfileBesideZigbee() throws {
    let set = try shippedSet()
    // A site profile for some other vendor's two-level availability topic.
    let site = Profile(
      name: "site_online", summary: "", file: "site/online.toml", kind: .plug,
      rules: [
        Profile.Rule(
          pattern: try TopicPattern("{device}/state"),
          content: .availability(.init(online: ["up"], offline: ["down"])))
      ])
    let loaded = try ProfileSet(profiles: set.profiles + [site])
    let chain = DecoderChain(loaded.decoders(limits: DecodeLimits()))
    #expect(
      chain.explain(topic: "lamp-1/state", payload: Array("up".utf8), receivedAt: receivedAt).decoder
        == "site_online")
    // zigbee2mqtt/state: the fixed first level wins; a Zigbee device called "state".
    #expect(
      chain.explain(topic: "zigbee2mqtt/state", payload: Array("{}".utf8), receivedAt: receivedAt).decoder
        == "zigbee2mqtt")
  }

  @Test(
    "topics no profile matches are dead letters (unknownTopic) from the chain",
    arguments: [
      "homeassistant/sensor/env-101/config", "tele/tasmota_8A3F2C",
      "shelly/shellyplus1pm-a8032ab12345", "office/printer/status",
    ])
  func unknownTopic(topic: String) throws {
    #expect(
      try decodeChain(topic, #"{"temperature":22}"#)
        == .deadLetter(DeadLetterReason(.unknownTopic, "no profile matches this topic")))
  }

  @Test("each device topic is claimed by the expected profile")
  func claimedBy() throws {
    let chain = try shippedChain()
    let cases: [(String, String?)] = [
      ("zigbee2mqtt/env-101", "zigbee2mqtt"), ("zigbee2mqtt/env-101/availability", "zigbee2mqtt"),
      ("zigbee2mqtt/bridge/state", "zigbee2mqtt"), ("tele/plug-101/SENSOR", "tasmota"),
      ("tele/plug-101/LWT", "tasmota"), ("stat/plug-101/RESULT", "tasmota"),
      ("shelly/shellyplus1pm-a8032ab12345/online", "shelly_gen2"),
      ("shelly/shellyplus1pm-a8032ab12345/status/switch:0", "shelly_gen2"),
      ("classgate/101/plug/plug-17/telemetry", "native"), ("elsewhere/x", nil),
    ]
    for (topic, expected) in cases {
      let payload = topic.hasSuffix("LWT") ? "Online" : topic.hasSuffix("online") ? "true" : "{}"
      #expect(
        chain.explain(topic: topic, payload: Array(payload.utf8), receivedAt: receivedAt).decoder == expected,
        "\(topic)")
    }
  }

  @Test("the demo inventory loads: rooms, the metered projector plug and the Zigbee plug")
  func demoInventoryLoads() throws {
    let inventory = try demoInventory()
    #expect(inventory.rooms.map(\.id) == ["101", "102", "lab-2", "library"])
    #expect(inventory.rooms.first == Inventory.Room(id: "101", name: "Lớp 1A", building: "A", floor: 1))
    #expect(
      inventory.devices["plug-101"]
        == Inventory.Device(
          id: "plug-101", name: "Old projector, 101", room: "101", kind: .projector, onAboveWatts: 20))
    #expect(
      inventory.devices["plug-102"]
        == Inventory.Device(id: "plug-102", name: "Fan plug, 102", room: "102", kind: .plug))
    #expect(inventory.devices.count == 6)
    // Every device room is a listed room (the parser enforces it; this keeps the example honest).
    let rooms = Set(inventory.rooms.map(\.id))
    #expect(inventory.devices.values.allSatisfy { $0.room.map(rooms.contains) ?? true })
  }

  @Test("the demo inventory is not loaded as a profile")
  func inventoryIsNotAProfile() throws {
    #expect(try !shippedSet().profiles.contains { $0.file.hasSuffix("inventory.toml") })
  }
}
