import Foundation
import TestSupport
import Testing

/// What the running agent maps: no full Foundation, no FoundationInternationalization, no ICU
/// (~7 MiB of RSS in a daemon that needs none of it). FoundationEssentials is allowed: swift-
/// argument-parser uses it and it loads no ICU.
@Suite("Process footprint", .serialized)
struct ProcessFootprintTests {
  static let forbidden = ["libFoundation.so", "libFoundationInternationalization.so", "lib_FoundationICU.so"]

  /// /proc files report size 0: read them to the end, not by their size.
  static func read(_ path: String) throws -> String {
    let handle = try #require(FileHandle(forReadingAtPath: path), "cannot open \(path)")
    defer { try? handle.close() }
    return String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
  }

  @Test func theRunningAgentMapsNoFoundationOrICU() throws {
    let secretDirectory = TemporaryDirectory(prefix: "classgate-secret")
    defer { secretDirectory.remove() }
    let secretFile = try secretDirectory.write(
      "card.secret", "0123456789abcdef0123456789abcdef", mode: 0o600)
    let harness = try AgentHarness(config: "\n[privacy]\nsecret_file = \"\(secretFile)\"\n")
    try harness.startAgent()
    // A card scan (HMAC through libcrypto) and a reading, so the hot paths have run.
    try harness.publisher().publish([
      ("classgate/101/attendance_reader/r-1/event", "{\"type\":\"card_scan\",\"card\":\"04A1B2C3D4\"}"),
      ("classgate/101/env_sensor/e-1/telemetry", "{\"co2\":812}"),
    ])
    #expect(waitUntil(timeout: 10) { ((try? harness.reader().counters()["messages_received"]) ?? 0) == 2 })
    #expect(
      try harness.reader().events(device: "r-1").map(\.data)
        == ["{\"card\":\"hmac:74a62c9640d391355e5cff12794d965f\"}"])

    let pid = harness.agent.pid
    let maps = try Self.read("/proc/\(pid)/maps")
    let libraries = Set(
      maps.split(separator: "\n").compactMap { line in
        line.split(separator: " ", omittingEmptySubsequences: true).last.map(String.init)
      }.filter { $0.hasPrefix("/") }.map { URL(fileURLWithPath: $0).lastPathComponent })
    // The check can fail: the agent does map the libraries it does need.
    #expect(libraries.contains { $0.hasPrefix("libmosquitto.so") }, "\(libraries.sorted())")
    #expect(libraries.contains { $0.hasPrefix("libcrypto.so") }, "\(libraries.sorted())")
    for name in Self.forbidden {
      #expect(!libraries.contains(name), "the agent maps \(name): \(libraries.sorted())")
    }
    let status = try Self.read("/proc/\(pid)/status")
    let rss = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? "VmRSS: ?"
    print(
      "agent \(rss.split(separator: " ", omittingEmptySubsequences: true).dropFirst().joined(separator: " ")) with \(libraries.count) files mapped"
    )
    #expect(harness.agent.stop(signal: SIGTERM) == 0)
  }
}
