import Buffer
import Decode
import EventLoop
import Ingest
import Logging
import MQTTClient
import SQLiteStore
import Uplink

/// Wires the stages together for `classgate run`.
public enum Agent {
  public static let version = "0.1.0"

  /// Runs until SIGTERM/SIGINT. `signals` must have been created before any thread started.
  public static func run(
    config: AgentConfig, environment: [String: String], signals: SignalWatcher, logger: Logger
  ) throws {
    // One agent per store, for the whole run (the kernel drops the lock when the process ends).
    let lock = try StoreAccess.lock(config)
    defer { withExtendedLifetime(lock) {} }
    let connection: Connection
    do {
      connection = try StoreFile.openForWriting(
        path: config.storePath, durability: config.durability, checkpointPages: config.checkpointPages)
    } catch let error as SQLiteError {
      throw StoreAccess.explain(error, config) ?? error
    }
    try StoreFile.openRun(connection)
    let writer = try BufferWriter(connection: connection, limits: config.bufferLimits)
    try writer.setMeta(MetaKey.agentVersion, version)
    try writer.setMeta(MetaKey.staleAfterMs, String(config.ingest.staleAfterMs))
    logger.notice(
      "ClassGate agent starting",
      metadata: [
        "version": "\(version)", "school.id": "\(config.schoolID)", "store": "\(config.storePath)",
        "libmosquitto": "\(libmosquittoVersion)",
      ])

    if config.cardPseudonymizer == nil {
      logger.warning(
        "No privacy.secret_file: card ids are dropped; distinct-card counts are unavailable")
    }
    let setup = try DecodingSetup.load(config)
    try writer.replaceRooms(setup.inventory.rooms)
    logger.notice(
      "Profiles loaded",
      metadata: [
        "profiles": "\(setup.profiles.profiles.map(\.name))",
        "inventory.devices": "\(setup.inventory.devices.count)",
      ])

    var settings = config.ingest
    settings.subscriptions = setup.filters.map { .init(filter: $0, qos: config.brokerQoS) }
    let mqtt = try MQTTConnection(options: config.broker)
    let metrics = config.metricsTextfile.map { MetricsTextfile(path: $0) }
    var metricsFailing = false
    // Same thread, same connection: the uplink's turn comes between ingest commits, never in one.
    // The uplink is made after ingest (it reads ingest's clock assessment), hence the late binding.
    var uplinkStage: UplinkStage?
    let ingest = IngestStage(
      mqtt: mqtt, decoders: setup.chain, writer: writer, settings: settings, logger: logger,
      hooks: .init(
        reload: { reload(config: config, environment: environment, writer: writer, logger: logger) },
        statusChanged: { uplinkStage?.statusChanged(nowMs: Clock.monotonicMs()) }))
    let uplink = try UplinkSetup.stage(
      config, connection: connection, writer: writer, clock: { ingest.clockAssessment() }, logger: logger)
    uplinkStage = uplink
    let loop = MainLoop(
      components: [ingest, uplink], signals: signals, systemd: SystemdNotifier(environment: environment),
      hooks: .init(report: {
        guard let metrics else { return }
        let written = metrics.write(ingest.statistics(), uplink: uplink.snapshot())
        if !written && !metricsFailing {
          logger.warning("Cannot write the metrics textfile", metadata: ["path": "\(metrics.path)"])
        }
        metricsFailing = !written
      }))
    try loop.run()
    try StoreFile.closeRun(connection)
    connection.close()
  }

  /// What `classgate run --check` verifies: everything loaded at start except the store and
  /// broker, and the IOC's TLS files as `doctor` checks them (PEM, dates, chain to `ioc.ca_file`,
  /// key matches certificate): the agent would run with bad ones, but nothing would reach the IOC.
  public static func validate(_ config: AgentConfig) throws(ConfigError) {
    var problems: [ConfigError.Problem] = []
    do {
      _ = try DecodingSetup.load(config)
      _ = try UplinkSetup.calendar(config)
    } catch {
      problems += error.problems
    }
    if let tls = config.ioc?.tls {
      problems += CertificateFile.problems(tls).map {
        ConfigError.Problem(location: config.file, key: $0.key, message: $0.message)
      }
    }
    if let path = config.metricsTextfile {
      // As the user `--check` runs as: under ExecStartPre=, the service user in the unit's sandbox.
      problems += MetricsPathCheck.findings(path: path, user: .current()).filter(\.blocking).map {
        ConfigError.Problem(
          location: config.file, key: "metrics.textfile",
          message: $0.message + ($0.fix.map { "; \($0)" } ?? ""))
      }
    }
    if !problems.isEmpty { throw ConfigError(problems: problems) }
  }

  /// SIGHUP: re-reads the config file, the profiles and the inventory. Broker and store settings
  /// need a restart; new profile topics are subscribed on the live connection. Anything invalid
  /// keeps the running set and says why.
  static func reload(
    config: AgentConfig, environment: [String: String], writer: BufferWriter, logger: Logger
  ) -> IngestStage.Reload? {
    do {
      let fresh = try AgentConfig.load(path: config.file, environment: environment)
      if fresh.nativePrefix != config.nativePrefix || fresh.broker.port != config.broker.port
        || fresh.broker.host != config.broker.host || fresh.storePath != config.storePath
      {
        logger.warning("Broker, store or native.prefix changed: they take effect after a restart")
      }
      var effective = fresh
      effective.nativePrefix = config.nativePrefix
      effective.ingest.subscriptions = config.ingest.subscriptions
      let setup = try DecodingSetup.load(effective)
      do {
        try writer.replaceRooms(setup.inventory.rooms)
      } catch {
        // The new decoding set is valid: use it even if the room list cannot be written now.
        logger.error("Cannot store the inventory's rooms", metadata: ["error": "\(error)"])
      }
      return IngestStage.Reload(decoders: setup.chain, filters: setup.filters)
    } catch {
      logger.error("Reload failed; keeping the running configuration", metadata: ["error": "\(error)"])
      return nil
    }
  }
}
