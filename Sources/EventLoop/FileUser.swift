#if canImport(Glibc)
  import Glibc
#endif

/// An account as the kernel judges file access: uid and groups. For `classgate doctor`, which a
/// technician runs as root but which must answer for the service user.
public struct FileUser: Sendable {
  public enum Need: Sendable {
    case read
    /// Create and rename entries: write and search on a directory.
    case createIn
  }

  public let name: String
  public let uid: uid_t
  public let groups: [gid_t]

  /// The account this process runs as.
  public static func current() -> FileUser {
    var groups = [gid_t](repeating: 0, count: Int(max(0, getgroups(0, nil))))
    let count = getgroups(Int32(groups.count), &groups)
    let name = getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) } ?? "uid \(geteuid())"
    return FileUser(name: name, uid: geteuid(), groups: [getegid()] + groups.prefix(Int(max(0, count))))
  }

  /// A named account with its supplementary groups, nil when there is no such account.
  public static func named(_ name: String) -> FileUser? {
    guard let entry = getpwnam(name) else { return nil }
    let uid = entry.pointee.pw_uid
    let primary = entry.pointee.pw_gid
    var count: Int32 = 64
    var groups = [gid_t](repeating: 0, count: Int(count))
    if getgrouplist(name, primary, &groups, &count) < 0 {
      groups = [gid_t](repeating: 0, count: Int(count))
      _ = getgrouplist(name, primary, &groups, &count)
    }
    return FileUser(name: name, uid: uid, groups: Array(groups.prefix(Int(count))))
  }

  /// Whether this account may do `need` on `path`. For the process's own account the kernel is
  /// asked (access(2) also sees a read-only mount, such as the unit's ProtectSystem=strict);
  /// for another account the mode bits are read.
  public func may(_ need: Need, _ path: String) -> Bool {
    let bits: Int32 = need == .read ? R_OK : W_OK | X_OK
    if uid == geteuid() { return access(path, bits) == 0 }
    if uid == 0 { return true }
    // Every directory on the way must let the account through.
    var parent = path
    while let slash = parent.lastIndex(of: "/"), slash != parent.startIndex {
      parent = String(parent[..<slash])
      guard granted(parent).map({ $0 & 0o1 != 0 }) ?? false else { return false }
    }
    guard let bits = granted(path) else { return false }
    return need == .read ? bits & 0o4 != 0 : bits & 0o3 == 0o3
  }

  /// The rwx bits that apply to this account on `path` (owner, group or others).
  private func granted(_ path: String) -> mode_t? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    let shift: mode_t = info.st_uid == uid ? 6 : groups.contains(info.st_gid) ? 3 : 0
    return (info.st_mode >> shift) & 0o7
  }
}
