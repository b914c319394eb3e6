import Foundation
import TestSupport
import Testing

/// The Debian package: built from the repo, installed, checked where the unit expects its files,
/// removed and purged. Installing needs root (as in CI); otherwise only the contents are checked.
@Suite("Debian package", .serialized)
struct PackagingTests {
  static let repository = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

  @Test func packageInstallsWhereTheUnitExpectsAndRemovesCleanly() throws {
    // The debug binary already built for the tests stands in for the release one.
    let build = try runShell("cd '\(Self.repository)' && packaging/build-deb.sh '\(classgateExecutable)'")
    #expect(build.status == 0, "\(build.stdout)")
    let deb =
      "\(Self.repository)/" + build.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(
        separator: "\n"
      ).last!
    let contents = try runShell("dpkg-deb -c '\(deb)'").stdout
    for path in [
      "./usr/bin/classgate", "./lib/systemd/system/classgate.service", "./usr/lib/sysusers.d/classgate.conf",
      "./usr/lib/tmpfiles.d/classgate.conf", "./etc/classgate/classgate.toml",
      "./usr/share/classgate/devices/tasmota.toml",
      "./usr/share/doc/classgate/examples/mosquitto-classgate.acl",
      "./usr/share/doc/classgate/copyright", "./usr/share/doc/classgate/changelog.gz",
      "./usr/share/doc/classgate/docs/operations.md", "./usr/share/doc/classgate/Devices/README.md",
      "./usr/share/man/man1/classgate.1.gz", "./usr/share/bash-completion/completions/classgate",
      "./usr/share/zsh/vendor-completions/_classgate", "./usr/share/fish/vendor_completions.d/classgate.fish",
      "./usr/share/doc/classgate/examples/demo-inventory.toml",
      "./usr/share/doc/classgate/examples/classgate.rules.yml",
    ] {
      #expect(contents.contains(path), "missing \(path)")
    }
    // Inventories are examples: the agent must not load them as profiles.
    #expect(!contents.contains("./usr/share/classgate/devices/demo-"))
    #expect(try runShell("dpkg-deb -f '\(deb)' Package Depends").stdout.contains("libmosquitto1"))

    guard geteuid() == 0 else { return }  // installing is for root (CI); the contents are checked above
    #expect(
      try runShell("dpkg -s classgate").status != 0, "classgate is installed on this machine: not touching it"
    )
    defer { _ = try? runShell("dpkg --purge classgate") }

