import ArgumentParser
import IOCReceiver
import JSON

extension ClassGateIOC {
  struct Rejected: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List the newest messages the receiver refused, with the reason.",
      discussion: """
        The payloads themselves stay in the database (table rejected, column payload, the first \
        64 KiB); this shows when, which school, which topic and why.
        """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Only this school's.")
    var school: String?

    @Option(help: "How many, newest first.")
    var limit = 20

    func validate() throws {
      guard limit >= 1 else { throw ValidationError("Please specify a 'limit' of at least 1.") }
    }

    func run() throws {
      let connection = try database.connect()
      defer { connection.close() }
      let rejected = try CityView.rejected(connection, school: school, limit: limit)
      let time = try database.time()
      if database.json {
        print(
          JSONWriter.pretty(
            .array(
              rejected.map { message in
                .object([
                  "received": .string(time.text(message.receivedMs)),
                  "school_id": message.schoolID.map(JSONValue.string) ?? .null,
                  "topic": .string(message.topic),
                  "reason": .string(message.reason), "payload_size": .number(Double(message.payloadSize)),
                ])
              })))
        return
      }
      guard !rejected.isEmpty else {
        print("no rejected messages")
        return
      }
      print(
        Format.table(
          ["RECEIVED", "SCHOOL", "TOPIC", "BYTES", "REASON"],
          rejected.map { message in
            [
              time.text(message.receivedMs), message.schoolID ?? "-", message.topic,
              "\(message.payloadSize)",
              message.reason,
            ]
          }))
    }
  }
}
