import DeviceModel
import EventLoop

#if canImport(Glibc)
  import Glibc
#endif

/// Expiry of a PEM certificate, read with the `openssl` tool (Debian's openssl package), so no
/// X.509 parser is linked into the agent for a check that only `classgate doctor` makes.
enum CertificateFile {
  /// Whole days until notAfter (negative once expired), or nil if the file is not a certificate.
  static func daysUntilExpiry(_ path: String, now: EpochMillis = Clock.wallMs()) -> Int? {
    guard let output = run(["/usr/bin/openssl", "x509", "-noout", "-enddate", "-in", path]),
      let notAfter = parseEndDate(output)
    else { return nil }
    let days = Double(notAfter - now) / 86_400_000
    return Int(days.rounded(.down))
  }

  /// `notAfter=Nov 29 03:22:52 2027 GMT` → epoch ms.
  static func parseEndDate(_ text: String) -> EpochMillis? {
    guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("notAfter=") }) else {
      return nil
    }
    let parts = line.dropFirst("notAfter=".count).split(separator: " ")
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    guard parts.count == 5, parts[4] == "GMT", let month = months.firstIndex(of: String(parts[0])),
      let day = Int(parts[1]), let year = Int(parts[3])
    else { return nil }
    let clock = parts[2].split(separator: ":").compactMap { Int($0) }
    guard clock.count == 3 else { return nil }
    let days = EpochTime.daysFromCivil(year: year, month: month + 1, day: day)
    return (EpochMillis(days) * 86_400 + EpochMillis(clock[0] * 3600 + clock[1] * 60 + clock[2])) * 1000
  }

  /// Standard output of a successful run, or nil.
  private static func run(_ arguments: [String]) -> String? {
    var pipeEnds: [Int32] = [0, 0]
    guard pipe(&pipeEnds) == 0 else { return nil }
    let argv = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
    posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, arguments[0], &actions, nil, argv, environ) == 0
    close(pipeEnds[1])
    defer { close(pipeEnds[0]) }
    guard spawned else { return nil }
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let count = read(pipeEnds[0], &buffer, buffer.count)
      if count <= 0 { break }
      output += buffer[0..<count]
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return status == 0 ? String(decoding: output, as: UTF8.self) : nil
  }
}
