import Agent
import Buffer
import Decode
import Ingest
import MQTTClient
import TestSupport
import Testing

@Suite("AgentConfig.load: valid files")
struct LoadTests {
  @Test("a file with every key gives every value as written")
  func everyKey() throws {
    let files = ConfigDirectory()
    let passwordFile = try files.write("s3cret\n", name: "broker.pass", mode: 0o600)
    let path = try files.write(
      """
      # ClassGate agent, school Q1
      school_id = "hcm-q1-th-01"
      time_zone = "Asia/Bangkok"

      [local_broker]
      host = "10.0.0.5"
      port = 8883
      client_id = "gw-q1"
      username = "classgate"
      password_file = "\(passwordFile)"
      protocol = "mqtt311"
      keepalive_s = 45
      qos = 0
      receive_maximum = 40
      reconnect_min_ms = 250
      reconnect_max_ms = 20000

      [native]
      prefix = "school/q1/classgate"

      [profiles]
      directories = ["/usr/share/classgate/devices", "/srv/classgate/devices"]

      [inventory]
      path = "/srv/classgate/inventory.toml"

      [store]
      path = "/srv/classgate/q1.db"
      durability = "normal"
      commit_window_ms = 250
      max_batch = 2000
      max_dead_letters = 500

      [devices]
      stale_after_s = 120

      [ingest]
      max_payload_bytes = 4096

      [log]
      level = "debug"
      """)
    let config = try AgentConfig.load(path: path, environment: [:])
    #expect(config.file == path)
    #expect(config.schoolID == "hcm-q1-th-01")
    #expect(config.timeZone == "Asia/Bangkok")
    #expect(config.broker.host == "10.0.0.5")
    #expect(config.broker.port == 8883)
    #expect(config.broker.clientID == "gw-q1")
    #expect(config.broker.username == "classgate")
    #expect(config.broker.password == "s3cret")
    #expect(config.broker.protocolVersion == .v311)
    #expect(config.broker.keepAliveSeconds == 45)
    #expect(config.broker.receiveMaximum == 40)
    #expect(config.broker.cleanSession == false)
    #expect(config.broker.reconnectDelay == Backoff(initialMs: 250, maximumMs: 20_000))
    #expect(config.brokerQoS == 0)
    #expect(config.nativePrefix == "school/q1/classgate")
    #expect(config.profileDirectories == ["/usr/share/classgate/devices", "/srv/classgate/devices"])
    #expect(config.inventoryPath == "/srv/classgate/inventory.toml")
    #expect(config.storePath == "/srv/classgate/q1.db")
    #expect(config.durability == .normal)
    #expect(
      config.ingest
        == IngestSettings(
          commitWindowMs: 250, maxBatch: 2000, ackBatch: 20, staleAfterMs: 120_000,
          subscriptions: [.init(filter: "school/q1/classgate/+/+/+/+", qos: 0)]))
    #expect(config.decodeLimits == DecodeLimits(maxPayloadBytes: 4096))
    #expect(config.bufferLimits.maxDeadLetters == 500)
    #expect(config.bufferLimits.deadLetterPayloadBytes == 512)
    #expect(config.logLevel == .debug)
  }

  @Test("only school_id given: every other value is the documented default")
  func defaults() throws {
    let config = try ConfigDirectory().load(#"school_id = "hcm-q1-th-01""#)
    #expect(config.schoolID == "hcm-q1-th-01")
    #expect(config.timeZone == "Asia/Ho_Chi_Minh")
    #expect(config.broker.host == "127.0.0.1")
    #expect(config.broker.port == 1883)
    #expect(config.broker.clientID == "classgate-hcm-q1-th-01")
    #expect(config.broker.username == nil)
    #expect(config.broker.password == nil)
    #expect(config.broker.protocolVersion == .v5)
    #expect(config.broker.keepAliveSeconds == 30)
    #expect(config.broker.receiveMaximum == 10_000)
    #expect(config.broker.reconnectDelay == Backoff(initialMs: 500, maximumMs: 30_000))
    #expect(config.brokerQoS == 1)
    #expect(config.nativePrefix == "classgate")
    #expect(config.profileDirectories == defaultProfileDirectories)
    #expect(config.inventoryPath == nil)
    #expect(config.storePath == "/var/lib/classgate/classgate.db")
    #expect(config.durability == .full)
    #expect(
      config.ingest
        == IngestSettings(
          commitWindowMs: 1000, maxBatch: 5000, ackBatch: 5000, staleAfterMs: 600_000,
          subscriptions: [.init(filter: "classgate/+/+/+/+", qos: 1)]))
    #expect(
      config.decodeLimits
        == DecodeLimits(maxPayloadBytes: 65_536, maxFutureSkewMs: 600_000, maxAgeMs: 2_678_400_000))
    #expect(config.bufferLimits.maxDeadLetters == 10_000)
    #expect(config.logLevel == .info)
  }

  @Test("MQTT 3.1.1 defaults to a receive window of 20, so acks are batched by 10")
  func mqtt311Defaults() throws {
    let config = try ConfigDirectory().load(
      """
      school_id = "s1"
      [local_broker]
      protocol = "mqtt311"
      """)
    #expect(config.broker.receiveMaximum == 20)
    #expect(config.ingest.ackBatch == 10)
  }

  @Test("reconnect_max_ms below reconnect_min_ms is raised to it")
  func reconnectOrder() throws {
    let config = try ConfigDirectory().load(
      """
      school_id = "s1"
      [local_broker]
      reconnect_min_ms = 5000
      reconnect_max_ms = 1000
      """)
    #expect(config.broker.reconnectDelay == Backoff(initialMs: 5000, maximumMs: 5000))
  }

  @Test("range limits themselves are accepted")
  func rangeLimits() throws {
    let config = try ConfigDirectory().load(
      """
      school_id = "\(String(repeating: "a", count: 64))"
      [local_broker]
      port = 65535
      qos = 0
      [ingest]
      max_payload_bytes = 256
      [store]
      max_dead_letters = 0
      """)
    #expect(config.broker.port == 65535)
    #expect(config.decodeLimits.maxPayloadBytes == 256)
    #expect(config.bufferLimits.maxDeadLetters == 0)
  }
}

