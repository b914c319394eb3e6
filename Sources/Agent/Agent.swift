import Buffer
import Decode
import EventLoop
import Ingest
import Logging
import MQTTClient

/// Wires the stages together for `classgate run`.
public enum Agent {
  public static let version = "0.1.0"

  /// Runs until SIGTERM/SIGINT. `signals` must have been created before any thread started.
  public static func run(
    config: AgentConfig, environment: [String: String], signals: SignalWatcher, logger: Logger
  ) throws {
    let connection = try StoreFile.openForWriting(path: config.storePath, durability: config.durability)
    let writer = try BufferWriter(connection: connection, limits: config.bufferLimits)
    try writer.setMeta(MetaKey.agentVersion, version)
    try writer.setMeta(MetaKey.staleAfterMs, String(config.ingest.staleAfterMs))
    logger.notice(
      "ClassGate agent starting",
      metadata: [
        "version": "\(version)", "school.id": "\(config.schoolID)", "store": "\(config.storePath)",
        "libmosquitto": "\(libmosquittoVersion)",
      ])

    let mqtt = try MQTTConnection(options: config.broker)
    let hooks = IngestLoop.Hooks(
      reload: { reloadDecoders(config: config, environment: environment, logger: logger) })
    let loop = IngestLoop(
      mqtt: mqtt, decoders: decoders(for: config), writer: writer, signals: signals,
      settings: config.ingest, logger: logger, hooks: hooks)
    try loop.run()
    connection.close()
  }

  static func decoders(for config: AgentConfig) -> DecoderChain {
    DecoderChain(
      [NativeDecoder(prefix: config.nativePrefix, limits: config.decodeLimits)],
      limits: config.decodeLimits)
  }

  /// SIGHUP: re-reads the config for what can change without a restart (decoding); broker, store
  /// and subscriptions need a restart. An invalid file keeps the running set and says why.
  static func reloadDecoders(config: AgentConfig, environment: [String: String], logger: Logger)
    -> DecoderChain?
  {
    do {
      let fresh = try AgentConfig.load(path: config.file, environment: environment)
      if fresh.nativePrefix != config.nativePrefix {
        logger.warning("native.prefix changed: restart the agent to subscribe to the new prefix")
      }
      return decoders(for: fresh)
    } catch {
      logger.error("Reload failed; keeping the running configuration", metadata: ["error": "\(error)"])
      return nil
    }
  }
}
