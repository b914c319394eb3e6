import ArgumentParser

@main
struct ClassGate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "classgate",
    abstract: "Smart-classroom gateway: ingest device MQTT into a durable store, show what is online.",
    version: "0.1.0",
    subcommands: [
      Run.self, Devices.self, Device.self, DeadLetters.self, ProfilesCommand.self, Simulate.self,
      BrokerCommand.self, DoctorCommand.self, UplinkCommand.self, Stats.self, PJLinkCommand.self,
      ConfigCommand.self,
      TimetableCommand.self,
    ])
}
