import Buffer
import DeviceModel
import EventLoop
import MQTTClient
import Uplink

#if canImport(Glibc)
  import Glibc
#endif

/// `classgate doctor`: one line per check, each OK, WARN or FAIL with a hint on how to fix it.
public enum Doctor {
  public enum Status: String, Sendable, Comparable {
    case ok = "OK"
    case warn = "WARN"
    case fail = "FAIL"

    public static func < (a: Status, b: Status) -> Bool {
      let order: [Status] = [.ok, .warn, .fail]
      return order.firstIndex(of: a)! < order.firstIndex(of: b)!
    }
  }

  public struct Check: Sendable, Equatable {
    public var name: String
    public var status: Status
    public var detail: String
    public var fix: String?
  }

  /// Every check, whatever failed before it, each handed to `report` as soon as it is done (a
  /// broker that does not answer takes seconds). Checks that need a valid configuration are left
  /// out when it is not; the rest read the few keys they need from the file as it is.
  public static func run(
    configPath: String, environment: [String: String], serviceUser: String = "classgate",
    brokerTimeoutMs: Int64 = 5000, systemctl: String? = ServiceState.systemctlIfBooted,
    report: (Check) -> Void
  ) {
    let user = FileUser.named(serviceUser) ?? .current()
    let peek = try? ConfigPeek(configFile: configPath, environment: environment)
    let config: AgentConfig?
    do {
      config = try AgentConfig.load(path: configPath, environment: environment)
      report(Check(name: "config", status: .ok, detail: "\(configPath) is valid", fix: nil))
    } catch {
      config = nil
      report(
        Check(
          name: "config", status: .fail, detail: error.description,
          fix:
            "edit \(configPath) at the keys named (keys: /usr/share/doc/classgate/configuration.md), then classgate run --check; the profile, broker and IOC checks wait for a valid file"
        ))
    }
    if let systemctl, let state = ServiceState.query(unit: "classgate.service", systemctl: systemctl) {
      report(state.check)
    }
    report(readAccess(configPath: configPath, peek: peek, user: user))
    let storePath = config?.storePath ?? (try? peek?.storePath) ?? ConfigPeek.defaultStorePath
    if let config {
      do {
        _ = try DecodingSetup.load(config)
        report(Check(name: "profiles", status: .ok, detail: "profiles and inventory load", fix: nil))
      } catch {
        report(
          Check(
            name: "profiles", status: .fail, detail: error.description,
            fix: "fix the profile or inventory file named"))
      }
      report(privacy(config))
    }
    for check in store(path: storePath, serviceUser: serviceUser) { report(check) }
    report(disk(storePath: storePath))
    if let config, let check = storeCap(config) { report(check) }
    if let config { report(broker(config, timeoutMs: brokerTimeoutMs)) }
    report(clock(time: config.map(SchoolTime.of) ?? .of(configFile: configPath)))
    if let config {
      for check in agentView(config) { report(check) }
      for check in ioc(config, timeoutMs: brokerTimeoutMs) { report(check) }
      if let check = uplink(config) { report(check) }
    }
    let textfile = config?.metricsTextfile ?? (try? peek?.metricsTextfile) ?? nil
    if let textfile { report(metrics(path: textfile, user: user)) }
  }

  /// All the checks, for callers that print them together.
  public static func run(
    configPath: String, environment: [String: String], serviceUser: String = "classgate",
    brokerTimeoutMs: Int64 = 5000, systemctl: String? = ServiceState.systemctlIfBooted
  ) -> [Check] {
    var checks: [Check] = []
    run(
      configPath: configPath, environment: environment, serviceUser: serviceUser,
      brokerTimeoutMs: brokerTimeoutMs, systemctl: systemctl
    ) { checks.append($0) }
    return checks
  }

