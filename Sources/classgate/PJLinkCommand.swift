import Agent
import ArgumentParser
import EventLoop
import Logging
import MQTTClient
import PJLinkPoller

extension ClassGate {
  struct PJLinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "pjlink",
      abstract: "Poll projectors over PJLink and publish them in the native protocol.",
      discussion: """
        Reads the [[pjlink.projector]] tables of the config file, polls each projector on TCP \
        (port 4352 by default) every interval_s, and publishes power, lamp hours, errors and input \
        to the school's broker (local_broker) under <native.prefix>/<room>/projector/<id>/..., where \
        `classgate run` stores them like any projector. A projector that does not answer is \
        offline and is retried ever more slowly. Exits 78 on a configuration error.
        """)

    @Option(name: .shortAndLong, help: "The configuration file.")
    var config: String = "/etc/classgate/classgate.toml"

    func run() throws {
      let signals = SignalWatcher()
      let environment = ProcessEnvironment.current()
      let agentConfig: AgentConfig
      do {
        agentConfig = try AgentConfig.load(path: config, environment: environment)
      } catch {
        printError("configuration error: \(error.description)")
        throw ExitCode(78)
      }
      guard !agentConfig.pjlink.projectors.isEmpty else {
        printError("configuration error: \(config): no [[pjlink.projector]] to poll")
        throw ExitCode(78)
      }
      let journal = ConsoleLogHandler.stderrIsJournal(environment: environment)
      let level = agentConfig.logLevel
      LoggingSystem.bootstrap { _ in ConsoleLogHandler(level: level, forJournal: journal) }
      let logger = Logger(label: "classgate-pjlink")
      var options = agentConfig.broker
      options.clientID = "\(options.clientID)-pjlink"
      options.cleanSession = true
      if let username = agentConfig.pjlink.brokerUsername {
        options.username = username
        options.password = agentConfig.pjlink.brokerPassword
      }
      let bridge = PJLinkBridge(
        mqtt: try MQTTConnection(options: options), settings: agentConfig.pjlink,
        prefix: agentConfig.nativePrefix, logger: logger)
      logger.notice(
        "PJLink poller starting",
        metadata: ["projectors": "\(agentConfig.pjlink.projectors.map(\.id))"])
      let loop = MainLoop(
        components: [bridge], signals: signals, systemd: SystemdNotifier(environment: environment))
      do {
        try loop.run()
      } catch {
        logger.critical("PJLink poller stopped on an error", metadata: ["error": "\(error)"])
        throw ExitCode.failure
      }
    }
  }
}
