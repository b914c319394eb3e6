import Agent
import ArgumentParser
import EventLoop
import Logging

extension ClassGate {
  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Run the agent until SIGTERM or SIGINT.",
      discussion: """
        Reads the config file, opens the store, connects to the school's broker and stores what \
        devices publish. Every key can be overridden by an environment variable: \
        CLASSGATE_<SECTION>_<KEY>, e.g. CLASSGATE_LOCAL_BROKER_PORT. Exits 78 on a configuration error.

        Examples:
          classgate run --check --config /etc/classgate/classgate.toml
          CLASSGATE_LOG_LEVEL=debug classgate run
        """)

    @Option(name: .shortAndLong, help: "The configuration file.")
    var config: String = "/etc/classgate/classgate.toml"

    @Flag(help: "Only validate the configuration, profiles and inventory, then exit (0, or 78).")
    var check = false

    func run() throws {
      // First, before any thread exists: signals become events of the ingest loop.
      let signals = SignalWatcher()
      let environment = ProcessEnvironment.current()
      let agentConfig: AgentConfig
      do {
        agentConfig = try AgentConfig.load(path: config, environment: environment)
      } catch {
        printError("configuration error: \(error.description)")
        throw ExitCode(78)  // EX_CONFIG: systemd is told not to restart in a loop
      }
      if check {
        do {
          try Agent.validate(agentConfig)
          print("\(config): configuration, profiles and inventory are valid")
          return
        } catch {
          printError("configuration error: \(error.description)")
          throw ExitCode(78)
        }
      }
      let journal = ConsoleLogHandler.stderrIsJournal(environment: environment)
      let level = agentConfig.logLevel
      LoggingSystem.bootstrap { _ in ConsoleLogHandler(level: level, forJournal: journal) }
      let logger = Logger(label: "classgate")
      do {
        try Agent.run(
          config: agentConfig, environment: environment, signals: signals, logger: logger)
      } catch let error as ConfigError {
        printError("configuration error: \(error.description)")
        throw ExitCode(78)
      } catch let error as StoreInUse {
        printError(error.description)
        throw ExitCode(78)  // restarting would only meet the same lock
      } catch {
        logger.critical("Agent stopped on an error", metadata: ["error": "\(error)"])
        throw ExitCode.failure
      }
    }
  }
}