@Suite("AgentConfig.load: environment overrides")
struct EnvironmentTests {
  let file = """
    school_id = "file-school"
    [local_broker]
    port = 1883
    [store]
    path = "/var/lib/classgate/file.db"
    """

  @Test("CLASSGATE_LOCAL_BROKER_PORT, CLASSGATE_STORE_PATH and CLASSGATE_SCHOOL_ID win over the file")
  func overridesWin() throws {
    let config = try ConfigDirectory().load(
      file,
      environment: [
        "CLASSGATE_LOCAL_BROKER_PORT": "8884", "CLASSGATE_STORE_PATH": "/data/classgate.db",
        "CLASSGATE_SCHOOL_ID": "env-school", "PATH": "/usr/bin",
      ])
    #expect(config.broker.port == 8884)
    #expect(config.storePath == "/data/classgate.db")
    #expect(config.schoolID == "env-school")
    #expect(config.broker.clientID == "classgate-env-school")
  }

  @Test("without overrides the file's values stand")
  func fileValues() throws {
    let config = try ConfigDirectory().load(file)
    #expect(config.broker.port == 1883)
    #expect(config.storePath == "/var/lib/classgate/file.db")
    #expect(config.schoolID == "file-school")
  }

  @Test("the environment can supply a key the file lacks")
  func environmentOnly() throws {
    let config = try ConfigDirectory().load(
      "[log]\nlevel = \"error\"\n",
      environment: ["CLASSGATE_SCHOOL_ID": "env-only", "CLASSGATE_LOG_LEVEL": "warning"])
    #expect(config.schoolID == "env-only")
    #expect(config.logLevel == .warning)
  }

