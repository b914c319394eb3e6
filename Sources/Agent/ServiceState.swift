import EventLoop

#if canImport(Glibc)
  import Glibc
#endif

/// What systemd says about the `classgate` unit, for `classgate doctor`: active, enabled, and how
/// often it was restarted (a crash loop shows as a climbing NRestarts).
public struct ServiceState: Sendable, Equatable {
  public var active: String
  public var enabled: String
  public var restarts: Int?

  /// nil where systemd is not the init system (a container, a test): nothing to ask.
  public static func query(unit: String, systemctl: String) -> ServiceState? {
    func ask(_ arguments: [String]) -> String {
      let result = Subprocess.run([systemctl] + arguments, captureOutput: true)
      return (result?.output ?? "").split(separator: "\n").first.map(String.init) ?? "unknown"
    }
    guard access(systemctl, X_OK) == 0 else { return nil }
    return ServiceState(
      active: ask(["is-active", unit]), enabled: ask(["is-enabled", unit]),
      restarts: Int(ask(["show", "--property=NRestarts", "--value", unit])))
  }

  /// `/usr/bin/systemctl` when systemd runs this machine, else nil.
  public static var systemctlIfBooted: String? {
    access("/run/systemd/system", F_OK) == 0 ? "/usr/bin/systemctl" : nil
  }

  var check: Doctor.Check {
    let restartsText = restarts.map { ", restarted \($0) times" } ?? ""
    let detail = "classgate.service is \(active), \(enabled)\(restartsText)"
    if active != "active" {
      return Doctor.Check(
        name: "service", status: .fail, detail: detail,
        fix: "systemctl start classgate; if it stops again: journalctl -u classgate -n 50")
    }
    if enabled != "enabled" {
      return Doctor.Check(
        name: "service", status: .warn, detail: detail + " (it will not start at boot)",
        fix: "systemctl enable classgate")
    }
    if let restarts, restarts > 0 {
      return Doctor.Check(
        name: "service", status: .warn, detail: detail,
        fix: "journalctl -u classgate shows why it stopped")
    }
    return Doctor.Check(name: "service", status: .ok, detail: detail, fix: nil)
  }
}
