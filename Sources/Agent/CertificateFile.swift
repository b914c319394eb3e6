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
    guard
      let result = Subprocess.run(
        ["/usr/bin/openssl", "x509", "-noout", "-enddate", "-in", path], captureOutput: true),
      result.status == 0, let notAfter = parseEndDate(result.output)
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
}
