import Agent
import Decode
import TestSupport
import Testing

@Suite("AgentConfig.load: [privacy]")
struct PrivacyConfigTests {
  /// The same 32 bytes as DecodeTests' PseudonymTests, so the pseudonyms can be compared.
  static let secret = "0123456789abcdef0123456789abcdef"

  func toml(secretFile: String?, retention: String = "") -> String {
    """
    school_id = "hcm-q1-th-01"

    [privacy]
    \(secretFile.map { "secret_file = \"\($0)\"" } ?? "")
    \(retention)
    """
  }

  @Test("an owner-only secret file of 32 bytes: pseudonyms keyed with it, 30 days of scans by default")
  func validSecret() throws {
    let files = ConfigDirectory()
    let secret = try files.write(Self.secret, name: "card.secret", mode: 0o600)
    let config = try files.load(toml(secretFile: secret))
    #expect(config.cardSecretFile == secret)
    #expect(config.scanRetentionDays == 30)
    #expect(
      config.cardPseudonymizer?.pseudonym(for: "04:a1:b2:c3") == "hmac:c8dcf574465f182381724a2a985fe81e")
    // 16 bytes is enough; 0400 (read-only for the owner) is fine.
    let short = try files.write("0123456789abcdef", name: "short.secret", mode: 0o400)
    #expect(try files.load(toml(secretFile: short)).cardPseudonymizer != nil)
    // The secret is never printed with the config.
    #expect(!"\(config)".contains(Self.secret) && !"\(config)".contains("48, 49, 50"))
  }

  @Test("no [privacy] section: no pseudonymizer (card ids are dropped), 30 days of scans")
  func noSecret() throws {
    let config = try ConfigDirectory().load("school_id = \"hcm-q1-th-01\"\n")
    #expect(config.cardPseudonymizer == nil && config.cardSecretFile == nil)
    #expect(config.scanRetentionDays == 30)
  }

  @Test("a missing secret file is refused, naming the key, the file and how to create it")
  func missing() throws {
    let files = ConfigDirectory()
    let secret = files.file("card.secret")
    #expect(
      try files.problems(toml(secretFile: secret)) == [
        "classgate.toml line 4: key 'privacy.secret_file': cannot read \(secret): No such file or directory; create it: head -c 32 /dev/urandom > \(secret) && chmod 600 \(secret) (owned by the user the agent runs as)"
      ])
  }

  @Test(
    "a secret file other users can read or write is refused, naming the key and the chmod fix",
    arguments: [0o644, 0o640, 0o604, 0o620, 0o602, 0o660])
  func accessibleByOthers(mode: Int) throws {
    let files = ConfigDirectory()
    let secret = try files.write(Self.secret, name: "card.secret", mode: mode)
    #expect(
      try files.problems(toml(secretFile: secret)) == [
        "classgate.toml line 4: key 'privacy.secret_file': \(secret) is accessible by other users (mode \(String(mode, radix: 8))); run: chmod 600 \(secret)"
      ])
  }

  @Test("a secret shorter than 16 bytes is refused without printing it")
  func tooShort() throws {
    let files = ConfigDirectory()
    let secret = try files.write("tiny-secret-15b", name: "card.secret", mode: 0o600)
    let problems = try files.problems(toml(secretFile: secret))
    #expect(
      problems == [
        "classgate.toml line 4: key 'privacy.secret_file': \(secret) holds 15 bytes; at least 16 are needed: head -c 32 /dev/urandom > \(secret) && chmod 600 \(secret) (owned by the user the agent runs as)"
      ])
    #expect(!problems.joined().contains("tiny-secret"))
    let empty = try files.write("", name: "empty.secret", mode: 0o600)
    #expect(try files.problems(toml(secretFile: empty)).first?.contains("holds 0 bytes") == true)
  }

  @Test("a directory is not a secret file")
  func directory() throws {
    let files = ConfigDirectory()
    #expect(
      try files.problems(toml(secretFile: files.directory.path)) == [
        "classgate.toml line 4: key 'privacy.secret_file': \(files.directory.path) is not a regular file"
      ])
  }

  @Test("the secret file can come from the environment; its problems then name the variable")
  func environment() throws {
    let files = ConfigDirectory()
    let secret = try files.write(Self.secret, name: "card.secret", mode: 0o600)
    let config = try files.load(
      toml(secretFile: nil), environment: ["CLASSGATE_PRIVACY_SECRET_FILE": secret])
    #expect(config.cardSecretFile == secret && config.cardPseudonymizer != nil)
    let open = try files.write(Self.secret, name: "open.secret", mode: 0o644)
    #expect(
      try files.problems(toml(secretFile: secret), environment: ["CLASSGATE_PRIVACY_SECRET_FILE": open]) == [
        "environment variable CLASSGATE_PRIVACY_SECRET_FILE: key 'privacy.secret_file': \(open) is accessible by other users (mode 644); run: chmod 600 \(open)"
      ])
  }

  @Test("scan_retention_days is 1 to 3650")
  func retention() throws {
    let files = ConfigDirectory()
    #expect(
      try files.load(toml(secretFile: nil, retention: "scan_retention_days = 365")).scanRetentionDays == 365)
    for bad in ["0", "3651", "\"30\""] {
      let problems = try files.problems(toml(secretFile: nil, retention: "scan_retention_days = \(bad)"))
      #expect(problems.count == 1 && problems[0].contains("key 'privacy.scan_retention_days'"), "\(problems)")
    }
  }

  @Test("an unknown key in [privacy] lists the known ones")
  func unknownKey() throws {
    #expect(
      try ConfigDirectory().problems("school_id = \"x\"\n[privacy]\nsecret = \"abc\"\n") == [
        "classgate.toml line 3: key 'privacy.secret': unknown key (known in [privacy]: secret_file, scan_retention_days)"
      ])
  }
}