    let install = try runShell("dpkg -i '\(deb)'")
    #expect(install.status == 0, "\(install.stdout)")
    // postinst says what run --check said, not just "edit the file".
    #expect(install.stdout.contains("What /etc/classgate/classgate.toml still needs:"), "\(install.stdout)")
    #expect(
      install.stdout.contains("key 'local_broker.password_file': cannot read /etc/classgate/broker.pass"))
    #expect(install.stdout.contains("classgate broker add-agent"))
    #expect(install.stdout.contains("/usr/share/doc/classgate/docs/operations.md"))
    #expect(try runShell("id -u classgate").status == 0)
    let unit = try String(contentsOfFile: "/lib/systemd/system/classgate.service", encoding: .utf8)
    #expect(unit.contains("ExecStart=/usr/bin/classgate run --config /etc/classgate/classgate.toml"))
    #expect(FileManager.default.isExecutableFile(atPath: "/usr/bin/classgate"))
    #expect(try runShell("stat -c '%U:%G %a' /etc/classgate/classgate.toml").stdout == "root:classgate 640\n")
    #expect(try runShell("stat -c '%U %a' /var/lib/classgate").stdout == "classgate 750\n")
    // The card pseudonym secret: created at install, readable by the agent's account alone.
    #expect(try runShell("stat -c '%U %a %s' /etc/classgate/card.secret").stdout == "classgate 600 32\n")
    #expect(try runShell("systemd-analyze verify /lib/systemd/system/classgate.service").status == 0)
    // The sample configuration names a password file that does not exist yet: the package must not
    // start the agent with it (postinst checks it this way).
    let check = try runShell(
      "runuser -u classgate -- /usr/bin/classgate run --check --config /etc/classgate/classgate.toml")
    #expect(check.status == 78 && check.stdout.contains("local_broker.password_file"))
    // The documented first-run step for it (docs/operations.md) is what the check needs.
    let password = try runShell(
      "(umask 077 && head -c 24 /dev/urandom | base64 > /etc/classgate/broker.pass) && chown classgate: /etc/classgate/broker.pass"
    )
    #expect(password.status == 0)
    let checked = try runShell(
      "runuser -u classgate -- /usr/bin/classgate run --check --config /etc/classgate/classgate.toml")
    #expect(checked.status == 0, "\(checked.stdout)")
    #expect(FileManager.default.fileExists(atPath: "/usr/share/man/man1/classgate.1.gz"))
    _ = try runShell("rm -f /etc/classgate/broker.pass")  // the admin's file: purge leaves it
    try metricsReachNodeExporter()

    #expect(try runShell("dpkg -r classgate").status == 0)
    #expect(!FileManager.default.fileExists(atPath: "/usr/bin/classgate"))
    #expect(!FileManager.default.fileExists(atPath: "/lib/systemd/system/classgate.service"))
    // A conffile stays until purge.
    #expect(FileManager.default.fileExists(atPath: "/etc/classgate/classgate.toml"))
    #expect(try runShell("dpkg --purge classgate").status == 0)
    #expect(!FileManager.default.fileExists(atPath: "/etc/classgate"))
    #expect(!FileManager.default.fileExists(atPath: "/var/lib/classgate"))
    #expect(!FileManager.default.fileExists(atPath: "/usr/share/classgate"))
  }

  /// The documented metrics set-up on the installed package: dpkg-statoverride on Debian's
  /// textfile directory, the installed agent as `classgate` under the unit's umask, and Debian's
  /// node_exporter as `prometheus` reading what it wrote.
  func metricsReachNodeExporter() throws {
    let textfiles = "/var/lib/prometheus/node-exporter"
    guard FileManager.default.fileExists(atPath: textfiles) else {
      Issue.record("prometheus-node-exporter is not installed (scripts/install-deps.sh installs it)")
      return
    }
    let override = try runShell("dpkg-statoverride --update --add root classgate 0775 \(textfiles)")
    #expect(override.status == 0, "\(override.stdout)")
    defer {
      _ = try? runShell(
        "dpkg-statoverride --remove \(textfiles); chown root:root \(textfiles); chmod 0755 \(textfiles); rm -f \(textfiles)/classgate.prom*"
      )
    }
    let broker = try Broker()
    let directory = TemporaryDirectory(prefix: "classgate-installed")
    defer { directory.remove() }
    chmod(directory.path, 0o755)
    let config = try directory.write(
      "classgate.toml",
      """
      school_id = "installed"
      [local_broker]
      port = \(broker.port)
      [store]
      path = "/var/lib/classgate/metrics-test.db"
      [metrics]
      textfile = "\(textfiles)/classgate.prom"
      """)
    defer { _ = try? runShell("rm -f /var/lib/classgate/metrics-test.db*") }
    let check = try runShell("runuser -u classgate -- /usr/bin/classgate run --check --config \(config)")
    #expect(check.status == 0, "\(check.stdout)")
    let agent = try ChildProcess(
      executable: "/usr/sbin/runuser",
      arguments: [
        "-u", "classgate", "--", "/bin/sh", "-c",
        "umask 0027; exec /usr/bin/classgate run --config \(config)",
      ], environment: [:], outputPath: directory.file("agent.log"))
    defer {
      agent.signal(SIGTERM)
      _ = agent.wait(timeout: 10)
    }
    #expect(waitUntil(timeout: 20) { FileManager.default.fileExists(atPath: "\(textfiles)/classgate.prom") })
    #expect(
      try runShell("stat -c '%U %a' \(textfiles)/classgate.prom").stdout == "classgate 644\n",
      "\((try? String(contentsOfFile: directory.file("agent.log"), encoding: .utf8)) ?? "")")
    let exporter = try NodeExporter(textfileDirectory: textfiles, logPath: directory.file("exporter.log"))
    #expect(exporter.waitUntilListening())
    let scrape = try exporter.scrape()
    #expect(scrape.stdout.contains("node_textfile_scrape_error 0\n"), "\(scrape.stdout.suffix(1500))")
    #expect(scrape.stdout.contains("classgate_build_info{"))
    let doctor = try runShell("/usr/bin/classgate doctor --config \(config) --service-user classgate")
    #expect(doctor.stdout.contains("OK    metrics"), "\(doctor.stdout)")
  }
}
