import Agent
import ArgumentParser
import JSON

#if canImport(Glibc)
  import Glibc
#endif

extension ClassGate {
  struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "doctor",
      abstract: "Check the configuration, store, disk, broker and clock; exit 1 if anything fails.",
      discussion: """
        Examples:
          classgate doctor
          classgate doctor --config /etc/classgate/classgate.toml --json
        """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "The account the service runs as (store ownership check).")
    var serviceUser = "classgate"

    /// Where `systemctl` is, for the service check (a stand-in in tests); none: systemd is asked
    /// only when it runs this machine.
    @Option(help: .hidden) var systemctl: String?

    func run() throws {
      let width = Terminal.width
      var checks: [Doctor.Check] = []
      Doctor.run(
        configPath: global.config, environment: ProcessEnvironment.current(), serviceUser: serviceUser,
        systemctl: systemctl ?? ServiceState.systemctlIfBooted
      ) { check in
        checks.append(check)
        guard !global.json else { return }
        // As it goes: a broker that does not answer takes seconds.
        print(Self.text(check, width: width))
        fflush(nil)  // every stream: stdout may be a pipe
      }
      let worst = checks.map(\.status).max() ?? .ok
      if global.json {
        let items: [JSONValue] = checks.map { check in
          .object(
            JSONObject([
              ("name", .string(check.name)), ("status", .string(check.status.rawValue)),
              ("detail", .string(check.detail)), ("fix", check.fix.map(JSONValue.string) ?? .null),
            ]))
        }
        JSONOutput.print(
          (.object(JSONObject([("status", .string(worst.rawValue)), ("checks", .array(items))]))))
      }
      if worst == .fail { throw ExitCode.failure }
    }

    static func text(_ check: Doctor.Check, width: Int?) -> String {
      let status = check.status.rawValue.padding(5)
      var text = Terminal.wrap(
        "\(status) \(check.name.padding(16)) \(Terminal.clean(check.detail))", width: width, indent: 23)
      if let fix = check.fix, check.status != .ok {
        text += "\n" + Terminal.wrap("      fix: \(Terminal.clean(fix))", width: width, indent: 11)
      }
      return text
    }
  }
}

extension String {
  fileprivate func padding(_ width: Int) -> String {
    count >= width ? self : self + String(repeating: " ", count: width - count)
  }
}
