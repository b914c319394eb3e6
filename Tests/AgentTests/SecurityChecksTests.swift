import Agent
import Buffer
import DeviceModel
import Foundation
import TestSupport
import Testing

/// Security properties checked mechanically. Related checks live elsewhere: secret files with
/// group or other permissions (Tests/ConfigTests/PrivacyConfigTests.swift, LoadTests.swift), the
/// clear card id never reaching the store, logs or the IOC (PrivacyAndIdleTests.swift,
/// UplinkTests.swift, and DecodeInvariants in Tests/FuzzTests).
@Suite("Security checks", .serialized)
struct SecurityChecksTests {
  static let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

  // MARK: - SQL is constant text

  /// Pieces of SQL built from something other than a literal, each proven harmless: an integer
  /// where SQLite takes no bound parameter, or a choice between constant strings. Anything else
  /// must be a `?` parameter. (file, the interpolated or appended expression, why.)
  static let sqlAllowlist: [(file: String, expression: String, why: String)] = [
    (
      "Sources/SQLiteStore/Migrator.swift", "migration.version",
      "an Int: PRAGMA user_version takes no parameter"
    ),
    (
      "Sources/Buffer/StoreReader.swift", "deviceColumns",
      "one of two constant column lists, chosen by the schema version"
    ),
    (
      "Sources/Buffer/StoreCap.swift", "String(max(16, maxBytes / pageSize))",
      "an Int: PRAGMA max_page_count takes no parameter"
    ),
    (
      "Sources/Buffer/StoreFile.swift", "String(max(1, checkpointPages))",
      "an Int: PRAGMA wal_autocheckpoint takes no parameter"
    ),
    (
      "Sources/IOCReceiver/PartitionMaker.swift", "Self.name(table, month)",
      "a table of IOCSchema.partitionedTables and a month's digits: PostgreSQL DDL takes no parameters"
    ),
    (
      "Sources/IOCReceiver/PartitionMaker.swift", "table",
      "a table of IOCSchema.partitionedTables (the partition's parent): DDL takes no parameters"
    ),
    (
      "Sources/IOCReceiver/PartitionMaker.swift", "month.",
      "an Int64, a month's first millisecond: partition bounds take no parameters"
    ),
  ]

