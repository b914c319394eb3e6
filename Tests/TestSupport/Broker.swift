import Foundation

/// A real mosquitto on a loopback port, in its own temp directory, for one test.
public final class Broker: @unchecked Sendable {
  public let port: Int32
  public let directory: TemporaryDirectory
  private var process: ChildProcess?
  private let extraConfig: String

  public init(extraConfig: String = "") throws {
    self.port = freeLoopbackPort()
    self.directory = TemporaryDirectory(prefix: "classgate-broker")
    self.extraConfig = extraConfig
    // mosquitto started as root drops to the `mosquitto` user, which must write its log and
    // persistence file here.
    chmod(directory.path, 0o777)
    try start()
  }

  public func start() throws {
    let config = try directory.write(
      "mosquitto.conf",
      """
      listener \(port) 127.0.0.1
      allow_anonymous true
      persistence true
      persistence_location \(directory.path)/
      max_queued_messages 1000000
      log_dest file \(directory.path)/mosquitto.log
      \(extraConfig)
      """)
    process = try ChildProcess(
      executable: Broker.executable, arguments: ["-c", config], environment: [:], outputPath: nil)
    guard waitUntil(timeout: 10, { isListening(port: port) }) else {
      throw TestFailure("mosquitto did not start on port \(port)")
    }
  }

  /// Stops with SIGTERM (mosquitto saves its persistence file) and waits.
  public func stop() {
    guard let process, process.isRunning else { return }
    process.signal(SIGTERM)
    if process.wait(timeout: 10) == nil {
      process.signal(SIGKILL)
      process.wait(timeout: 5)
    }
    self.process = nil
  }

  public func restart() throws {
    stop()
    try start()
  }

  deinit {
    stop()
    directory.remove()
  }

  public static let executable: String = {
    for candidate in ["/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto"]
    where FileManager.default.isExecutableFile(atPath: candidate) {
      return candidate
    }
    return "/usr/sbin/mosquitto"
  }()
}

public struct TestFailure: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}
