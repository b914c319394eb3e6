import Foundation

/// Debian's headless chromium (`/usr/bin/chromium`), each run with a profile of its own. CI runs
/// as root, hence --no-sandbox; its stderr (dbus warnings) is dropped.
public enum Chromium {
  static func run(_ arguments: String) throws -> CommandResult {
    let profile = TemporaryDirectory(prefix: "classgate-chromium")
    defer { profile.remove() }
    return try runShell(
      "timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars "
        + "--user-data-dir='\(profile.path)' \(arguments) 2>/dev/null")
  }

  /// The DOM after the page has loaded, serialised.
  public static func dumpDOM(_ url: String) throws -> String {
    let result = try run("--dump-dom '\(url)'")
    guard result.status == 0 else { throw TestFailure("chromium --dump-dom \(url): exit \(result.status)") }
    return result.stdout
  }

  /// A PNG of the page at 1280×`height`.
  public static func screenshot(_ url: String, to file: String, height: Int = 900) throws {
    let result = try run("--window-size=1280,\(height) --screenshot='\(file)' '\(url)'")
    guard result.status == 0, FileManager.default.fileExists(atPath: file) else {
      throw TestFailure("chromium --screenshot \(url): exit \(result.status) \(result.stdout)")
    }
  }
}