  @Test func sqlIsNeverBuiltFromInterpolationOrConcatenation() throws {
    var findings: [String] = []
    var used: Set<String> = []
    var statements = 0
    for file in try Self.swiftFiles(under: "Sources") {
      let source = try Array(Data(contentsOf: URL(fileURLWithPath: "\(Self.packageRoot)/\(file)")))
      for literal in SwiftLiterals.scan(source) where SwiftLiterals.looksLikeSQL(literal.text) {
        statements += 1
        var pieces = literal.interpolations.map { ("interpolates", $0) }
        if let appended = literal.appended { pieces.append(("is concatenated with", appended)) }
        if literal.appendedTo { pieces.append(("is appended to", "another string")) }
        for (how, expression) in pieces {
          if let allowed = Self.sqlAllowlist.first(where: {
            $0.file == file && expression.hasPrefix($0.expression)
          }) {
            used.insert("\(allowed.file) \(allowed.expression)")
          } else {
            findings.append("\(file):\(literal.line): SQL \(how) `\(expression)`: \(literal.text.prefix(80))")
          }
        }
      }
    }
    #expect(
      findings.isEmpty, "SQL must be constant text with ? parameters:\n\(findings.joined(separator: "\n"))")
    #expect(
      statements > 50, "the scanner found only \(statements) SQL literals: is it still reading the sources?")
    for entry in Self.sqlAllowlist where !used.contains("\(entry.file) \(entry.expression)") {
      Issue.record("allowlist entry no longer needed, remove it: \(entry.file) \(entry.expression)")
    }
  }

  /// The scanner itself, on the shapes it must catch and must let through.
  @Test func sqlScannerCatchesInterpolationAndConcatenation() {
    func flagged(_ code: String) -> Bool {
      SwiftLiterals.scan(Array(code.utf8)).contains { literal in
        SwiftLiterals.looksLikeSQL(literal.text)
          && (!literal.interpolations.isEmpty || literal.appended != nil || literal.appendedTo)
      }
    }
    #expect(flagged(#"let s = "SELECT * FROM t WHERE id = \(id)""#))
    #expect(flagged(#"let s = "DELETE FROM " + table"#))
    #expect(flagged(#"sql += "UPDATE t SET a = 1""#))
    #expect(flagged(##"let s = #"INSERT INTO t VALUES (\#(x))"#"##))
    #expect(flagged("let s = \"\"\"\n  SELECT a\n  FROM \\(table)\n  \"\"\""))
    #expect(flagged(#"let s = "PRAGMA user_version = \(v ? "1" : "2")""#))
    #expect(!flagged(#"let s = "SELECT * FROM t WHERE id = ?""#))
    #expect(!flagged(##"let s = #"SELECT "\(x)" FROM t"#"##))  // raw string: no interpolation
    #expect(!flagged(#"print("cannot open \(path)") // SELECT \(x)"#))
    #expect(!flagged("/* \"SELECT \\(x)\" */ let a = 1"))
  }

  static func swiftFiles(under directory: String) throws -> [String] {
    let root = "\(packageRoot)/\(directory)"
    let names = try FileManager.default.subpathsOfDirectory(atPath: root)
    return names.filter { $0.hasSuffix(".swift") }.sorted().map { "\(directory)/\($0)" }
  }

  // MARK: - Terminal output carries no control characters

  /// Device ids, rooms and metric names are validated on the way in, so these can only come from a
  /// store written by something else (an older version, a hand edit, a bug): the CLI still cleans
  /// every cell. Every text command runs on such a store.
  @Test func textOutputOfEveryCommandIsCleanOfControlCharacters() throws {
    let directory = TemporaryDirectory(prefix: "classgate-hostile-store")
    defer { directory.remove() }
    let store = directory.file("classgate.db")
    let now = Int64(Date().timeIntervalSince1970 * 1000)
    let hostile = "\u{1B}[2J\u{1B}]0;pwned\u{7}\u{9B}31m\u{202E}\u{2066}\u{0}\u{8}\r"
    let id = "dev\(hostile)-1"
    do {
      let connection = try StoreFile.openForWriting(path: store, durability: .normal)
      let writer = try BufferWriter(connection: connection)
      let device = DeviceIdentity(
        id: id, kind: .board, room: "room\(hostile)", profile: "profile\(hostile)", name: "name\(hostile)")
      writer.add(
        DecodedMessage(
          device: device,
          content: .readings([
            Reading(metric: "co2", value: 812, time: now - 1000),
            Reading(metric: "metric\(hostile)", value: 1, time: now - 1000),
          ])),
        receivedAt: now - 1000)
      writer.add(
        DecodedMessage(device: device, content: .status(.online, time: now - 900)), receivedAt: now - 900)
      writer.add(
        DecodedMessage(
          device: device,
          content: .event(
            DeviceEvent(type: "type\(hostile)", time: now - 800, data: "{\"m\":\"\(hostile)\"}"))),
        receivedAt: now - 800)
      writer.addDeadLetter(
        topic: "classgate/\(hostile)/x", payload: Array("payload\(hostile)".utf8) + [0x9B, 0x1B, 0xFF],
        reason: DeadLetterReason(.malformedPayload, "detail\(hostile)"), receivedAt: now - 700)
      _ = try writer.commit(now: now)
      try writer.setMeta("uplink.last_error", "error\(hostile)")
    }
    let commands: [[String]] = [
      ["devices"], ["devices", "--room", "room\(hostile)"], ["device", id], ["dead-letters"], ["uplink"],
      ["stats"], ["stats", "--device", id],
    ]
    for arguments in commands {
      let result = try runClassgate(arguments + ["--store", store])
      let output = result.stdout + result.stderr
      #expect(Self.isClean(output), "classgate \(arguments.first!): \(output.debugDescription)")
      if arguments.first == "devices" || arguments.first == "device" {
        #expect(result.status == 0 && result.stdout.contains("dev?"), "\(arguments.first!): \(output)")
      }
    }
    // The one command that prints device data without a store: `profiles test`.
    let tested = try runClassgate([
      "profiles", "test", "--profiles", "\(Self.packageRoot)/Devices", "--config",
      directory.file("none.toml"),
      "classgate/\(hostile)/board/b-1/event", "{\"type\":\"x\",\"note\":\"\(hostile)\"}",
    ])
    #expect(
      Self.isClean(tested.stdout + tested.stderr),
      "profiles test: \((tested.stdout + tested.stderr).debugDescription)")
  }

  /// Line breaks only: no other C0 control, no DEL or C1 control, no bidi override.
  static func isClean(_ text: String) -> Bool {
    !text.unicodeScalars.contains { scalar in
      switch scalar.value {
      case 0x0A: false
      case 0..<0x20, 0x7F...0x9F, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
      default: false
      }
    }
  }

  // MARK: - Key, secret and password files

  /// Only what Tests/ConfigTests does not cover: a password file or IOC key the group can read.
  @Test(arguments: [0o640, 0o660, 0o604, 0o620])
  func passwordFileAndIOCKeyReadableByTheGroupOrOthersAreRefused(mode: Int) throws {
    let directory = TemporaryDirectory(prefix: "classgate-modes")
    defer { directory.remove() }
    let password = try directory.write("broker.pass", "pw\n", mode: mode)
    let key = try directory.write("client.key", "key", mode: mode)
    let certificate = try directory.write("client.pem", "cert", mode: 0o644)
    let config = try directory.write(
      "classgate.toml",
      """
      school_id = "s1"
      [local_broker]
      password_file = "\(password)"
      [ioc]
      host = "ioc.example"
      ca_file = "\(certificate)"
      cert_file = "\(certificate)"
      key_file = "\(key)"
      """)
    let problems = Self.problems(config)
    #expect(
      problems.contains { $0.contains("local_broker.password_file") && $0.contains("chmod 600 \(password)") },
      "\(problems)")
    #expect(
      problems.contains { $0.contains("ioc.key_file") && $0.contains("chmod 600 \(key)") }, "\(problems)")
    // Owner-only is fine.
    chmod(password, 0o600)
    chmod(key, 0o400)
    #expect(Self.problems(config).isEmpty)
  }

  // MARK: - TLS verification cannot be turned off

  /// There is no key for it: every plausible spelling is an unknown key (or, for an empty CA, a
  /// file that cannot be read), so the agent does not start.
  @Test(
    arguments: [
      ("insecure = true", "ioc.insecure"), ("tls_verify = false", "ioc.tls_verify"),
      ("verify = false", "ioc.verify"),
      ("tls_insecure = true", "ioc.tls_insecure"), ("verify_peer = false", "ioc.verify_peer"),
      ("skip_verify = true", "ioc.skip_verify"), ("tls = false", "ioc.tls"),
      ("allow_self_signed = true", "ioc.allow_self_signed"),
      ("ca_file = \"\"", "ioc.ca_file"), ("tls_version = \"tlsv1\"", "ioc.tls_version"),
      ("ciphers = \"NULL\"", "ioc.ciphers"),
    ])
  func tlsVerificationCannotBeConfiguredAway(line: String, key: String) throws {
    let directory = TemporaryDirectory(prefix: "classgate-tls")
    defer { directory.remove() }
    let keyFile = try directory.write("client.key", "key", mode: 0o600)
    let certificate = try directory.write("client.pem", "cert", mode: 0o644)
    let ca = line.hasPrefix("ca_file") ? "" : "ca_file = \"\(certificate)\"\n"
    let config = try directory.write(
      "classgate.toml",
      """
      school_id = "s1"
      [ioc]
      host = "ioc.example"
      \(ca)cert_file = "\(certificate)"
      key_file = "\(keyFile)"
      \(line)
      """)
    let problems = Self.problems(config)
    #expect(problems.contains { $0.contains("key '\(key)'") }, "\(problems)")
  }

  /// Nor from the environment: an unknown variable of a known section is refused, and an empty CA from the
  /// environment is refused like one from the file. And the code never asks libmosquitto for less.
  @Test func tlsVerificationCannotBeTurnedOffFromTheEnvironmentOrInCode() throws {
    let directory = TemporaryDirectory(prefix: "classgate-tls")
    defer { directory.remove() }
    let keyFile = try directory.write("client.key", "key", mode: 0o600)
    let certificate = try directory.write("client.pem", "cert", mode: 0o644)
    let config = try directory.write(
      "classgate.toml",
      """
      school_id = "s1"
      [ioc]
      host = "ioc.example"
      ca_file = "\(certificate)"
      cert_file = "\(certificate)"
      key_file = "\(keyFile)"
      """)
    // Such a variable is refused by name (as an unknown key in the file is), never read.
    let refused = Self.problems(
      config, environment: ["CLASSGATE_IOC_INSECURE": "true", "CLASSGATE_IOC_TLS_VERIFY": "false"])
    #expect(
      refused == [
        "environment variable CLASSGATE_IOC_INSECURE: unknown variable: no such key (classgate config show lists the keys and their variables)",
        "environment variable CLASSGATE_IOC_TLS_VERIFY: unknown variable: no such key (classgate config show lists the keys and their variables)",
      ])
    let loaded = try AgentConfig.load(path: config, environment: ["CLASSGATE_BIN": "/usr/bin/classgate"])
    #expect(loaded.ioc?.tls?.caFile == certificate)
    let emptyCA = Self.problems(config, environment: ["CLASSGATE_IOC_CA_FILE": ""])
    #expect(emptyCA.contains { $0.hasPrefix("environment variable CLASSGATE_IOC_CA_FILE") }, "\(emptyCA)")

    var calls: [String] = []
    for file in try Self.swiftFiles(under: "Sources") {
      let text = try String(contentsOfFile: "\(Self.packageRoot)/\(file)", encoding: .utf8)
      for line in text.split(separator: "\n") where line.contains("mosquitto_tls_") {
        calls.append(line.trimmingCharacters(in: .whitespaces))
      }
    }
    #expect(calls.contains { $0.contains("mosquitto_tls_opts_set(handle, 1,") }, "\(calls)")
    #expect(calls.contains { $0.contains("mosquitto_tls_insecure_set(handle, false)") }, "\(calls)")
    #expect(
      !calls.contains { $0.contains("mosquitto_tls_insecure_set") && !$0.contains("false") }, "\(calls)")
    #expect(!calls.contains { $0.contains("mosquitto_tls_opts_set(handle, 0") }, "\(calls)")
  }

  /// The problems `AgentConfig.load` reports for the file at `path` (empty when it loads).
  static func problems(_ path: String, environment: [String: String] = [:]) -> [String] {
    do {
      _ = try AgentConfig.load(path: path, environment: environment)
      return []
    } catch {
      return error.problems.map(\.description)
    }
  }
}

