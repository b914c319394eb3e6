import Decode
import DeviceModel
import Foundation
import Profiles
import TOML
import TestSupport
import Testing

@testable import Agent

/// Mutated TOML documents — the shipped profiles and inventories, the sample agent config and a
/// document using every TOML feature — through the TOML parser, the profile and inventory parsers
/// and `AgentConfig.load`. Each either loads or fails with its typed error naming a line.
@Suite("Fuzz: TOML, profiles, inventory and config")
struct ConfigFuzzTests {
  static let everyFeature = #"""
    # comment
    title = "TOML \"all\" \u00e9 \U0001F600"
    literal = 'C:\path\'
    multi = """
    Roses are red\
      Violets are blue"""
    multi_literal = '''
    raw \n text'''
    int = [+99, -17, 0, 1_000, 0xDEAD_beef, 0o755, 0b1101, 9223372036854775807, -9223372036854775808]
    float = [+1.0, 3.1415, -0.01, 5e+22, 1e06, -2E-2, 6.626e-34, 224_617.445_991, inf, -inf, nan]
    bool = [true, false]
    dates = [1979-05-27T07:32:00Z, 1979-05-27T00:32:00.999999-07:00, 1979-05-27 07:32:00, 1979-05-27, 07:32:00.5]
    nested = [[1, 2], ["a", 'b'], [{ x = 1 }, { y = [] }]]
    inline = { a.b = 1, "c d" = { e = true } }
    "quoted key" = 1
    'literal key' = 2
    dotted.key.here = 3
    [table]
    a = 1
    [table.sub]
    b = 2
    [[array]]
    c = 3
    [[array]]
    c = 4
    [array.d]
    e = 5
    """#

  static let documents: [(name: String, text: String)] = {
    let files = [
      "zigbee2mqtt.toml", "tasmota.toml", "shelly-gen2.toml", "demo-inventory.toml",
      "demo-school-inventory.toml",
    ]
    return files.map { ($0, fileText("\(devicesDirectory)/\($0)")) } + [
      ("classgate.toml", fileText("\(packageRoot)/Systemd/classgate.toml")),
      ("fuzz-reader.toml", DecodeFixture.readerProfile),
      ("every-feature.toml", everyFeature),
    ]
  }()

  /// Each document without its comment lines, cut at its table headers: small seeds make many
  /// more cases per second in a debug build, and mutations act locally anyway.
  static let sections: [String] = documents.flatMap { document in
    var parts: [String] = []
    var current: [Substring] = []
    for line in stripped(document.text).split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("["), !current.isEmpty {
        parts.append(current.joined(separator: "\n"))
        current = []
      }
      current.append(line)
    }
    parts.append(current.joined(separator: "\n"))
    return parts
  }

  static func stripped(_ text: String) -> String {
    text.split(separator: "\n").filter { !$0.drop { $0 == " " }.hasPrefix("#") }.joined(separator: "\n")
  }

  /// A profile's header and one to three of its `[[topics]]` entries (with their sub-tables).
  static func smallerProfile(_ text: String, _ rng: inout FuzzRandom) -> String {
    let blocks = stripped(text).components(separatedBy: "[[topics]]")
    guard blocks.count > 2 else { return stripped(text) }
    let entries = blocks.dropFirst()
    return blocks[0] + (0..<1 + rng.below(3)).map { _ in "[[topics]]" + rng.pick(Array(entries)) }.joined()
  }

  static let mutator = Mutator(
    dictionary: [
      "[", "]", "[[", "]]", "{", "}", "=", ",", ".", "\"", "'", "\"\"\"", "'''", "\\", "\\u", "\\U0010FFFF",
      "\\uD800", "\\x41", "#", "\n", "\r\n", "\r", "\t", " ", "inf", "nan", "+inf", "-nan", "0x", "0o", "0b",
      "_",
      "1979-05-27T07:32:00Z", "1979-02-29", "24:00:00", "9223372036854775808", "1e400", "true", "false",
      "\u{0}",
      "\u{1b}", "\u{7f}", "\u{FEFF}", "é", "a.b.c", "[topics]", "[[topics]]", "[topics.metrics]",
      "pattern = \"#\"",
      "type = \"ignore\"", "metrics = {}", "x = { metric = \"co2\", scale = 1e308 }", "name = \"x\"",
      "school_id = 1",
      "[ioc]", "[privacy]", "[local_broker]\nport = 0", "port = 99999999999999999999", "directories = []",
    ].map(utf8),
    corpus: documents.map { utf8($0.text) })

  static func lineCount(_ text: String) -> Int { text.utf8.filter { $0 == 10 || $0 == 13 }.count + 1 }

  @Test func tomlParserReturnsATableOrAnErrorWithItsPosition() {
    let cases = FuzzBudget.cases(default: 30_000)
    let run = FuzzRun("toml")
    for index in FuzzBudget.indices(cases) {
      var rng = FuzzRandom(seed: FuzzBudget.seed, case: index)
      let text = Self.mutatedText(&rng)
      var outcome: Result<TOMLTable, TOMLError> = .success(TOMLTable())
      run.run(index) { outcome = Result { () throws(TOMLError) in try TOMLParser.parse(text) } }
      switch outcome {
      case .success(let table):
        run.outcomes["table", default: 0] += 1
        for key in table.keys where !(1...Self.lineCount(text)).contains(table.line(of: key) ?? 1) {
          run.fail(
            "case \(index): key '\(key)' on line \(table.line(of: key) ?? -1) of \(Self.lineCount(text))")
        }
      case .failure(let error):
        run.outcomes["error", default: 0] += 1
        if !(1...Self.lineCount(text)).contains(error.line) || error.column < 1 || error.message.isEmpty {
          run.fail("case \(index): error \(error) (\(Self.lineCount(text)) lines) for \(literal(utf8(text)))")
        }
      }
    }
    run.finish()
    #expect(cases < 1000 || run.outcomes["table", default: 0] > cases / 50)
  }

  @Test func profileAndInventoryParsersReturnAProfileOrAnErrorWithALine() {
    let cases = FuzzBudget.cases(default: 12_000)
    let run = FuzzRun("profiles")
    let probe = MessageGenerator()
    let profiles = Self.documents.filter {
      !$0.name.contains("inventory") && $0.name != "classgate.toml" && $0.name != "every-feature.toml"
    }
    let inventories = Self.documents.filter { $0.name.contains("inventory") }
    for index in FuzzBudget.indices(cases) {
      var rng = FuzzRandom(seed: FuzzBudget.seed, case: index)
      let isInventory = rng.chance(25)
      let (name, original) = rng.pick(isInventory ? inventories : profiles)
      let seed = isInventory ? Self.stripped(original) : Self.smallerProfile(original, &rng)
      let text = String(decoding: Self.mutator.mutate(utf8(seed), &rng), as: UTF8.self)
      let file = "/etc/classgate/devices/\(name)"
      run.run(index) {
        do throws(ProfileError) {
          if isInventory {
            let inventory = try InventoryParser.parse(text, file: file)
            run.outcomes["inventory", default: 0] += 1
            for device in inventory.devices.values where !Identifier.isValid(device.id) {
              run.fail("case \(index): inventory device id \(device.id.debugDescription)")
            }
            for room in inventory.rooms where !Identifier.isValid(room.id) {
              run.fail("case \(index): inventory room id \(room.id.debugDescription)")
            }
          } else {
            let profile = try ProfileParser.parse(text, file: file)
            run.outcomes["profile", default: 0] += 1
            for problem in Self.problems(profile) {
              run.fail("case \(index): \(problem) in \(literal(utf8(text)))")
            }
            // A profile that loads must decode anything without trouble, alone and among the shipped ones.
            let decoder = ProfileDecoder(profile: profile, pseudonymizer: nil)
            let chain = DecoderChain([decoder])
            for _ in 0..<4 {
              let (topic, payload) = probe.message(&rng)
              let result = chain.decode(
                topic: topic, payload: payload, receivedAt: DecodeFuzzTests.receivedAt)
              // Dead-letter details may quote the profile's own texts: its author's, not a device's.
              for problem in DecodeInvariants.check(
                result, payload: payload, pseudonymized: false, deviceTextOnly: false)
              {
                run.fail(
                  "case \(index): \(problem) decoding \(literal(utf8(topic))) with \(literal(utf8(text)))")
              }
            }
            _ = try? ProfileSet(profiles: [profile] + Self.shipped.filter { $0.name != profile.name })
          }
        } catch {
          run.outcomes["error", default: 0] += 1
          if error.file != file || !(1...Self.lineCount(text)).contains(error.line) || error.message.isEmpty {
            run.fail(
              "case \(index): error \(error) (\(Self.lineCount(text)) lines) for \(literal(utf8(text)))")
          }
        }
      }
    }
    run.finish()
    #expect(
      cases < 1000 || run.outcomes["profile", default: 0] > 0 && run.outcomes["inventory", default: 0] > 0)
  }

  /// `AgentConfig.load` on mutated configs, with environment overrides now and then. Paths in the
  /// seed point at real files, so mutations reach the checks behind them (modes, sizes).
  @Test func agentConfigLoadsOrReportsProblemsWithTheirLines() throws {
    let directory = TemporaryDirectory(prefix: "classgate-fuzz-config")
    defer { directory.remove() }
    let secret = try directory.write("card.secret", "0123456789abcdef0123456789abcdef", mode: 0o600)
    let loose = try directory.write("loose.secret", "0123456789abcdef0123456789abcdef", mode: 0o640)
    let password = try directory.write("broker.pass", "pw\n", mode: 0o600)
    let key = try directory.write("client.key", "key", mode: 0o600)
    let cert = try directory.write("client.pem", "cert", mode: 0o644)
    let seed = """
      school_id = "hcm-q1-th-01"
      time_zone = "Asia/Ho_Chi_Minh"
      [local_broker]
      host = "127.0.0.1"
      port = 1883
      username = "classgate"
      password_file = "\(password)"
      protocol = "mqtt5"
      receive_maximum = 100
      [native]
      prefix = "classgate"
      [profiles]
      directories = ["\(devicesDirectory)"]
      [ioc]
      host = "ioc.example"
      ca_file = "\(cert)"
      cert_file = "\(cert)"
      key_file = "\(key)"
      max_in_flight = 20
      [store]
      path = "\(directory.file("classgate.db"))"
      durability = "full"
      [rollup]
      window_minutes = 15
      co2_above_ppm = 1500
      [ingest]
      max_payload_bytes = 65536
      [privacy]
      secret_file = "\(secret)"
      scan_retention_days = 30
      [log]
      level = "info"
      """
    let seeds = [
      seed, seed.replacingOccurrences(of: secret, with: loose),
      fileText("\(packageRoot)/Systemd/classgate.toml"),
    ]
    let mutator = Mutator(dictionary: Self.mutator.dictionary, corpus: seeds.map(utf8))
    let variables = [
      "CLASSGATE_LOCAL_BROKER_PORT", "CLASSGATE_SCHOOL_ID", "CLASSGATE_PRIVACY_SECRET_FILE",
      "CLASSGATE_IOC_HOST",
      "CLASSGATE_PROFILES_DIRECTORIES", "CLASSGATE_STORE_DURABILITY", "CLASSGATE_LOG_LEVEL",
      "CLASSGATE_ROLLUP_WINDOW_MINUTES",
    ]
    let cases = FuzzBudget.cases(default: 5_000)
    let run = FuzzRun("config")
    let path = directory.file("classgate.toml")
    for index in FuzzBudget.indices(cases) {
      var rng = FuzzRandom(seed: FuzzBudget.seed, case: index)
      let text = String(decoding: mutator.mutate(utf8(rng.pick(seeds)), &rng), as: UTF8.self)
      var environment: [String: String] = [:]
      if rng.chance(10) {
        environment[rng.pick(variables)] = rng.pick([
          "", "0", "-1", "99999999999999999999", "a:b", secret, loose, "x\u{1b}", "5",
        ])
      }
      guard overwrite(path, with: text) else {
        Issue.record("cannot write \(path)")
        return
      }
      run.run(index) {
        do throws(ConfigError) {
          let config = try AgentConfig.load(path: path, environment: environment)
          run.outcomes["config", default: 0] += 1
          if !AgentConfig.isValidSchoolID(config.schoolID) {
            run.fail("case \(index): school id \(config.schoolID.debugDescription)")
          }
          if let pseudonymizer = config.cardPseudonymizer, config.cardSecretFile == loose {
            run.fail("case \(index): a group-readable secret was accepted: \(pseudonymizer)")
          }
        } catch {
          run.outcomes["error", default: 0] += 1
          if error.problems.isEmpty { run.fail("case \(index): a config error without problems") }
          for problem in error.problems {
            let fromFile = problem.location.hasPrefix("classgate.toml line ")
            let line = Int(problem.location.dropFirst("classgate.toml line ".count)) ?? 0
            let fromEnvironment = problem.location.hasPrefix("environment variable CLASSGATE_")
            if !(fromFile && (1...Self.lineCount(text)).contains(line) || fromEnvironment)
              || problem.message.isEmpty
            {
              run.fail("case \(index): problem without a line: \(problem) for \(literal(utf8(text)))")
            }
          }
        }
      }
    }
    run.finish()
    #expect(cases < 1000 || run.outcomes["config", default: 0] > 0)
  }

  // MARK: - Helpers

  /// Plain open/write/close: Foundation's file writing costs more than the load being tested.
  func overwrite(_ path: String, with text: String) -> Bool {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    let bytes = Array(text.utf8)
    return bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count
  }

  static let shipped: [Profile] = (try? ProfileSet.load(directories: [devicesDirectory]).profiles) ?? []

  static func mutatedText(_ rng: inout FuzzRandom) -> String {
    switch rng.below(10) {
    case 0:  // deep nesting
      let open = rng.pick(["[", "{ a = ", "[{ b = [", "{ a.b.c = "])
      return "x = " + String(repeating: open, count: rng.skewed(upTo: 5000)) + rng.pick(["1", "", "]", "}"])
    case 1:  // a long dotted key or table header
      let part = rng.pick(["a", "\"q\"", "'l'", "é"])
      let key = Array(repeating: part, count: 1 + rng.skewed(upTo: 3000)).joined(separator: ".")
      return rng.chance(50) ? "[\(key)]\nx = 1" : "\(key) = 1"
    case 2:
      return String(decoding: mutator.mutate(utf8(rng.pick(documents).text), &rng), as: UTF8.self)
    default:
      return String(decoding: mutator.mutate(utf8(rng.pick(sections)), &rng), as: UTF8.self)
    }
  }

  static func problems(_ profile: Profile) -> [String] {
    var problems: [String] = []
    if !Identifier.isValidName(profile.name[...]) {
      problems.append("profile name \(profile.name.debugDescription)")
    }
    if profile.rules.isEmpty { problems.append("a profile without rules") }
    for rule in profile.rules {
      if rule.content != .ignore && !rule.pattern.captures.contains(.device) {
        problems.append("rule \(rule.pattern) stores data without a {device} capture")
      }
      switch rule.content {
      case .telemetry(let telemetry):
        if telemetry.fields.isEmpty { problems.append("telemetry without fields") }
        for field in telemetry.fields {
          if !Identifier.isValidName(field.metric[...]) {
            problems.append("metric \(field.metric.debugDescription)")
          }
          if !field.scale.isFinite || !field.offset.isFinite { problems.append("non-finite scale or offset") }
        }
      case .event(let event):
        if !Identifier.isValidName(event.type[...]) {
          problems.append("event type \(event.type.debugDescription)")
        }
      case .availability, .ignore:
        break
      }
    }
    return problems
  }
}
