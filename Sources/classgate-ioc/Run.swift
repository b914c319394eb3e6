import Agent
import ArgumentParser
import EventLoop
import IOCReceiver
import Logging

extension ClassGateIOC {
  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Receive from the IOC broker into PostgreSQL until SIGTERM or SIGINT.",
      discussion: """
        Subscribes to ioc/v1/schools/+/summaries/#, …/events and …/presence (QoS 1, persistent \
        session, TLS with the receiver's certificate), validates every message against schema v1 \
        and commits each batch before acknowledging it. With [web] listen = "127.0.0.1:8480" it \
        also serves the read-only city page (/, /schools/<id>, /healthz) from a thread of its own. Keys can be overridden by environment \
        variables CLASSGATE_IOC_<SECTION>_<KEY>, e.g. CLASSGATE_IOC_DATABASE_CONNINFO. Exits 78 on \
        a configuration error.
        """)

    @Option(name: .shortAndLong, help: "The configuration file.")
    var config: String = ReceiverDefaults.configPath

    func run() throws {
      // First, before any thread exists: signals become events of the loop.
      let signals = SignalWatcher()
      let environment = ProcessEnvironment.current()
      let receiverConfig: ReceiverConfig
      do {
        receiverConfig = try ReceiverConfig.load(path: config, environment: environment)
      } catch {
        printError("configuration error: \(error.description)")
        throw ExitCode(78)  // EX_CONFIG: systemd is told not to restart in a loop
      }
      let journal = ConsoleLogHandler.stderrIsJournal(environment: environment)
      let level = receiverConfig.logLevel
      LoggingSystem.bootstrap { _ in ConsoleLogHandler(level: level, forJournal: journal) }
      let logger = Logger(label: "classgate-ioc")
      if let web = receiverConfig.web {
        do {
          let time = try SchoolTime.ioc(
            timeZone: receiverConfig.timeZone, environment: environment, file: config)
          try WebSite.start(web, conninfo: receiverConfig.conninfo, time: time, logger: logger)
        } catch {
          logger.critical("Cannot serve the city page (web.listen)", metadata: ["error": "\(error)"])
          throw ExitCode.failure
        }
      }
      do {
        try Receiver(config: receiverConfig, logger: logger).run(
          signals: signals, systemd: SystemdNotifier(environment: environment))
      } catch {
        logger.critical("Receiver stopped on an error", metadata: ["error": "\(error)"])
        throw ExitCode.failure
      }
    }
  }
}

enum ReceiverDefaults {
  static let configPath = "/etc/classgate/classgate-ioc.toml"
}

func printError(_ message: String) {
  StandardError.write("classgate-ioc: \(message)\n")
}
