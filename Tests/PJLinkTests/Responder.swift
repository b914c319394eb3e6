import Foundation
import TestSupport

/// `pjlink_responder.py` (a projector written from the PJLink spec) on a loopback port. Its
/// behaviour is a JSON state file, re-read on every connection, so a test can change it.
final class Responder: @unchecked Sendable {
  let directory = TemporaryDirectory(prefix: "classgate-pjlink")
  private(set) var port: Int = 0
  private var process: ChildProcess?

  static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("pjlink_responder.py").path

  static let standardAnswers = [
    "POWR": "1", "LAMP": "1432 1", "ERST": "000000", "INPT": "31", "AVMT": "30",
  ]

  init(password: String? = nil, answers: [String: String] = standardAnswers, port: Int = 0) throws {
    try set(password: password, answers: answers)
    process = try ChildProcess(
      executable: "/usr/bin/python3",
      arguments: [
        Self.script, "--state", directory.file("state.json"), "--port-file", directory.file("port"),
        "--log", directory.file("commands.log"), "--port", String(port),
      ], environment: [:], outputPath: directory.file("responder.out"))
    let portFile = directory.file("port")
    guard
      waitUntil(timeout: 10, { FileManager.default.fileExists(atPath: portFile) }),
      let text = try? String(contentsOfFile: portFile, encoding: .utf8), let port = Int(text)
    else {
      throw TestFailure(
        "the PJLink responder did not start: \((try? String(contentsOfFile: directory.file("responder.out"), encoding: .utf8)) ?? "")"
      )
    }
    self.port = port
  }

  func set(
    password: String? = nil, answers: [String: String] = standardAnswers, dropAfter: Int? = nil,
    silent: Bool = false
  ) throws {
    var state: [String: Any] = ["answers": answers, "silent": silent]
    if let password { state["password"] = password }
    if let dropAfter { state["drop_after"] = dropAfter }
    let data = try JSONSerialization.data(withJSONObject: state)
    let temporary = directory.file("state.json.tmp")
    try data.write(to: URL(fileURLWithPath: temporary))
    rename(temporary, directory.file("state.json"))
  }

  /// Every command line received so far.
  var commands: [String] {
    ((try? String(contentsOfFile: directory.file("commands.log"), encoding: .utf8)) ?? "")
      .split(separator: "\n").map(String.init)
  }

  func stop() {
    process?.signal(SIGTERM)
    process?.wait(timeout: 5)
    process = nil
  }

  deinit {
    stop()
    directory.remove()
  }
}
