import ArgumentParser

@main
struct ClassGateIOC: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "classgate-ioc",
    abstract: "The IOC side: store every school's uplink in PostgreSQL exactly once, and show the city.",
    version: "0.1.0",
    subcommands: [Run.self, Schools.self, Usage.self, Rejected.self, Page.self, Send.self])
}
