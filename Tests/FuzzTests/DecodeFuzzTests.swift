import Decode
import DeviceModel
import Foundation
import JSON
import TestSupport
import Testing

@testable import Agent

/// Hostile (topic, payload) pairs through the chain the agent really builds (`DecodingSetup` from a
/// config: the native protocol, the shipped profiles, a site profile with events, the demo
/// inventory, a card secret). Whatever arrives, the result is `.decoded`, `.ignored` or a dead
/// letter with a reason, and what is decoded is safe to store.
@Suite("Fuzz: topic and payload decoding")
struct DecodeFuzzTests {
  /// 2025-11-29T08:00:00Z.
  static let receivedAt: EpochMillis = 1_764_403_200_000

  /// Card ids the generator puts in payloads: long and random-looking, so finding one in decoded
  /// data can only mean it leaked.
  static let cardIDs = [
    "04A1B2C3D4E5F6A7", "9F:8E:7D:6C:5B:4A:39:28", "deadbeefcafe0123", "1234567890123457",
  ]

  @Test func hostileMessagesAreDecodedIgnoredOrDeadLettersAndDecodedDataIsSafe() throws {
    let fixture = try DecodeFixture()
    defer { fixture.remove() }
    let generator = MessageGenerator()
    let cases = FuzzBudget.cases(default: 100_000)
    let run = FuzzRun("decode")
    // CLASSGATE_FUZZ_PROFILE=1: where the time goes, per kind of topic and payload.
    let profile = FuzzBudget.environment["CLASSGATE_FUZZ_PROFILE"] != nil
    var nanoseconds: [String: UInt64] = [:]
    for index in FuzzBudget.indices(cases) {
      var rng = FuzzRandom(seed: FuzzBudget.seed, case: index)
      let started = profile ? DispatchTime.now().uptimeNanoseconds : 0
      let (topic, payload, label) = generator.labelledMessage(&rng)
      let withSecret = rng.chance(70)
      let chain = withSecret ? fixture.chain : fixture.chainWithoutSecret
      var result = DecodeResult.ignored
      run.run(index) {
        result = chain.decode(topic: topic, payload: payload, receivedAt: Self.receivedAt)
      }
      let problems = DecodeInvariants.check(result, payload: payload, pseudonymized: withSecret)
      switch result {
      case .decoded: run.outcomes["decoded", default: 0] += 1
      case .ignored: run.outcomes["ignored", default: 0] += 1
      case .deadLetter(let reason): run.outcomes[reason.code.rawValue, default: 0] += 1
      }
      if profile {
        let spent = DispatchTime.now().uptimeNanoseconds - started
        for part in label.split(separator: "/") { nanoseconds[String(part), default: 0] += spent }
      }
      if !problems.isEmpty {
        run.fail(
          "case \(index): \(problems.joined(separator: "; "))\n  topic \(literal(utf8(topic)))\n  payload \(literal(payload))\n  result \(result)"
        )
      }
    }
    run.finish()
    if profile {
      print(
        "fuzz decode profile (ms):", nanoseconds.mapValues { $0 / 1_000_000 }.sorted { $0.value > $1.value })
    }
    // The generator must reach every outcome, or it is not testing much (device_limit is ingest's,
    // not the decoder's).
    for outcome in ["decoded", "ignored"]
      + DeadLetterReason.Code.allCases.filter({ $0 != .deviceLimit }).map(\.rawValue)
    {
      #expect(cases < 10_000 || run.outcomes[outcome, default: 0] > 0, "no case ended as \(outcome)")
    }
  }

