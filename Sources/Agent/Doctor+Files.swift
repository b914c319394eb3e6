import EventLoop

#if canImport(Glibc)
  import Glibc
#endif

/// The checks that judge files for the service user, who is not whoever runs `doctor` (root,
/// often): a password file only root can read loads fine here and stops the service.
extension Doctor {
  /// The config file, the files it names and the profile directories, readable by the service user.
  static func readAccess(configPath: String, peek: ConfigPeek?, user: FileUser) -> Check {
    var files = [(key: "config", path: configPath)] + (peek?.filesRead ?? [])
    let directories = (try? peek?.profileDirectories) ?? nil
    files += (directories ?? []).filter { access($0, F_OK) == 0 }.map { ("profiles.directories", $0) }
    let unreadable = files.filter { access($0.path, F_OK) == 0 && !user.may(.read, $0.path) }
    let missing = files.filter { access($0.path, F_OK) != 0 && $0.key != "profiles.directories" }
    if unreadable.isEmpty && missing.isEmpty {
      return Check(
        name: "access", status: .ok, detail: "\(user.name) can read the \(files.count) files the agent reads",
        fix: nil)
    }
    let details =
      unreadable.map { "\(user.name) cannot read \($0.path) (\($0.key))" }
      + missing.map { "\($0.path) (\($0.key)) is not there" }
    let fixes =
      unreadable.map { file in
        file.key == "config" || file.key == "profiles.directories" || file.key.hasPrefix("ioc.c")
          || file.key == "inventory.path"
          ? "chgrp \(user.name) \(file.path) && chmod g+r \(file.path)"
          : "chown \(user.name): \(file.path) && chmod 600 \(file.path)"
      } + missing.map { "create \($0.path) or correct \($0.key)" }
    return Check(
      name: "access", status: .fail, detail: details.joined(separator: "; "),
      fix: fixes.joined(separator: "; "))
  }

  /// Whether node_exporter gets the metrics: for the service user, not whoever runs doctor.
  static func metrics(path: String, user: FileUser) -> Check {
    let findings = MetricsPathCheck.findings(path: path, user: user)
    guard !findings.isEmpty else {
      return Check(
        name: "metrics", status: .ok,
        detail: "\(path): \(user.name) can write it, node_exporter can read it", fix: nil)
    }
    return Check(
      name: "metrics", status: findings.contains(where: \.blocking) ? .fail : .warn,
      detail: findings.map(\.message).joined(separator: "; "),
      fix: findings.compactMap(\.fix).joined(separator: "; then "))
  }
}
