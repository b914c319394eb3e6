import Agent
import ArgumentParser
import Buffer
import DeviceModel
import EventLoop
import JSON

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
      let letters = try reader.deadLetters(limit: limit)
      let counters = try reader.counters()
      let byReason = DeadLetterReason.Code.allCases.compactMap { code -> (String, Int64)? in
        counters[Counter.deadLetters(code.rawValue)].map { (code.rawValue, $0) }
      }
      let now = Clock.wallMs()
      if storeOptions.json {
        let items: [JSONValue] = letters.map { letter in
          .object(
            JSONObject([
              ("time", .string(storeOptions.schoolTime.text(letter.time))),
              ("reason", .string(letter.reason)),
              ("detail", .string(letter.detail)), ("topic", .string(letter.topic)),
              ("payload_size", .number(Double(letter.payloadSize))),
              ("payload_prefix", .string(String(decoding: letter.payloadPrefix, as: UTF8.self))),
            ]))
        }
        let counts = JSONObject(byReason.map { ($0.0, JSONValue.number(Double($0.1))) })
        JSONOutput.print(.object(JSONObject([("counts", .object(counts)), ("recent", .array(items))])))
        return
      }
      var wide = TextTable(headers: ["WHEN", "REASON", "TOPIC", "BYTES", "WHY", "PAYLOAD"])
      // On a narrow console: why and payload on a line of their own under each letter.
      var narrow = TextTable(headers: ["WHEN", "REASON", "BYTES", "TOPIC"])
      for letter in letters {
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
      let width = Terminal.width
      let table = width.map { wide.naturalWidth > $0 } ?? false ? narrow : wide
      print(letters.isEmpty ? "No dead letters." : table.render(width: width))
      let total = counters[Counter.deadLetters] ?? 0
      print(
        "\n\(total) dead letters in all"
          + (byReason.isEmpty ? "" : ": " + byReason.map { "\($0.0) \($0.1)" }.joined(separator: ", ")))
    }
  }
}
