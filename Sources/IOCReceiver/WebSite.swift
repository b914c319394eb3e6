import Agent
import EventLoop
import HTTPServer
import Logging
import PostgresClient

/// The receiver's read-only city page (`[web]`): `/` (the overview, `?day=YYYY-MM-DD`),
/// `/schools/<id>` (the drill-down) and `/healthz`.
///
/// It runs on its own thread with its own PostgreSQL connection (PostgresConnection is not
/// shared across threads), so a slow page or a slow client never delays the receiver's loop,
/// which commits every batch before its PUBACKs. The connection is read-only and every
/// statement is bounded in time as well as by its LIMITs.
public final class WebSite {
  private let conninfo: String
  private let time: SchoolTime
  private let logger: Logger
  private var connection: PostgresConnection?

  public init(conninfo: String, time: SchoolTime, logger: Logger) {
    self.conninfo = conninfo
    self.time = time
    self.logger = logger
  }

  /// Binds `settings` (on the caller's thread, so that a taken port fails the start) and serves
  /// from a new thread for the rest of the process.
  public static func start(_ settings: WebSettings, conninfo: String, time: SchoolTime, logger: Logger) throws
  {
    let listener = try HTTPListener(host: settings.host, port: settings.port)
    try ServerThread.start {
      let site = WebSite(conninfo: conninfo, time: time, logger: logger)
      listener.serve { site.respond(to: $0) }
    }
    logger.info("Serving the city page", metadata: ["web.url": "\(settings.url)"])
  }

  public func respond(to request: HTTPRequest) -> HTTPResponse {
    let path = request.path
    if path == "/healthz" {
      return (try? database().query("SELECT 1")) != nil
        ? .text(200, "ok\n") : .text(503, "database unavailable\n")
    }
    let day = request.query["day"]
    if let day, !CityPages.isDay(day) {
      return page(400, "Bad request", "The day must be YYYY-MM-DD, not \u{201C}\(day.prefix(40))\u{201D}.")
    }
    do {
      if path == "/" {
        return .html(
          200, try CityPages.city(try database(), day: day, nowMs: Clock.wallMs(), time: time, links: .served)
        )
      }
      if path.hasPrefix("/schools/") {
        let id = String(path.dropFirst("/schools/".count))
        guard TextShape.schoolID(Substring(id).utf8),
          let html = try CityPages.school(
            try database(), id: id, day: day, nowMs: Clock.wallMs(), time: time, links: .served)
        else { return page(404, "Not found", "No school \u{201C}\(id.prefix(80))\u{201D}.") }
        return .html(200, html)
      }
      return page(404, "Not found", "No page at \(path.prefix(80)).")
    } catch {
      logger.warning("City page failed", metadata: ["error": "\(error)"])
      connection?.close()
      connection = nil
      return page(503, "Unavailable", "The database did not answer; try again shortly.")
    }
  }

  /// The open connection, or a new one: read-only, each statement at most 5 s.
  private func database() throws -> PostgresConnection {
    if let connection, connection.isOpen { return connection }
    let opened = try PostgresConnection(conninfo: conninfo)
    _ = try opened.query("SET default_transaction_read_only = on")
    _ = try opened.query("SET statement_timeout = 5000")
    connection = opened
    return opened
  }

  private func page(_ status: Int, _ title: String, _ message: String) -> HTTPResponse {
    .html(
      status,
      CityPage.document(title: title)
        + "<h1>\(CityPage.escape(title))</h1>\n<p>\(CityPage.escape(message))</p>\n"
        + "<p><a href=\"/\">City view</a></p></body></html>\n")
  }
}

@available(*, unavailable)
extension WebSite: Sendable {}
