import EventLoop

#if canImport(Glibc)
  import Glibc
#endif

/// Whether node_exporter can get the agent's metrics from `metrics.textfile`: the directory is
/// there, the service user can create its temp file in it, and the file is readable by others
/// (node_exporter runs as `prometheus`). Shared by `run --check` and `doctor`.
public enum MetricsPathCheck {
  public struct Finding: Sendable, Equatable {
    /// true: nothing will reach Prometheus until it is fixed.
    public var blocking: Bool
    public var message: String
    public var fix: String?
  }

  public static func findings(path: String, user: FileUser, nowMs: Int64 = Clock.wallMs()) -> [Finding] {
    let directory = directory(of: path)
    var info = stat()
    guard stat(directory, &info) == 0 else {
      return [
        Finding(
          blocking: true,
          message:
            "the directory \(directory) is not there (\(String(cString: strerror(errno))))",
          fix:
            "apt install prometheus-node-exporter (its textfile directory is /var/lib/prometheus/node-exporter), or correct metrics.textfile"
        )
      ]
    }
    guard info.st_mode & S_IFMT == S_IFDIR else {
      return [
        Finding(blocking: true, message: "\(directory) is not a directory", fix: "correct metrics.textfile")
      ]
    }
    var findings: [Finding] = []
    if !user.may(.createIn, directory) {
      findings.append(
        Finding(
          blocking: true,
          message:
            "\(user.name) cannot create files in \(directory) (the agent writes a temp file there, then renames it)",
          fix:
            "dpkg-statoverride --update --add root \(user.name) 0775 \(directory) (kept across upgrades of prometheus-node-exporter)"
        ))
    }
    var file = stat()
    if stat(path, &file) == 0 {
      if file.st_mode & 0o004 == 0 {
        let mode = String(file.st_mode & 0o777, radix: 8)
        findings.append(
          Finding(
            blocking: false,
            message: "\(path) has mode \(mode): node_exporter (user prometheus) cannot read it",
            fix: "chmod 644 \(path); the agent rewrites it 0644 every 5 s"))
      }
      let ageSeconds = (nowMs - Int64(file.st_mtim.tv_sec) * 1000) / 1000
      if ageSeconds > 60 {
        findings.append(
          Finding(
            blocking: false, message: "\(path) was last written \(ageSeconds) s ago",
            fix: "the agent rewrites it every 5 s: systemctl status classgate"))
      }
    }
    return findings
  }

  static func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }
}
