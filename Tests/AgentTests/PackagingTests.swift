import Foundation
import TestSupport
import Testing

/// The Debian package: built from the repo, installed, checked where the unit expects its files,
/// removed and purged. Installing needs root (as in CI); otherwise only the contents are checked.
@Suite("Debian package", .serialized)
struct PackagingTests {
  static let repository = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

  @discardableResult
  func shell(_ command: String) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["-c", command]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  @Test func packageInstallsWhereTheUnitExpectsAndRemovesCleanly() throws {
    // The debug binary already built for the tests stands in for the release one.
    let build = try shell("cd '\(Self.repository)' && packaging/build-deb.sh '\(classgateExecutable)'")
    #expect(build.status == 0, "\(build.output)")
    let deb =
      "\(Self.repository)/" + build.output.trimmingCharacters(in: .whitespacesAndNewlines).split(
        separator: "\n"
      ).last!
    let contents = try shell("dpkg-deb -c '\(deb)'").output
    for path in [
      "./usr/bin/classgate", "./lib/systemd/system/classgate.service", "./usr/lib/sysusers.d/classgate.conf",
      "./usr/lib/tmpfiles.d/classgate.conf", "./etc/classgate/classgate.toml",
      "./usr/share/classgate/devices/tasmota.toml",
      "./usr/share/doc/classgate/examples/mosquitto-classgate.acl",
    ] {
      #expect(contents.contains(path), "missing \(path)")
    }
    #expect(try shell("dpkg-deb -f '\(deb)' Package Depends").output.contains("libmosquitto1"))

    guard geteuid() == 0 else { return }  // installing is for root (CI); the contents are checked above
    #expect(
      try shell("dpkg -s classgate").status != 0, "classgate is installed on this machine: not touching it")
    defer { _ = try? shell("dpkg --purge classgate") }

    let install = try shell("dpkg -i '\(deb)'")
    #expect(install.status == 0, "\(install.output)")
    #expect(try shell("id -u classgate").status == 0)
    let unit = try String(contentsOfFile: "/lib/systemd/system/classgate.service", encoding: .utf8)
    #expect(unit.contains("ExecStart=/usr/bin/classgate run --config /etc/classgate/classgate.toml"))
    #expect(FileManager.default.isExecutableFile(atPath: "/usr/bin/classgate"))
    #expect(try shell("stat -c '%U:%G %a' /etc/classgate/classgate.toml").output == "root:classgate 640\n")
    #expect(try shell("stat -c '%U %a' /var/lib/classgate").output == "classgate 750\n")
    #expect(try shell("systemd-analyze verify /lib/systemd/system/classgate.service").status == 0)
    // The sample configuration names a password file that does not exist yet: the package must not
    // start the agent with it (postinst checks it this way).
    let check = try shell(
      "runuser -u classgate -- /usr/bin/classgate run --check --config /etc/classgate/classgate.toml")
    #expect(check.status == 78 && check.output.contains("local_broker.password_file"))

    #expect(try shell("dpkg -r classgate").status == 0)
    #expect(!FileManager.default.fileExists(atPath: "/usr/bin/classgate"))
    #expect(!FileManager.default.fileExists(atPath: "/lib/systemd/system/classgate.service"))
    // A conffile stays until purge.
    #expect(FileManager.default.fileExists(atPath: "/etc/classgate/classgate.toml"))
    #expect(try shell("dpkg --purge classgate").status == 0)
    #expect(!FileManager.default.fileExists(atPath: "/etc/classgate"))
    #expect(!FileManager.default.fileExists(atPath: "/var/lib/classgate"))
    #expect(!FileManager.default.fileExists(atPath: "/usr/share/classgate"))
  }
}
