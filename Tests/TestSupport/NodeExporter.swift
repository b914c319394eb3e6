import Foundation

/// Debian's prometheus-node-exporter, run as `prometheus` (as its unit does) on a free loopback
/// port, reading only the textfiles in one directory: what a school's monitoring really sees.
public final class NodeExporter {
  public let port: Int32
  private let process: ChildProcess

  public init(textfileDirectory: String, logPath: String) throws {
    port = freeLoopbackPort()
    process = try ChildProcess(
      executable: "/usr/bin/setpriv",
      arguments: [
        "--reuid=prometheus", "--regid=prometheus", "--clear-groups", "/usr/bin/prometheus-node-exporter",
        "--web.listen-address=127.0.0.1:\(port)", "--collector.disable-defaults", "--collector.textfile",
        "--collector.textfile.directory=\(textfileDirectory)",
      ], environment: [:], outputPath: logPath)
  }

  /// Whether it listens within 10 s.
  public func waitUntilListening() -> Bool { waitUntil(timeout: 10) { isListening(port: self.port) } }

  /// `/metrics`, scraped once with curl.
  public func scrape() throws -> CommandResult { try runShell("curl -sf http://127.0.0.1:\(port)/metrics") }

  deinit {
    process.signal(SIGTERM)
    _ = process.wait(timeout: 5)
  }
}