  /// Inputs worth keeping whatever the generator does: each must meet the invariants.
  @Test(
    arguments: [
      // Deep nesting is refused before any decoder walks it.
      ("classgate/101/env_sensor/env-1/telemetry", String(repeating: "[", count: 10_000)),
      (
        "classgate/101/attendance_reader/r-1/event",
        "{\"type\":\"card_scan\",\"a\":" + String(repeating: "{\"card\":", count: 5_000)
      ),
      // Literals JSON does not have, and numbers beyond Double.
      ("classgate/101/env_sensor/env-1/telemetry", #"{"co2":NaN}"#),
      ("classgate/101/env_sensor/env-1/telemetry", #"{"co2":Infinity}"#),
      ("classgate/101/env_sensor/env-1/telemetry", #"{"co2":-Infinity}"#),
      ("classgate/101/env_sensor/env-1/telemetry", #"{"co2":1e999}"#),
      ("tele/plug-1/SENSOR", #"{"ENERGY":{"Power":1.7976931348623157e308}}"#),
      ("shelly/s-1/status/switch:0", #"{"aenergy":{"total":-1.7976931348623157e308}}"#),
      ("classgate/101/env_sensor/env-1/telemetry", #"{"co2":1,"ts":1e300}"#),
      ("classgate/101/env_sensor/env-1/telemetry", #"{"co2":1,"ts":-1}"#),
      ("classgate/101/env_sensor/env-1/telemetry", #"{"co2":1,"ts":"9999-12-31T23:59:59.999999999+23:59"}"#),
      ("classgate/101/env_sensor/env-1/telemetry", #"{"co2":1,"ts":"0000-01-01T00:00:00-23:59"}"#),
      ("zigbee2mqtt/env-1", #"{"co2":1,"last_seen":999999999999999}"#),
      // Hostile topics.
      ("classgate/101/env_sensor/../telemetry", #"{"co2":1}"#),
      ("classgate/101/env_sensor/" + String(repeating: "a", count: 300) + "/telemetry", #"{"co2":1}"#),
      ("classgate/\u{202E}101/env_sensor/e-1/telemetry", #"{"co2":1}"#),
      ("classgate/101/env_sensor/e\u{0}1/telemetry", #"{"co2":1}"#),
      ("zigbee2mqtt/+", #"{"co2":1}"#),
      ("zigbee2mqtt/#", #"{"co2":1}"#),
      ("shelly/%00/online", "true"),
      ("", ""),
      ("/", "{}"),
      (String(repeating: "/", count: 10_000), "{}"),
    ])
  func knownHostileInputs(topic: String, payload: String) throws {
    let fixture = try DecodeFixture()
    defer { fixture.remove() }
    for (chain, pseudonymized) in [(fixture.chain, true), (fixture.chainWithoutSecret, false)] {
      let result = chain.decode(topic: topic, payload: utf8(payload), receivedAt: Self.receivedAt)
      let problems = DecodeInvariants.check(result, payload: utf8(payload), pseudonymized: pseudonymized)
      #expect(problems.isEmpty, "\(problems) for \(result)")
    }
  }
}

/// The agent's own decoding set-up, from a real config file.
struct DecodeFixture {
  let directory = TemporaryDirectory(prefix: "classgate-fuzz")
  let chain: DecoderChain
  let chainWithoutSecret: DecoderChain

  /// A site profile with an event rule: the shipped profiles have none, and card ids arrive in events.
  static let readerProfile = """
    name = "fuzz_reader"
    kind = "attendance_reader"

    [[topics]]
    pattern = "readers/{room}/{device}/scan"
    type = "event"
    event_type = "card_scan"
    timestamp = "at"
    [topics.fields]
    "card.uid" = "card"
    badge = "badge"
    meta = "meta"
    uid = "uid"

    [[topics]]
    pattern = "readers/{room}/{device}/state"
    type = "availability"
    field = "s"
    online = ["up", "true"]
    offline = ["down"]

    [[topics]]
    pattern = "readers/{room}/{kind}/{device}/raw"
    type = "telemetry"
    when = { field = "m", equals = "x" }
    [topics.metrics]
    v = { metric = "noise", scale = 1e300, offset = -5 }
    n = "rssi"
    """

  init() throws {
    try FileManager.default.createDirectory(atPath: directory.file("site"), withIntermediateDirectories: true)
    _ = try directory.write("site/fuzz-reader.toml", Self.readerProfile)
    let secret = try directory.write("card.secret", "0123456789abcdef0123456789abcdef", mode: 0o600)
    chain = try DecodingSetup.load(Self.config(in: directory, secret: secret)).chain
    chainWithoutSecret = try DecodingSetup.load(Self.config(in: directory, secret: nil)).chain
  }

  static func config(in directory: TemporaryDirectory, secret: String?) throws -> AgentConfig {
    let path = try directory.write(
      "classgate.toml",
      """
      school_id = "fuzz-school"
      [profiles]
      directories = ["\(devicesDirectory)", "\(directory.file("site"))"]
      [inventory]
      path = "\(devicesDirectory)/demo-inventory.toml"
      \(secret.map { "[privacy]\nsecret_file = \"\($0)\"" } ?? "")
      """)
    return try AgentConfig.load(path: path, environment: [:])
  }

  func remove() { directory.remove() }
}

/// What must hold for every decode result, whatever the input.
enum DecodeInvariants {
  static let limits = DecodeLimits()

  /// `deviceTextOnly`: dead-letter details are short and printable (they may quote a profile's
  /// texts, so a fuzzed profile turns this off).
  static func check(
    _ result: DecodeResult, payload: [UInt8], pseudonymized: Bool, deviceTextOnly: Bool = true
  ) -> [String] {
    var problems: [String] = []
    switch result {
    case .ignored:
      break
    case .deadLetter(let reason):
      if reason.detail.isEmpty { problems.append("dead letter without a detail") }
      guard deviceTextOnly else { break }
      if reason.detail.utf8.count > 400 {
        problems.append("dead-letter detail of \(reason.detail.utf8.count) bytes")
      }
      if !isDisplaySafe(reason.detail) { problems.append("control characters in the dead-letter detail") }
      for card in DecodeFuzzTests.cardIDs where reason.detail.contains(card) {
        problems.append("card id in the dead-letter detail")
      }
    case .decoded(let message):
      let device = message.device
      if !Identifier.isValid(device.id) { problems.append("invalid device id \(device.id.debugDescription)") }
      if let room = device.room, !Identifier.isValid(room) {
        problems.append("invalid room \(room.debugDescription)")
      }
      if device.profile.isEmpty { problems.append("no profile name") }
      let earliest = DecodeFuzzTests.receivedAt - limits.maxAgeMs
      let latest = DecodeFuzzTests.receivedAt + limits.maxFutureSkewMs
      switch message.content {
      case .readings(let readings):
        if readings.count > NativeDecoder.maxMetricsPerMessage {
          problems.append("\(readings.count) readings")
        }
        for reading in readings {
          if !reading.value.isFinite { problems.append("non-finite \(reading.metric) = \(reading.value)") }
          if !Identifier.isValidName(reading.metric[...]) {
            problems.append("metric name \(reading.metric.debugDescription)")
          }
          if !(earliest...latest).contains(reading.time) { problems.append("reading time \(reading.time)") }
          if reading.receiptTimed && reading.time != DecodeFuzzTests.receivedAt {
            problems.append("receipt-timed reading not at the receipt time")
          }
        }
      case .status(let status, let time):
        if status != .online && status != .offline { problems.append("status \(status)") }
        if time != DecodeFuzzTests.receivedAt { problems.append("status time \(time)") }
      case .event(let event):
        if !Identifier.isValidName(event.type[...]) {
          problems.append("event type \(event.type.debugDescription)")
        }
        if !(earliest...latest).contains(event.time) { problems.append("event time \(event.time)") }
        problems += eventData(event.data, payload: payload, pseudonymized: pseudonymized)
      }
    }
    return problems
  }

  /// Event data is a JSON object without clear card ids: with a secret, only a top-level
  /// `"card": "hmac:…"`; without one, no personal field at all. And no value that the payload
  /// carried only under a personal field (`card`, `uid`, … at any depth) appears anywhere in it.
  /// (A card id sent under another name, say `badge`, is not recognisable, and is kept.)
  static func eventData(_ data: String, payload: [UInt8], pseudonymized: Bool) -> [String] {
    guard case .object(let object)? = try? JSONParser.parse(data) else {
      return ["event data is not a JSON object: \(data.prefix(200))"]
    }
    var problems: [String] = []
    for secret in personalOnlyValues(payload) {
      if data.contains(secret) || data.uppercased().contains(CardPseudonymizer.normalize(secret)) {
        problems.append("clear personal id \(secret.debugDescription) in event data \(data.prefix(200))")
      }
    }
    func walk(_ value: JSONValue, topLevel: Bool) {
      switch value {
      case .object(let inner):
        for (key, member) in inner {
          if PersonalData.isPersonal(field: key) {
            let isPseudonym =
              pseudonymized && topLevel && key == "card" && member.stringValue.map(isHMAC) == true
            if !isPseudonym { problems.append("personal field '\(key)' in event data \(data.prefix(200))") }
          }
          walk(member, topLevel: false)
        }
      case .array(let items):
        for item in items { walk(item, topLevel: false) }
      default:
        break
      }
    }
    walk(.object(object), topLevel: true)
    if let first = object.members.first, first.key == "card", !pseudonymized {
      problems.append("a card pseudonym without a secret")
    }
    return problems
  }

  /// Texts (strings, numbers as written) the payload holds under personal field names and
  /// nowhere else, at least 8 characters long once normalised (shorter ones match by chance).
  static func personalOnlyValues(_ payload: [UInt8]) -> Set<String> {
    guard let value = try? JSONParser.parse(payload) else { return [] }
    var personal: Set<String> = []
    var visible: [String] = []
    func leaves(_ value: JSONValue, into texts: inout [String]) {
      switch value {
      case .string(let text): texts.append(text)
      case .number: texts.append(JSONWriter.compact(value))
      case .array(let items): for item in items { leaves(item, into: &texts) }
      case .object(let object):
        for (key, member) in object {
          texts.append(key)
          leaves(member, into: &texts)
        }
      default: break
      }
    }
    func walk(_ value: JSONValue) {
      switch value {
      case .array(let items): for item in items { walk(item) }
      case .object(let object):
        for (key, member) in object {
          if PersonalData.isPersonal(field: key) {
            var texts: [String] = []
            leaves(member, into: &texts)
            personal.formUnion(texts.filter { CardPseudonymizer.normalize($0).utf8.count >= 8 })
          } else {
            visible.append(key)
            walk(member)
          }
        }
      case .string(let text): visible.append(text)
      case .number: visible.append(JSONWriter.compact(value))
      default: break
      }
    }
    walk(value)
    return personal.filter { secret in
      let normalized = CardPseudonymizer.normalize(secret)
      return !visible.contains { $0.contains(secret) || $0.uppercased().contains(normalized) }
    }
  }

  static func isHMAC(_ text: String) -> Bool {
    let digits = text.utf8.dropFirst(CardPseudonymizer.prefix.utf8.count)
    return text.hasPrefix(CardPseudonymizer.prefix) && digits.count == 32
      && digits.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
  }
}

/// Topics and payloads: valid ones of every family, mutated ones, and deliberately hostile ones.
struct MessageGenerator {
  struct Family {
    let topics: [String]  // "{id}" and "{room}" are filled in
    let payloads: [String]
  }

  static let families: [Family] = [
    Family(
      topics: ["classgate/{room}/env_sensor/{id}/telemetry", "classgate/_/plug/{id}/telemetry"],
      payloads: [
        #"{"ts":1764403100,"co2":812,"temperature":27.4,"humidity":61,"noise":48}"#,
        #"{"co2":1200.5,"occupancy":true,"battery":null}"#,
        #"{"ts":"2025-11-29T14:58:00+07:00","power":143.2,"energy":12.75}"#,
        #"{"ts":1764403199123,"power_on":false,"active":1,"input_source":2}"#,
      ]),
    Family(
      topics: ["classgate/{room}/board/{id}/status", "classgate/{room}/projector/{id}/status"],
      payloads: ["online", "offline", "\"online\"", " OFFLINE\r\n"]),
    Family(
      topics: ["classgate/{room}/attendance_reader/{id}/event", "classgate/_/board/{id}/event"],
      payloads: [
        #"{"type":"card_scan","card":"{card}","ts":1764403150}"#,
        #"{"type":"card_scan","reader":{"uid":"{card}","slot":1},"student_id":"S-1"}"#,
        #"{"type":"error","code":12,"message":"lamp \u001b[31moverheat","items":[{"CardID":"{card}"}]}"#,
        #"{"type":"button","name":"help","card_uid":1234567890123457}"#,
      ]),
    Family(
      topics: ["zigbee2mqtt/{id}", "zigbee2mqtt/{id}/availability", "zigbee2mqtt/bridge/state"],
      payloads: [
        #"{"temperature":27.34,"humidity":44.72,"co2":640,"battery":97,"linkquality":142}"#,
        #"{"state":"ON","power":35.5,"energy":1.25,"voltage":231,"current":0.16,"last_seen":"2025-11-29T07:59:00Z"}"#,
        #"{"state":"online"}"#, "offline", #"{"occupancy":false,"illuminance_lux":312,"illuminance":20000}"#,
      ]),
    Family(
      topics: ["tele/{id}/SENSOR", "tele/{id}/STATE", "tele/{id}/LWT", "stat/{id}/RESULT"],
      payloads: [
        #"{"Time":"2025-11-29T15:00:00","ENERGY":{"Total":0.004,"Power":3,"Voltage":230,"Current":0.02}}"#,
        #"{"Time":"2025-11-29T15:00:00","AM2301":{"Temperature":27.4,"Humidity":61.2},"SCD30":{"CarbonDioxide":640}}"#,
        #"{"Time":"2025-11-29T15:00:00","POWER":"ON","Wifi":{"Signal":-61,"RSSI":78}}"#,
        "Online", "Offline", #"{"POWER1":"off"}"#,
      ]),
    Family(
      topics: [
        "shelly/{id}/online", "shelly/{id}/events/rpc", "shelly/{id}/status/switch:0",
        "shelly/{id}/status/temperature:0", "shelly/{id}/status/devicepower:0",
      ],
      payloads: [
        "true", "false",
        #"{"method":"NotifyStatus","params":{"ts":1764403195.12,"switch:0":{"id":0,"apower":3.1,"aenergy":{"total":2500}}}}"#,
        #"{"method":"NotifyFullStatus","params":{"ts":1764403195.5,"temperature:0":{"tC":21.5},"wifi":{"rssi":-70}}}"#,
        #"{"method":"NotifyEvent","params":{"ts":1764403195.5,"events":[]}}"#,
        #"{"id":0,"output":true,"apower":45.2,"voltage":229.8,"current":0.21}"#,
        #"{"battery":{"V":5.9,"percent":87}}"#,
      ]),
    Family(
      topics: ["readers/{room}/{id}/scan", "readers/{room}/{id}/state", "readers/{room}/plug/{id}/raw"],
      payloads: [
        #"{"card":{"uid":"{card}"},"badge":"B-7","at":1764403190}"#,
        #"{"card":{"uid":12345678901},"meta":{"Card_UID":"{card}","x":[{"uid":"{card}"}]}}"#,
        #"{"s":"up"}"#, "down",
        #"{"m":"x","v":1e10,"n":-60}"#,
      ]),
  ]

  static let ids = [
    "env-101", "plug-101", "plug-102", "board-101", "shellyhtg3-d4d4da112233", "0x00158d0001a2b3c4",
    "tasmota_8A3F2C", "r-1", "a", "A.b:c_d-e",
  ]
  static let rooms = ["101", "102", "lab-2", "_", "library", "x"]

  /// Topic levels no device id may be.
  static let hostileLevels: [String] = [
    "", ".", "..", "../..", "+", "#", "%", "%2e%2e", "%00", "\u{0}", "a\u{0}b", "\u{1b}[2J", "a b", " ",
    "\u{202E}evil", "\u{2066}x\u{2069}", "é", "😀", "\u{FEFF}", "\u{200B}", "'; DROP TABLE devices;--",
    "$(reboot)", "a\nb", "\t", "ｅｎｖ", String(repeating: "a", count: 65), String(repeating: "x", count: 300),
    String(repeating: "ü", count: 40), ".hidden", "-", "_", ":", "a/b", "bridge",
  ]

  let payloadMutator: Mutator
  let topicMutator: Mutator

  init() {
    let payloads = Self.families.flatMap(\.payloads).map {
      utf8($0.replacingOccurrences(of: "{card}", with: "04A1B2C3D4E5F6A7"))
    }
    payloadMutator = Mutator(
      dictionary: [
        "{", "}", "[", "]", ":", ",", "\"", "\\", "\\u0000", "\\ud800", "\\u001b", "null", "true", "false",
        "NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1e308", "4.9e-324", "-0", "0.0000000001",
        "18446744073709551616", "9007199254740993", "\"ts\":", "\"ts\":-1,", "\"ts\":1e15,", "\"type\":",
        "\"card\":", "\"uid\":", "\"Card_Id\":", "\"student_id\":", "\"params\":", "\"switch:0\":",
        "\"ENERGY\":", "\"state\":", "\"method\":\"NotifyStatus\",", "\"method\":", "\"NotifyFullStatus\"",
        "\"2025-11-29T08:00:00Z\"", "\"9999-12-31T23:59:59Z\"", "\"1970-01-01T00:00:00+23:59\"",
        "\u{1b}", "\u{202E}", "\u{7f}", "\u{85}",
      ].map(utf8) + [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]],
      corpus: payloads)
    topicMutator = Mutator(
      dictionary: Self.hostileLevels.map(utf8) + ["/", "//", "/#", "/+/"].map(utf8),
      corpus: Self.families.flatMap(\.topics).map(utf8))
  }

  func message(_ rng: inout FuzzRandom) -> (topic: String, payload: [UInt8]) {
    let (topic, payload, _) = labelledMessage(&rng)
    return (topic, payload)
  }

  /// The message and which generators made it ("hostile-level/mutated"), for profiling.
  func labelledMessage(_ rng: inout FuzzRandom) -> (topic: String, payload: [UInt8], label: String) {
    let family = rng.pick(Self.families)
    let card = rng.pick(DecodeFuzzTests.cardIDs)
    var topic = rng.pick(family.topics)
      .replacingOccurrences(of: "{id}", with: rng.pick(Self.ids))
      .replacingOccurrences(of: "{room}", with: rng.pick(Self.rooms))
    let topicKind: String
    switch rng.below(100) {
    case 0..<60: topicKind = "valid"
    case 60..<80:  // one level replaced by a hostile one
      topicKind = "hostile-level"
      var levels = topic.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
      levels[rng.below(levels.count)] = rng.pick(Self.hostileLevels)
      topic = levels.joined(separator: "/")
    case 80..<92:  // byte-level mutation (repaired to UTF-8, as MQTT requires)
      topicKind = "mutated"
      topic = String(decoding: topicMutator.mutate(utf8(topic), &rng), as: UTF8.self)
    case 92..<96:  // many levels, or one enormous one
      topicKind = "long"
      topic =
        rng.chance(50)
        ? String(repeating: "a/", count: rng.skewed(upTo: 5000)) + topic
        : topic + String(repeating: "z", count: rng.skewed(upTo: 70_000))
    default:  // random text
      topicKind = "random"
      topic = String(decoding: rng.bytes(rng.skewed(upTo: 120)), as: UTF8.self)
    }

    let valid = utf8(rng.pick(family.payloads).replacingOccurrences(of: "{card}", with: card))
    let payload: [UInt8]
    let payloadKind: String
    switch rng.below(100) {
    case 0..<15: (payloadKind, payload) = ("valid", valid)
    case 15..<60: (payloadKind, payload) = ("mutated", payloadMutator.mutate(valid, &rng))
    case 60..<75: (payloadKind, payload) = ("structured", structured(&rng, card: card, family: family))
    case 75..<82: (payloadKind, payload) = ("deep", deepNesting(&rng))
    case 82..<88:
      (payloadKind, payload) = (
        "mutated-structured", payloadMutator.mutate(structured(&rng, card: card, family: family), &rng)
      )
    case 88..<92: (payloadKind, payload) = ("number", hugeNumberOrLiteral(&rng))
    case 92..<97: (payloadKind, payload) = ("random", rng.bytes(rng.skewed(upTo: 300)))
    default:
      (payloadKind, payload) = (
        "padded", Array(repeating: UInt8(ascii: " "), count: rng.skewed(upTo: 70_000)) + valid
      )
    }
    return (topic, payload, "topic:\(topicKind)/payload:\(payloadKind)")
  }

  /// A JSON object in the shape devices send, with awkward values in it.
  func structured(_ rng: inout FuzzRandom, card: String, family: Family) -> [UInt8] {
    let keys = [
      "ts", "co2", "temperature", "power_on", "type", "card", "uid", "CardID", "student_id", "state",
      "method", "params", "switch:0", "aenergy", "total", "ENERGY", "Power", "Time", "last_seen", "at",
      "badge", "meta", "s", "m", "v", "n", "Co2", "bad key", "a\u{1b}b", "", "é",
    ]
    func value(_ depth: Int) -> String {
      switch rng.below(depth > 3 ? 9 : 12) {
      case 0:
        return rng.pick([
          "NaN", "Infinity", "-Infinity", "1e999", "1e308", "-1.7976931348623157e308", "4.9e-324",
        ])
      case 1: return String(rng.next() % 10_000_000_000_000_000)
      case 2: return "\(Double(bitPattern: rng.next()))"
      case 3: return rng.pick(["true", "false", "null", "0", "-0", "1", "1764403195.12", "1764403199999"])
      case 4: return "\"\(card)\""
      case 5:
        return rng.pick([#""ON""#, #""off""#, #""online""#, #""NotifyStatus""#, #""card_scan""#, #""x""#])
      case 6:
        return rng.pick([
          #""2025-11-29T07:59:00Z""#, #""0001-01-01T00:00:00Z""#, #""9999-12-31T23:59:59+23:59""#,
          #""2025-02-29T00:00:00Z""#,
        ])
      case 7:
        return
          "\"\(String(repeating: rng.pick(["a", "\\u001b", "\\u0000", "\\ud83d\\ude00", "\\\\", "é"]), count: rng.skewed(upTo: 200)))\""
      case 8: return String(repeating: "9", count: 1 + rng.skewed(upTo: 400))
      case 9, 10: return object(depth + 1)
      default: return "[" + (0..<rng.below(4)).map { _ in value(depth + 1) }.joined(separator: ",") + "]"
      }
    }
    func object(_ depth: Int) -> String {
      var seen: Set<String> = []
      var members: [String] = []
      for _ in 0..<rng.below(7) {
        let key = rng.pick(keys)
        guard seen.insert(key).inserted else { continue }
        members.append("\(JSONWriter.compact(.string(key))):\(value(depth))")
      }
      return "{" + members.joined(separator: ",") + "}"
    }
    return utf8(object(0))
  }

  func deepNesting(_ rng: inout FuzzRandom) -> [UInt8] {
    let depth = 1 + rng.skewed(upTo: 10_000)
    let open = rng.pick(["[", "{\"a\":", "{\"card\":", "[{\"uid\":"])
    let body = String(repeating: open, count: depth) + rng.pick(["1", "\"04A1B2C3D4E5F6A7\"", "", "{}"])
    let close = open == "[" ? "]" : open == "[{\"uid\":" ? "}]" : "}"
    return utf8(rng.chance(50) ? body + String(repeating: close, count: depth) : body)
  }

  func hugeNumberOrLiteral(_ rng: inout FuzzRandom) -> [UInt8] {
    let number = rng.pick([
      "NaN", "Infinity", "-Infinity", "nan", "inf", "1e999", "-1e999", "1E+400", "0e99999999999",
      String(repeating: "9", count: 1 + rng.skewed(upTo: 5000)),
      "0." + String(repeating: "0", count: rng.skewed(upTo: 5000)) + "1",
      "1e-400", "-0.0", "0x10", "+1", ".5", "1.", "01",
    ])
    let key = rng.pick(["co2", "ts", "power", "temperature"])
    return utf8(rng.pick(["{\"\(key)\":\(number)}", "{\"co2\":1,\"ts\":\(number)}", number, "[\(number)]"]))
  }
}
