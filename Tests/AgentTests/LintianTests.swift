import Foundation
import TestSupport
import Testing

/// The package as it is released: built by packaging/build-deb.sh from a release binary (static
/// Swift runtime), and lintian finds nothing to report (errors, warnings, info).
@Suite("lintian", .serialized)
struct LintianTests {
  @Test func releasePackageIsLintianClean() throws {
    let root = PackagingTests.repository
    // Its own build directory: `swift test` holds .build.
    let scratch = "\(root)/.build/lintian-release"
    let build = try runShell(
      "cd '\(root)' && swift build -c release --product classgate --static-swift-stdlib --scratch-path '\(scratch)' 2>&1 | tail -5"
    )
    #expect(build.status == 0, "\(build.stdout)")
    let package = try runShell("cd '\(root)' && packaging/build-deb.sh '\(scratch)/release/classgate'")
    #expect(package.status == 0, "\(package.stdout)")
    let deb = "\(root)/" + (package.stdout.split(separator: "\n").last.map(String.init) ?? "")
    let lintian = try runShell(
      "lintian --info --tag-display-limit 0 --fail-on error,warning,info '\(deb)' 2>&1")
    let findings = lintian.stdout.split(separator: "\n").filter {
      $0.hasPrefix("E:") || $0.hasPrefix("W:") || $0.hasPrefix("I:")
    }
    #expect(lintian.status == 0 && findings.isEmpty, "\(lintian.stdout)")
    #expect(try runShell("dpkg-deb -f '\(deb)' Depends").stdout.contains("libmosquitto1 (>= 2.0)"))
    #expect(try runShell("dpkg-deb -f '\(deb)' Maintainer").stdout.contains("@"))
  }
}
