import Agent
import ArgumentParser
import JSON

extension ClassGate {
  struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "doctor",
      abstract: "Check the configuration, store, disk, broker and clock; exit 1 if anything fails.")

    @Option(name: .shortAndLong, help: "The agent's configuration file.")
    var config: String = "/etc/classgate/classgate.toml"

    @Option(help: "The account the service runs as (store ownership check).")
    var serviceUser = "classgate"

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
      let checks = Doctor.run(
        configPath: config, environment: ProcessEnvironment.current(), serviceUser: serviceUser)
      let worst = checks.map(\.status).max() ?? .ok
      if json {
        let items: [JSONValue] = checks.map { check in
          .object(
            JSONObject([
              ("name", .string(check.name)), ("status", .string(check.status.rawValue)),
              ("detail", .string(check.detail)), ("fix", check.fix.map(JSONValue.string) ?? .null),
            ]))
        }
        print(
          JSONWriter.pretty(
            .object(JSONObject([("status", .string(worst.rawValue)), ("checks", .array(items))]))))
      } else {
        let width = Terminal.width
        for check in checks {
          let status = check.status.rawValue.padding(5)
          print(
            Terminal.wrap(
              "\(status) \(check.name.padding(16)) \(Terminal.clean(check.detail))", width: width, indent: 23)
          )
          if let fix = check.fix, check.status != .ok {
            print(Terminal.wrap("      fix: \(Terminal.clean(fix))", width: width, indent: 11))
          }
        }
      }
      if worst == .fail { throw ExitCode.failure }
    }
  }
}

extension String {
  fileprivate func padding(_ width: Int) -> String {
    count >= width ? self : self + String(repeating: " ", count: width - count)
  }
}
