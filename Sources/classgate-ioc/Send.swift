import Agent
import ArgumentParser
import DeviceModel
import EventLoop
import IOCReceiver
import JSON

extension ClassGateIOC {
  struct Send: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Send a command to a school's agent over its uplink and print the answer.",
      discussion: """
        ping: the agent's version, stream, uptime, newest seq and backlog. resend --day D | --from T \
        --to T: the windows, days and lessons of that span summarised again as new revisions. resend \
        --seq A-B: the outbox rows still held (1 day after delivery) published again as they were. \
        report: the school's `classgate doctor --json`. Publishes on ioc/v1/schools/<school>/commands \
        (QoS 1) with the broker settings of the receiver's configuration, and waits for the answer \
        on …/responses. Exit 0 when the answer is ok, 1 when refused or failed, 2 without an answer.
        """)

    @Argument(help: "The school id.")
    var school: String

    @Argument(help: "ping, resend or report.")
    var command: String

    @Option(help: "resend: the school-local day, YYYY-MM-DD.")
    var day: String?

    @Option(help: "resend: the period's start, epoch ms or e.g. 2026-11-28T08:00:00+07:00.")
    var from: String?

    @Option(help: "resend: the period's end (exclusive), as --from.")
    var to: String?

    @Option(help: "resend: a seq range A-B (at most 10000 seqs).")
    var seq: String?

    @Option(help: "Seconds to wait for the answer (default 10, report 60).")
    var timeout: Int?

    @Flag(help: "Print the answer as JSON.")
    var json = false

    @Option(name: .shortAndLong, help: "The receiver's configuration file (its [broker] section).")
    var config: String = ReceiverDefaults.configPath

    func validate() throws {
      guard (1...64).contains(school.utf8.count),
        school.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
      else { throw ValidationError("school ids are 1–64 characters of A–Z a–z 0–9 - _") }
      guard ["ping", "resend", "report"].contains(command) else {
        throw ValidationError("the command is ping, resend or report")
      }
      _ = try args()
    }

    /// The command's `args`; only resend has any, exactly one span.
    func args() throws -> JSONObject {
      let spans = [day != nil, from != nil || to != nil, seq != nil].filter { $0 }.count
      guard command == "resend" else {
        guard spans == 0 else { throw ValidationError("--day, --from/--to and --seq are for resend") }
        return [:]
      }
      guard spans == 1 else { throw ValidationError("resend takes one of --day, --from with --to, or --seq") }
      if let day { return ["day": .string(day)] }
      if let seq {
        let bounds = seq.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard bounds.count == 2, let first = bounds[0], let last = bounds[1] else {
          throw ValidationError("--seq is A-B, e.g. 120-180")
        }
        return ["seq_from": .number(Double(first)), "seq_to": .number(Double(last))]
      }
      guard let from, let to, let start = TimeArgument.epochMs(from), let end = TimeArgument.epochMs(to)
      else {
        throw ValidationError(
          "--from and --to are epoch ms or ISO times with an offset, e.g. 2026-11-28T08:00:00+07:00")
      }
      return ["from_ms": .number(Double(start)), "to_ms": .number(Double(end))]
    }

    func run() throws {
      let receiverConfig: ReceiverConfig
      do {
        receiverConfig = try ReceiverConfig.load(
          path: config, environment: ProcessEnvironment.current(), needsDatabase: false)
      } catch {
        printError("configuration error: \(error.description)")
        throw ExitCode(78)
      }
      var random = SystemRandomNumberGenerator()
      let requestID = "ioc-" + String(random.next() as UInt64, radix: 16)
      let now = Clock.wallMs()
      let payload: JSONValue = .object([
        "schema": "classgate.command", "schema_version": 1, "request_id": .string(requestID),
        "command": .string(command), "issued_ms": .number(Double(now)),
        "expires_ms": .number(Double(now + 60_000)), "args": .object(try args()),
      ])
      let response: JSONObject
      do {
        response = try CommandClient(options: receiverConfig.broker).send(
          school: school, command: payload, requestID: requestID,
          timeoutSeconds: timeout ?? (command == "report" ? 60 : 10))
      } catch {
        printError("\(command) to \(school): \(error)")
        throw ExitCode(2)
      }
      let status = response["status"]?.stringValue ?? "?"
      if json {
        print(JSONWriter.pretty(.object(response)))
      } else {
        print(Self.text(response))
      }
      guard status == "ok" else {
        if json { printError("\(command) \(status): \(response["reason"]?.stringValue ?? "")") }
        throw ExitCode.failure
      }
    }

    /// `ok ping (request ioc-…)` and the result's fields, one a line; a report's checks as doctor
    /// prints them.
    static func text(_ response: JSONObject) -> String {
      var lines = [
        "\(response["status"]?.stringValue ?? "?") \(response["command"]?.stringValue ?? "?") (request \(response["request_id"]?.stringValue ?? "?"))"
      ]
      if let reason = response["reason"]?.stringValue { lines.append("reason: \(reason)") }
      let result = response["result"]?.objectValue ?? [:]
      if let checks = result["checks"]?.arrayValue {
        for check in checks.compactMap(\.objectValue) {
          let status = check["status"]?.stringValue ?? ""
          let name = check["name"]?.stringValue ?? ""
          lines.append(
            status + String(repeating: " ", count: max(1, 6 - status.count)) + name
              + String(repeating: " ", count: max(1, 17 - name.count)) + (check["detail"]?.stringValue ?? ""))
        }
      } else {
        for (key, value) in result {
          lines.append("\(key): \(value.stringValue ?? JSONWriter.compact(value))")
        }
      }
      return lines.joined(separator: "\n")
    }
  }
}