/// A small Swift lexer: string literals (plain, multi-line, raw), their interpolations, and
/// whether `+` joins them to something, skipping comments.
enum SwiftLiterals {
  struct Literal {
    var line: Int
    /// The literal's text, with `\(…)` left in place.
    var text: String
    var interpolations: [String]
    /// What follows a `+` after the literal (up to the end of the line), if anything.
    var appended: String?
    /// A `+` or `+=` comes right before it.
    var appendedTo: Bool
  }

  static let sqlPattern = try! NSRegularExpression(
    pattern:
      #"\b(SELECT\s|INSERT\s+(OR\s+\w+\s+)?INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b|CREATE\s+(TABLE|INDEX|UNIQUE|VIEW|TRIGGER)\b|PRAGMA\s|DROP\s+(TABLE|INDEX)\b|ALTER\s+TABLE\b|REPLACE\s+INTO\b|ATTACH\s|VACUUM\b)"#
  )

  static func looksLikeSQL(_ text: String) -> Bool {
    sqlPattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
  }

  static func scan(_ source: [UInt8]) -> [Literal] {
    var literals: [Literal] = []
    var index = 0
    var line = 1
    scanCode(source, &index, &line, until: nil, into: &literals)
    return literals
  }

  /// Code until `until` (a closing parenthesis of an interpolation) at depth 0, or the end.
  private static func scanCode(
    _ s: [UInt8], _ i: inout Int, _ line: inout Int, until: UInt8?, into literals: inout [Literal]
  ) {
    var depth = 0
    while i < s.count {
      let c = s[i]
      if c == 0x0A { line += 1 }
      if c == 0x2F, i + 1 < s.count, s[i + 1] == 0x2F {  // line comment
        while i < s.count, s[i] != 0x0A { i += 1 }
        continue
      }
      if c == 0x2F, i + 1 < s.count, s[i + 1] == 0x2A {  // block comment, nested
        var nesting = 0
        repeat {
          if s[i] == 0x0A { line += 1 }
          if s[i] == 0x2F, i + 1 < s.count, s[i + 1] == 0x2A {
            nesting += 1
            i += 2
          } else if s[i] == 0x2A, i + 1 < s.count, s[i + 1] == 0x2F {
            nesting -= 1
            i += 2
          } else {
            i += 1
          }
        } while i < s.count && nesting > 0
        continue
      }
      if c == 0x22 || (c == 0x23 && startsRawString(s, i)) {
        let start = i
        var literal = scanString(s, &i, &line, into: &literals)
        literal.appendedTo = precededByPlus(s, start)
        literal.appended = followingPlus(s, i)
        literals.append(literal)
        continue
      }
      if let until {
        if c == 0x28 { depth += 1 }
        if c == 0x29 {
          if depth == 0 && c == until { return }
          depth -= 1
        }
      }
      i += 1
    }
  }

