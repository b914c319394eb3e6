import Agent
import ArgumentParser
import EventLoop
import JSON

extension ClassGate.ProfilesCommand {
  struct Unmapped: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show the fields devices send that no profile stores, as counted by the running agent.",
      discussion: """
        The agent counts, since it started, every number or boolean a profile does not map
        ("not_mapped", e.g. tasmota S8.CarbonDioxide), every value in a unit it cannot convert
        ("unknown_unit"), and telemetry messages that gave no reading. It publishes them in its
        metrics textfile (metrics.textfile in the configuration), which this command reads.
        Map a field by adding a line to the profile (Devices/README.md); try it first with
        'classgate profiles test TOPIC PAYLOAD'.
        """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "The metrics textfile (default: metrics.textfile from the config).")
    var metrics: String?

    var config: String { global.config }
    var json: Bool { global.json }

    func run() throws {
      let file: String
      if let metrics {
        file = metrics
      } else {
        guard let configured = try? ConfigPeek(configFile: config).metricsTextfile else {
          throw CLIError(
            "no metrics.textfile in \(config): the agent publishes its unmapped-field counts there; set it, or pass --metrics FILE"
          )
        }
        file = configured
      }
      let text: String
      switch readTextFile(file, maxBytes: 8 << 20) {
      case .success(let contents): text = contents
      case .failure(let failure): throw CLIError("cannot read \(file): \(failure.message)")
      }
      let report = UnmappedReport.parse(text)
      if json { JSONOutput.print(UnmappedOutput.json(report)) } else { print(UnmappedOutput.text(report)) }
    }
  }
}

/// `classgate profiles unmapped`'s tables and its `--json` shape (docs/cli.md).
enum UnmappedOutput {
  /// What `UnmappedReport.parse` reads from the agent's metrics textfile.
  typealias Counts = (fields: [UnmappedReport.Row], withoutReadings: [(profile: String, count: Int)])

  static func json(_ report: Counts) -> JSONValue {
    .object(
      JSONObject([
        (
          "fields",
          .array(
            report.fields.map { row in
              .object(
                JSONObject([
                  ("profile", .string(row.profile)), ("field", .string(row.field)),
                  ("reason", .string(row.reason)), ("count", .number(Double(row.count))),
                ]))
            })
        ),
        (
          "messages_without_readings",
          .array(
            report.withoutReadings.map { entry in
              .object(
                JSONObject([
                  ("profile", .string(entry.profile)), ("count", .number(Double(entry.count))),
                ]))
            })
        ),
      ]))
  }

  static func text(_ report: Counts) -> String {
    if report.fields.isEmpty && report.withoutReadings.isEmpty {
      return "Every field devices sent since the agent started was stored (or is ignored by its profile)."
    }
    var table = TextTable(headers: ["PROFILE", "FIELD", "REASON", "MESSAGES"])
    for row in report.fields {
      table.append([Terminal.clean(row.profile), Terminal.clean(row.field), row.reason, String(row.count)])
    }
    var text = table.render()
    if !report.withoutReadings.isEmpty {
      var without = TextTable(headers: ["PROFILE", "MESSAGES WITHOUT A READING"])
      for entry in report.withoutReadings {
        without.append([Terminal.clean(entry.profile), String(entry.count)])
      }
      text += "\n\n" + without.render()
    }
    return text
  }
}
