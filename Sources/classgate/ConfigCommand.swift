import Agent
import ArgumentParser
import JSON

extension ClassGate {
  struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "config",
      abstract: "Print the effective configuration, or a full commented sample.",
      subcommands: [Show.self, Sample.self])
  }
}

extension ClassGate.ConfigCommand {
  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print each key's value as the agent takes it, and where it comes from.",
      discussion: """
        Sources: an environment variable (CLASSGATE_…), the file with its line, or the default. \
        The broker password from the environment is shown as (redacted); files are named, never read.

        Examples:
          classgate config show
          classgate config show --config /tmp/test.toml --json
          CLASSGATE_LOCAL_BROKER_PORT=1884 classgate config show
        """)

    @OptionGroup var global: GlobalOptions

    func run() throws {
      let entries: [EffectiveConfig.Entry]
      do {
        entries = try EffectiveConfig.entries(
          configFile: global.config, environment: ProcessEnvironment.current())
      } catch {
        throw CLIError("\(error)")
      }
      if global.json {
        let items: [JSONValue] = entries.map {
          .object(
            JSONObject([
              ("key", .string($0.key)), ("value", .string($0.value)), ("source", .string($0.source)),
            ]))
        }
        JSONOutput.print(.object(JSONObject([("file", .string(global.config)), ("keys", .array(items))])))
        return
      }
      for entry in entries {
        print(Terminal.clean("\(entry.key) = \(entry.value)  # \(entry.source)"))
      }
    }
  }

  struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print a configuration file with every key at its default, commented.",
      discussion: """
        Examples:
          classgate config sample > /etc/classgate/classgate.toml.sample
          classgate config sample | less
        """)

    /// For maintainers: the key table of docs/configuration.md, which a test keeps equal.
    @Flag(help: .hidden) var docsTable = false

    func run() {
      print(docsTable ? ConfigDocument.markdownTable() : ConfigDocument.sample(), terminator: "")
    }
  }
}