  /// What the running agent says about its link to the IOC and its queue (from the store).
  static func uplink(_ config: AgentConfig) -> Check? {
    guard config.ioc != nil, access(config.storePath, F_OK) == 0 else { return nil }
    do {
      let connection = try StoreFile.openForReading(path: config.storePath)
      defer { connection.close() }
      let status = try Outbox(connection: connection).status()
      let state = try Meta.read(MetaKey.uplinkState, in: connection)
      let connected = state?.contains("\"connected\":true") ?? false
      let now = Clock.wallMs()
      let oldestMinutes = status.oldestPendingAt.map { (now - $0) / 60_000 } ?? 0
      let queue =
        "\(status.pending) messages queued"
        + (status.pending > 0 ? ", oldest \(oldestMinutes) min" : "")
        + ", last acknowledged seq \(status.lastAckedSeq.map(String.init) ?? "none")"
      if !connected {
        return Check(
          name: "uplink", status: oldestMinutes >= 60 ? .fail : .warn,
          detail: "agent not connected to the IOC; \(queue)",
          fix: "classgate uplink shows the last error; nothing is lost while the store has room")
      }
      return Check(
        name: "uplink", status: oldestMinutes >= 60 ? .warn : .ok, detail: "connected; \(queue)",
        fix: oldestMinutes >= 60 ? "the backlog drains at ioc.max_messages_per_s" : nil)
    } catch {
      return Check(name: "uplink", status: .warn, detail: "cannot read the outbox: \(error)", fix: nil)
    }
  }

  static func store(path: String, serviceUser: String) -> [Check] {
    guard access(path, F_OK) == 0 else {
      return [
        Check(
          name: "store", status: .fail, detail: "no store at \(path)",
          fix: "start the agent once (systemctl start classgate), or correct store.path")
      ]
    }
    var checks: [Check] = []
    if let owner = SystemFacts.owner(of: path), let serviceUID = SystemFacts.uid(ofUser: serviceUser),
      owner.uid != serviceUID
    {
      checks.append(
        Check(
          name: "store.owner", status: .fail,
          detail: "\(path) is not owned by the service user \(serviceUser)",
          fix: "chown \(serviceUser): \(path)*"))
    } else if SystemFacts.uid(ofUser: serviceUser) == nil, access(path, W_OK) != 0 {
      checks.append(
        Check(
          name: "store.owner", status: .fail, detail: "\(path) is not writable by this user",
          fix: "run the agent as the store's owner, or fix its permissions"))
    } else {
      checks.append(Check(name: "store.owner", status: .ok, detail: "writable by the service user", fix: nil))
    }
    do {
      let reader = try StoreReader(path: path)
      let result = try reader.quickCheck()
      checks.append(
        result == "ok"
          ? Check(name: "store.integrity", status: .ok, detail: "quick_check ok", fix: nil)
          : Check(
            name: "store.integrity", status: .fail, detail: "quick_check: \(result)",
            fix: "stop the agent, keep a copy of the file, and run sqlite3 \(path) '.recover'"))
      let heartbeat = try reader.meta(MetaKey.agentHeartbeat).flatMap { Int64($0) }
      let age = heartbeat.map { (Clock.wallMs() - $0) / 1000 }
      checks.append(
        age.map { $0 <= 60 }
          ?? false
          ? Check(name: "agent", status: .ok, detail: "last wrote \(age ?? 0) s ago", fix: nil)
          : Check(
            name: "agent", status: .warn,
            detail: age.map { "last wrote \($0) s ago" } ?? "has never written to this store",
            fix: "systemctl status classgate; journalctl -u classgate"))
    } catch {
      checks.append(
        Check(
          name: "store.integrity", status: .fail, detail: "cannot open: \(error)",
          fix: "check the file's permissions and that it is a ClassGate store"))
    }
    return checks
  }

