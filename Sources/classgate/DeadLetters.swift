import Agent
import ArgumentParser
import Buffer
import DeviceModel
import EventLoop
import JSON
import Reports

extension ClassGate {
  struct DeadLetters: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "dead-letters",
      abstract: "Show the messages that could not be used, newest first, and the counts by reason.",
      discussion: """
        Examples:
          classgate dead-letters
          classgate dead-letters --limit 5 --json
        """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "How many to show.") var limit: Int = 20

    func validate() throws {
      guard limit > 0 else { throw ValidationError("Please specify a 'limit' of at least 1.") }
    }

    func run() throws {
      let reader = try storeOptions.openReader()
      let report = try DeadLettersReport.read(reader, limit: limit)
      let output = DeadLettersOutput(now: Clock.wallMs(), time: storeOptions.schoolTime)
      if storeOptions.json {
        JSONOutput.print(output.json(report))
      } else {
        print(output.text(report, width: Terminal.width))
      }
    }
  }
}

/// `classgate dead-letters`'s table (the narrow form under 80 columns) and `--json` shape.
struct DeadLettersOutput {
  let now: EpochMillis
  let time: SchoolTime

  func json(_ report: DeadLettersReport) -> JSONValue {
    let items: [JSONValue] = report.recent.map { letter in
      .object(
        JSONObject([
          ("time", .string(time.text(letter.time))),
          ("reason", .string(letter.reason)),
          ("detail", .string(letter.detail)), ("topic", .string(letter.topic)),
          ("payload_size", .number(Double(letter.payloadSize))),
          ("payload_prefix", .string(String(decoding: letter.payloadPrefix, as: UTF8.self))),
        ]))
    }
    let counts = JSONObject(report.countsByReason.map { ($0.reason, JSONValue.number(Double($0.count))) })
    return .object(JSONObject([("counts", .object(counts)), ("recent", .array(items))]))
  }

  func text(_ report: DeadLettersReport, width: Int?) -> String {
    var wide = TextTable(headers: ["WHEN", "REASON", "TOPIC", "BYTES", "WHY", "PAYLOAD"])
    // On a narrow console: why and payload on a line of their own under each letter.
    var narrow = TextTable(headers: ["WHEN", "REASON", "BYTES", "TOPIC"])
    for letter in report.recent {
      let why = String(letter.detail.prefix(60))
      let payload = String(String(decoding: letter.payloadPrefix, as: UTF8.self).prefix(40))
      let when = TimeText.ago(letter.time, now: now)
      wide.append([
        when, letter.reason, String(letter.topic.prefix(60)), String(letter.payloadSize), why, payload,
      ])
      narrow.append(
        [when, letter.reason, String(letter.payloadSize), String(letter.topic.prefix(60))],
        note: "\(why): \(payload)")
    }
    let table = width.map { wide.naturalWidth > $0 } ?? false ? narrow : wide
    let counts = report.countsByReason.map { "\($0.reason) \($0.count)" }
    return (report.recent.isEmpty ? "No dead letters." : table.render(width: width))
      + "\n\n\(report.total) dead letters in all"
      + (counts.isEmpty ? "" : ": " + counts.joined(separator: ", "))
  }
}
