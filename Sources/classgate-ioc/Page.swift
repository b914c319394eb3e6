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
        regenerated every minute by a timer: classgate-ioc page --out /var/www/ioc/index.html
        """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Also chart the use of displays on this school-local date, YYYY-MM-DD.")
    var day: String?

    @Option(help: "Write the page to this file instead of standard output.")
    var out: String?

    @Option(help: "One school's drill-down page instead of the city overview.")
    var school: String?

    func run() throws {
      let connection = try database.connect()
      defer { connection.close() }
      let schools = try CityView.schools(connection)
      let generated = Format.instant(Clock.wallMs())
      let page: String
      if let school {
        guard let status = schools.first(where: { $0.schoolID == school }) else {
          throw CLIError("no school \(school) in the database")
        }
        page = SchoolPage.render(
          school: status, windows: try CityView.windows(connection, school: school), generatedAt: generated)
      } else {
        let usage = try day.map { try CityView.usage(connection, day: $0) } ?? []
        page = CityPage.render(schools: schools, usage: usage, day: day, generatedAt: generated)
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
