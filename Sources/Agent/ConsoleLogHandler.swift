import DeviceModel
import EventLoop
import Logging

#if canImport(Glibc)
  import Glibc
#endif

/// One line per log event on stderr. Under systemd (JOURNAL_STREAM set) lines carry a `<N>` syslog
/// priority and no timestamp, since journald adds its own; elsewhere an ISO 8601 UTC timestamp and
/// the level. Control characters from any source are replaced, so device data cannot forge lines.
public struct ConsoleLogHandler: LogHandler {
  public var logLevel: Logger.Level
  public var metadata: Logger.Metadata = [:]
  private let forJournal: Bool

  public init(level: Logger.Level, forJournal: Bool) {
    self.logLevel = level
    self.forJournal = forJournal
  }

  /// True when stderr is connected to the journal, as systemd documents for JOURNAL_STREAM.
  public static func stderrIsJournal(environment: [String: String]) -> Bool {
    environment["JOURNAL_STREAM"] != nil || environment["INVOCATION_ID"] != nil
  }

  public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  public func log(event: LogEvent) {
    let level = event.level
    let message = event.message
    var merged = metadata
    if let explicit = event.metadata { merged.merge(explicit) { $1 } }
    var text = forJournal ? "<\(Self.priority(level))>" : "\(Self.timestamp()) \(level) "
    text += DisplayText.clean(message.description)
    for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
      let rendered = DisplayText.clean(value.description)
      text += rendered.contains(" ") ? " \(key)=\"\(rendered)\"" : " \(key)=\(rendered)"
    }
    text += "\n"
    StandardError.write(text)
  }

  static func priority(_ level: Logger.Level) -> Int {
    switch level {
    case .trace, .debug: 7
    case .info: 6
    case .notice: 5
    case .warning: 4
    case .error: 3
    case .critical: 2
    }
  }

  static func timestamp() -> String {
    EpochTime.iso8601(Clock.wallMs())
  }
}
