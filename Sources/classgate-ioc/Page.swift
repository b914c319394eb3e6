import ArgumentParser
import EventLoop
import IOCReceiver

#if canImport(Glibc)
  import Glibc
#endif

extension ClassGateIOC {
  struct Page: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write the city view as one read-only HTML page with SVG charts.",
      discussion: """
        Self-contained (no script, no external files): serve it from any web server, e.g. \
        regenerated every minute by a timer: classgate-ioc page --out /var/www/ioc/index.html. \
        The receiver serves the same pages itself with [web] listen = "127.0.0.1:8480".
        """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The school-local date whose use and lessons to show, YYYY-MM-DD (default: the newest).")
    var day: String?

    @Option(help: "Write the page to this file instead of standard output.")
    var out: String?

    @Option(help: "One school's drill-down page instead of the city overview.")
    var school: String?

    func validate() throws {
      if let day, !CityPages.isDay(day) {
        throw ValidationError("Please give --day as YYYY-MM-DD, e.g. 2026-11-28.")
      }
    }

    func run() throws {
      let connection = try database.connect()
      defer { connection.close() }
      let now = Clock.wallMs()
      let time = try database.time()
      let page: String
      if let school {
        guard
          let html = try CityPages.school(
            connection, id: school, day: day, nowMs: now, time: time, links: .files)
        else { throw CLIError("no school \(school) in the database") }
        page = html
      } else {
        page = try CityPages.city(connection, day: day, nowMs: now, time: time, links: .files)
      }
      guard let out else {
        print(page, terminator: "")
        return
      }
      // Written next to the target and renamed, so a web server never serves half a page.
      let temporary = out + ".tmp"
      guard Self.write(page, to: temporary), rename(temporary, out) == 0 else {
        throw CLIError("cannot write \(out): \(String(cString: strerror(errno)))")
      }
    }

    static func write(_ text: String, to path: String) -> Bool {
      guard let file = fopen(path, "w") else { return false }
      let bytes = Array(text.utf8)
      let written = fwrite(bytes, 1, bytes.count, file)
      return fclose(file) == 0 && written == bytes.count
    }
  }
}