  @Test("a bad value in the environment names the variable, not a file line")
  func badEnvironmentValues() throws {
    let files = ConfigDirectory()
    #expect(
      try files.problems(file, environment: ["CLASSGATE_LOCAL_BROKER_PORT": "abc"]) == [
        #"environment variable CLASSGATE_LOCAL_BROKER_PORT: key 'local_broker.port': expected an integer from 1 to 65535, found "abc""#
      ])
    #expect(
      try files.problems(file, environment: ["CLASSGATE_LOCAL_BROKER_PORT": "70000"]) == [
        #"environment variable CLASSGATE_LOCAL_BROKER_PORT: key 'local_broker.port': expected an integer from 1 to 65535, found "70000""#
      ])
    #expect(
      try files.problems(file, environment: ["CLASSGATE_SCHOOL_ID": "bad id"]) == [
        "environment variable CLASSGATE_SCHOOL_ID: key 'school_id': expected 1-64 letters, digits, '-' or '_'"
      ])
    #expect(
      try files.problems(file, environment: ["CLASSGATE_STORE_DURABILITY": "fast"]) == [
        #"environment variable CLASSGATE_STORE_DURABILITY: key 'store.durability': expected one of "full", "normal", found "fast""#
      ])
  }
}

@Suite("AgentConfig.load: broker password")
struct PasswordTests {
  func config(passwordFile: String) -> String {
    """
    school_id = "s1"

    [local_broker]
    username = "classgate"
    password_file = "\(passwordFile)"
    """
  }

  @Test("a password file readable only by its owner is read, trailing newline trimmed")
  func ownerOnly() throws {
    let files = ConfigDirectory()
    let password = try files.write("correct horse battery\n", name: "broker.pass", mode: 0o600)
    #expect(try files.load(config(passwordFile: password)).broker.password == "correct horse battery")
    let twoLines = try files.write("pw\n\n", name: "two.pass", mode: 0o600)
    #expect(try files.load(config(passwordFile: twoLines)).broker.password == "pw")
    let bare = try files.write("pw ", name: "bare.pass", mode: 0o400)
    #expect(try files.load(config(passwordFile: bare)).broker.password == "pw ")
  }

  // A password file saved by a Windows editor ends in CRLF; Swift's String sees "\r\n" as one
  // Character, so comparing `last` with "\n" and "\r" separately never matches it.
  @Test("a password file ending in CRLF is trimmed too")
  func crlf() throws {
    let files = ConfigDirectory()
    let password = try files.write("s3cret\r\n", name: "broker.pass", mode: 0o600)
    let config = try files.load(config(passwordFile: password))
    #expect(config.broker.password == "s3cret")
  }

  @Test("a password file other users can read is refused with the chmod to run")
  func worldReadable() throws {
    let files = ConfigDirectory()
    let password = try files.write("s3cret\n", name: "broker.pass", mode: 0o644)
    #expect(
      try files.problems(config(passwordFile: password)) == [
        "classgate.toml line 5: key 'local_broker.password_file': \(password) is accessible by other users; run: chmod 600 \(password)"
      ])
  }

  @Test("a missing password file is an error naming the file")
  func missing() throws {
    let files = ConfigDirectory()
    let password = files.file("nope.pass")
    #expect(
      try files.problems(config(passwordFile: password)) == [
        "classgate.toml line 5: key 'local_broker.password_file': cannot read \(password): No such file or directory"
      ])
  }

  @Test("CLASSGATE_LOCAL_BROKER_PASSWORD wins over the file, even a refused one")
  func environmentWins() throws {
    let files = ConfigDirectory()
    let password = try files.write("from-file\n", name: "broker.pass", mode: 0o644)
    let config = try files.load(
      config(passwordFile: password), environment: ["CLASSGATE_LOCAL_BROKER_PASSWORD": "from-env"])
    #expect(config.broker.password == "from-env")
  }

  @Test("CLASSGATE_LOCAL_BROKER_PASSWORD_FILE points at another file")
  func environmentFile() throws {
    let files = ConfigDirectory()
    let other = try files.write("other\n", name: "other.pass", mode: 0o600)
    let config = try files.load(
      config(passwordFile: files.file("nope.pass")),
      environment: ["CLASSGATE_LOCAL_BROKER_PASSWORD_FILE": other])
    #expect(config.broker.password == "other")
  }
}
