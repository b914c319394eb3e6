import CLinux

#if canImport(Glibc)
  import Glibc
#endif

/// Facts about the machine that `classgate doctor` reports.
public enum SystemFacts {
  /// true/false when the kernel knows whether NTP keeps the clock in sync (adjtimex's STA_UNSYNC),
  /// nil when it cannot be asked.
  public static func clockSynchronized() -> Bool? {
    var state = timex()
    let rc = adjtimex(&state)
    guard rc >= 0 else { return nil }
    return rc != TIME_ERROR && state.status & Int32(STA_UNSYNC) == 0
  }

  /// Free and total bytes of the file system holding `path` (for the unprivileged user).
  public static func diskSpace(at path: String) -> (free: Int64, total: Int64)? {
    var stats = statvfs()
    guard statvfs(path, &stats) == 0 else { return nil }
    let block = Int64(stats.f_frsize)
    return (Int64(stats.f_bavail) * block, Int64(stats.f_blocks) * block)
  }

  /// The uid of a user account, if it exists.
  public static func uid(ofUser name: String) -> uid_t? {
    guard let entry = getpwnam(name) else { return nil }
    return entry.pointee.pw_uid
  }

  /// Owner uid and permission bits of a file.
  public static func owner(of path: String) -> (uid: uid_t, mode: mode_t)? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return (info.st_uid, info.st_mode & 0o7777)
  }

  /// This process's own executable (`/proc/self/exe`), to run a subcommand of it.
  public static func executablePath() -> String? {
    var buffer = [CChar](repeating: 0, count: 4096)
    let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard count > 0 else { return nil }
    return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
