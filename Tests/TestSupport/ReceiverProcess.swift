import Foundation

/// The built `classgate-ioc` binary.
public let classgateIOCExecutable: String = builtExecutable("classgate-ioc")

/// Signs a client certificate with `name`'s CA (from `makePKI`): `<file>.pem` and `<file>.key`,
/// e.g. the IOC receiver's own (CN `ingest.ioc`, which can never be a school id).
public func makeClientCertificate(in directory: String, name: String, commonName: String, file: String) throws
{
  let result = try runShell(
    """
    cd '\(directory)' && openssl req -newkey rsa:2048 -nodes -keyout '\(file).key' -out '\(file).csr' \
      -subj '/CN=\(commonName)' 2>&1 && \
    openssl x509 -req -in '\(file).csr' -CA '\(name)-ca.pem' -CAkey '\(name)-ca.key' -CAcreateserial \
      -out '\(file).pem' -days 30 2>&1 && chmod 600 '\(file).key'
    """)
  guard result.status == 0 else { throw TestFailure("client certificate: \(result.stdout)") }
}

/// `classgate-ioc run` as a child process, its log in a file.
public final class ReceiverProcess: @unchecked Sendable {
  public let configPath: String
  public let logPath: String
  private var process: ChildProcess?

  public init(configPath: String, logPath: String) {
    self.configPath = configPath
    self.logPath = logPath
  }

  /// `environment`: added to the test's own (NOTIFY_SOCKET, say).
  public func start(environment: [String: String] = [:]) throws {
    process = try ChildProcess(
      executable: classgateIOCExecutable, arguments: ["run", "--config", configPath],
      environment: ProcessInfo.processInfo.environment.filter { $0.key != "JOURNAL_STREAM" }
        .merging(environment) { $1 },
      outputPath: logPath)
  }

  /// Starts and waits until every subscription is granted.
  public func startAndWaitForSubscriptions(count: Int = 3, timeout: Double = 20) throws {
    let before = occurrences(of: "Subscribed")
    try start()
    guard waitUntil(timeout: timeout, { occurrences(of: "Subscribed") >= before + count }) else {
      throw TestFailure("receiver did not subscribe; log:\n\(log)")
    }
  }

  public var isRunning: Bool { process?.isRunning ?? false }

  @discardableResult
  public func stop(signal: Int32 = SIGTERM, timeout: Double = 15) -> Int32? {
    guard let process else { return nil }
    process.signal(signal)
    guard let status = process.wait(timeout: timeout) else { return nil }
    self.process = nil
    return status
  }

  /// Waits for the process to exit by itself; its status, or nil.
  public func waitForExit(timeout: Double) -> Int32? {
    guard let status = process?.wait(timeout: timeout) else { return nil }
    process = nil
    return status
  }

  public func occurrences(of text: String) -> Int { log.components(separatedBy: text).count - 1 }

  public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

  deinit { stop(signal: SIGKILL) }
}