  private static func startsRawString(_ s: [UInt8], _ i: Int) -> Bool {
    var j = i
    while j < s.count, s[j] == 0x23 { j += 1 }
    return j < s.count && s[j] == 0x22
  }

  /// One string literal starting at `i` (hashes or the opening quote); `i` ends after it.
  private static func scanString(
    _ s: [UInt8], _ i: inout Int, _ line: inout Int, into literals: inout [Literal]
  ) -> Literal {
    let startLine = line
    var hashes = 0
    while s[i] == 0x23 {
      hashes += 1
      i += 1
    }
    let multiline = i + 2 < s.count && s[i + 1] == 0x22 && s[i + 2] == 0x22
    i += multiline ? 3 : 1
    var text: [UInt8] = []
    var interpolations: [String] = []
    func closes(at j: Int) -> Bool {
      let quotes = multiline ? 3 : 1
      guard j + quotes + hashes <= s.count else { return false }
      return s[j..<j + quotes].allSatisfy { $0 == 0x22 }
        && s[(j + quotes)..<(j + quotes + hashes)].allSatisfy { $0 == 0x23 }
    }
    while i < s.count {
      if closes(at: i) {
        i += (multiline ? 3 : 1) + hashes
        break
      }
      let c = s[i]
      if c == 0x0A {
        line += 1
        if !multiline { break }  // unterminated: stop at the line's end
      }
      if c == 0x5C, i + hashes + 1 < s.count, s[(i + 1)..<(i + 1 + hashes)].allSatisfy({ $0 == 0x23 }) {
        let next = s[i + 1 + hashes]
        if next == 0x28 {  // interpolation
          i += hashes + 2
          let start = i
          scanCode(s, &i, &line, until: 0x29, into: &literals)
          interpolations.append(String(decoding: s[start..<min(i, s.count)], as: UTF8.self))
          text += Array("\\(…)".utf8)
          i += 1
          continue
        }
        text += [c, next]
        i += hashes + 2
        continue
      }
      text.append(c)
      i += 1
    }
    return Literal(
      line: startLine, text: String(decoding: text, as: UTF8.self), interpolations: interpolations,
      appended: nil,
      appendedTo: false)
  }

  private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

  private static func precededByPlus(_ s: [UInt8], _ start: Int) -> Bool {
    var j = start - 1
    while j >= 0, isSpace(s[j]) { j -= 1 }
    if j >= 0, s[j] == 0x3D, j >= 1, s[j - 1] == 0x2B { return true }  // +=
    return j >= 0 && s[j] == 0x2B
  }

  private static func followingPlus(_ s: [UInt8], _ end: Int) -> String? {
    var j = end
    while j < s.count, isSpace(s[j]) { j += 1 }
    guard j < s.count, s[j] == 0x2B else { return nil }
    j += 1
    while j < s.count, s[j] == 0x20 { j += 1 }
    var k = j
    while k < s.count, s[k] != 0x0A { k += 1 }
    return String(decoding: s[j..<k], as: UTF8.self)
  }
}
