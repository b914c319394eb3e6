import ArgumentParser

/// The options every reading command shares: which configuration, and JSON or text.
struct GlobalOptions: ParsableArguments {
  @Option(name: .shortAndLong, help: "The agent's configuration file.")
  var config: String = "/etc/classgate/classgate.toml"

  @Flag(help: "Print JSON instead of text.")
  var json = false
}