  /// The secret file itself was checked with the config (owner-only, ≥ 16 bytes).
  static func privacy(_ config: AgentConfig) -> Check {
    guard config.cardPseudonymizer != nil, let file = config.cardSecretFile else {
      return Check(
        name: "privacy", status: .warn,
        detail: "no privacy.secret_file: card ids are dropped; distinct-card counts are unavailable",
        fix:
          "head -c 32 /dev/urandom > /etc/classgate/card.secret && chown classgate: /etc/classgate/card.secret && chmod 600 /etc/classgate/card.secret, then set [privacy] secret_file"
      )
    }
    return Check(
      name: "privacy", status: .ok,
      detail:
        "card ids are pseudonymised with the secret in \(file); card scans are kept \(config.scanRetentionDays) days",
      fix: nil)
  }

  /// The store against its cap, and whether the agent had to delete data to stay under it.
  static func storeCap(_ config: AgentConfig) -> Check? {
    guard access(config.storePath, F_OK) == 0,
      let connection = try? StoreFile.openForReading(path: config.storePath)
    else { return nil }
    defer { connection.close() }
    guard let used = try? StoreCap.usedBytes(of: connection) else { return nil }
    let evicted = (try? StoreCap.evictedCounts(in: connection)) ?? [:]
    let percent = Int(used * 100 / max(1, config.storeMaxBytes))
    let tenths = (used * 10) >> 20
    var detail =
      "\(tenths / 10).\(tenths % 10) MiB in use, \(percent) % of store.max_mb (\(config.storeMaxBytes >> 20) MiB)"
    if !evicted.isEmpty {
      detail +=
        "; deleted to stay under it: "
        + evicted.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
    if evicted["undelivered_outbox"] != nil {
      return Check(
        name: "store.cap", status: .fail, detail: detail,
        fix: "messages for the IOC were lost to the cap: raise store.max_mb or restore the IOC link")
    }
    let status: Status = percent >= 90 || !evicted.isEmpty ? .warn : .ok
    return Check(
      name: "store.cap", status: status, detail: detail,
      fix: status == .warn ? "raise store.max_mb if the disk allows; oldest raw readings go first" : nil)
  }

  static func disk(storePath: String) -> Check {
    let directory = String(storePath[..<(storePath.lastIndex(of: "/") ?? storePath.startIndex)])
    guard let space = SystemFacts.diskSpace(at: directory.isEmpty ? "." : directory) else {
      return Check(name: "disk", status: .warn, detail: "cannot read free space of \(directory)", fix: nil)
    }
    let freeMiB = space.free / (1 << 20)
    let percent = space.total > 0 ? Int(space.free * 100 / space.total) : 0
    let detail = "\(freeMiB) MiB free (\(percent) %) on the store's file system"
    if freeMiB < 100 {
      return Check(
        name: "disk", status: .fail, detail: detail,
        fix: "free space on \(directory) now: the store cannot grow")
    }
    if freeMiB < 1024 || percent < 10 {
      return Check(name: "disk", status: .warn, detail: detail, fix: "free space on \(directory) soon")
    }
    return Check(name: "disk", status: .ok, detail: detail, fix: nil)
  }

  static func ioc(_ config: AgentConfig, timeoutMs: Int64) -> [Check] {
    guard let options = config.ioc, let tls = options.tls else {
      return [
        Check(
          name: "ioc", status: .warn, detail: "no [ioc] section: nothing is sent to the operations centre",
          fix: "add [ioc] host, ca_file, cert_file and key_file (docs/configuration.md)")
      ]
    }
    var checks: [Check] = []
    for (name, file) in [("ioc.ca", tls.caFile), ("ioc.cert", tls.certFile ?? "")] {
      guard let days = CertificateFile.daysUntilExpiry(file) else {
        checks.append(
          Check(
            name: name, status: .fail, detail: "cannot read a certificate from \(file)",
            fix: "check the PEM file"))
        continue
      }
      let detail = days < 0 ? "\(file) expired \(-days) days ago" : "\(file) expires in \(days) days"
      checks.append(
        Check(
          name: name, status: days < 0 ? .fail : days < 30 ? .warn : .ok, detail: detail,
          fix: days < 30 ? "ask the IOC for a renewed certificate" : nil))
    }
    // Expiry is reported above; what else `run --check` refuses is reported here.
    for problem in CertificateFile.problems(tls) where problem.kind != .expired {
      guard problem.kind != .unreadable || problem.key == "ioc.key_file" else { continue }
      checks.append(
        Check(
          name: problem.kind == .wrongCA ? "ioc.chain" : String(problem.key.dropLast("_file".count)),
          status: .fail, detail: problem.message, fix: nil))
    }
    var probe = options
    probe.clientID = "\(options.clientID)-doctor-\(getpid())"
    probe.cleanSession = true
    var check = login(probe, timeoutMs: timeoutMs, name: "ioc")
    if check.status == .fail {
      check.fix =
        "check ioc.host/port, that ca_file signed the server's certificate, and the client certificate"
    } else {
      check.detail = "TLS handshake, certificate chain and login to \(options.host):\(options.port) OK"
    }
    checks.append(check)
    return checks
  }

  static func broker(_ config: AgentConfig, timeoutMs: Int64) -> Check {
    var options = config.broker
    options.clientID = "classgate-doctor-\(getpid())"
    options.cleanSession = true
    options.will = nil
    var check = login(options, timeoutMs: timeoutMs, name: "broker")
    if check.status == .fail {
      check.fix =
        check.detail.contains("refused the login")
        ? "check local_broker.username and the password file against the broker's password_file"
        : "systemctl status mosquitto; check local_broker.host/port"
    }
    return check
  }

  /// Connects once with `options` and says how it went.
  static func login(_ options: MQTTOptions, timeoutMs: Int64, name: String) -> Check {
    let target = "\(options.host):\(options.port)"
    let connection: MQTTConnection
    do {
      connection = try MQTTConnection(options: options)
    } catch {
      return Check(name: name, status: .fail, detail: "\(error)", fix: nil)
    }
    let deadline = Clock.monotonicMs() + timeoutMs
    var refused: String?
    while Clock.monotonicMs() < deadline, connection.state != .connected, refused == nil {
      connection.pump(waitMs: 50, nowMs: Clock.monotonicMs())
      for event in connection.takeEvents() {
        if case .refused(let reason) = event { refused = "\(reason)" }
      }
    }
    defer { connection.close() }
    if connection.state == .connected {
      return Check(
        name: name, status: .ok,
        detail: "\(target) accepts \(options.username.map { "user \($0)" } ?? "this client's") login",
        fix: nil)
    }
    if let refused {
      return Check(name: name, status: .fail, detail: "\(target) refused the login: \(refused)", fix: nil)
    }
    return Check(
      name: name, status: .fail,
      detail: "\(target) not reachable: \(connection.lastError ?? "no answer in \(timeoutMs / 1000) s")",
      fix: nil)
  }

  static func clock(time: SchoolTime) -> Check {
    let now = Clock.wallMs()
    // Boxes without an RTC battery boot in 1970 or in the firmware's year.
    if now < 1_735_689_600_000 {
      return Check(
        name: "clock", status: .fail, detail: "the system clock says \(time.text(now))",
        fix: "set the time and enable NTP: timedatectl set-ntp true")
    }
    switch SystemFacts.clockSynchronized() {
    case true?:
      return Check(
        name: "clock", status: .ok, detail: "NTP-synchronised, \(time.text(now))", fix: nil)
    case false?:
      return Check(
        name: "clock", status: .warn, detail: "not NTP-synchronised (\(time.text(now)))",
        fix: "timedatectl set-ntp true, or configure chrony/systemd-timesyncd")
    case nil:
      return Check(name: "clock", status: .warn, detail: "cannot tell whether NTP is in sync", fix: nil)
    }
  }
}
