import Foundation

/// The built `classgate` binary, next to the test bundle in the build directory.
public let classgateExecutable: String = builtExecutable("classgate")

/// A product of this package, next to the test bundle in the build directory.
public func builtExecutable(_ name: String) -> String {
  let testBinary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
  var directory = URL(fileURLWithPath: testBinary).deletingLastPathComponent()
  // swift-testing runs from .../debug/ClassGatePackageTests.xctest; the executable sits in .../debug.
  for _ in 0..<3 {
    let candidate = directory.appendingPathComponent(name).path
    if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    directory.deleteLastPathComponent()
  }
  return name
}

/// Result of running a CLI command to completion.
public struct CommandResult: Sendable {
  public let status: Int32
  public let stdout: String
  public let stderr: String

  public init(status: Int32, stdout: String, stderr: String) {
    self.status = status
    self.stdout = stdout
    self.stderr = stderr
  }
}

/// Runs `classgate ARGS` and waits (CLI commands).
public func runClassgate(_ arguments: [String], environment: [String: String] = [:]) throws
  -> CommandResult
{
  try runExecutable(classgateExecutable, arguments, environment: environment)
}

/// Runs a built executable with ARGS to completion; stdout and stderr apart.
public func runExecutable(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws
  -> CommandResult
{
  let process = Process()
  process.executableURL = URL(fileURLWithPath: path)
  process.arguments = arguments
  process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
  let out = Pipe()
  let err = Pipe()
  process.standardOutput = out
  process.standardError = err
  try process.run()
  let outData = out.fileHandleForReading.readDataToEndOfFile()
  let errData = err.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return CommandResult(
    status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
    stderr: String(decoding: errData, as: UTF8.self))
}

/// Runs `command` with bash and waits; stdout and stderr together.
public func runShell(_ command: String) throws -> CommandResult {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/bin/bash")
  process.arguments = ["-c", command]
  let output = Pipe()
  process.standardOutput = output
  process.standardError = output
  try process.run()
  let data = output.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return CommandResult(
    status: process.terminationStatus, stdout: String(decoding: data, as: UTF8.self), stderr: "")
}

/// `classgate run` as a child process, its log in a file.
public final class AgentProcess: @unchecked Sendable {
  public let configPath: String
  public let logPath: String
  private let environment: [String: String]
  /// A command the agent runs under, e.g. `["/usr/bin/faketime", "-f", "-365d"]` for a wrong clock.
  private let wrapper: [String]
  private var process: ChildProcess?

  public init(
    configPath: String, logPath: String, environment: [String: String] = [:], wrapper: [String] = []
  ) {
    self.configPath = configPath
    self.logPath = logPath
    self.environment = environment
    self.wrapper = wrapper
  }

  public func start() throws {
    let command = wrapper + [classgateExecutable, "run", "--config", configPath]
    process = try ChildProcess(
      executable: command[0], arguments: Array(command.dropFirst()),
      // Inherited journal variables are dropped (logs go to a file); explicit ones are kept.
      environment: ProcessInfo.processInfo.environment
        .filter { $0.key != "JOURNAL_STREAM" && $0.key != "INVOCATION_ID" }
        .merging(environment) { $1 },
      outputPath: logPath)
  }

  public var isRunning: Bool { process?.isRunning ?? false }
  public var pid: Int32 { process?.pid ?? 0 }

  /// Sends `signal` and waits for the exit status (nil if it did not exit within `timeout`).
  @discardableResult
  public func stop(signal: Int32 = SIGTERM, timeout: Double = 15) -> Int32? {
    guard let process else { return nil }
    process.signal(signal)
    guard let status = process.wait(timeout: timeout) else { return nil }
    self.process = nil
    return status
  }

  public var log: String {
    (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
  }

}
