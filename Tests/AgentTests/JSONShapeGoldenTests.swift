import Foundation
import TestSupport
import Testing

/// The shape of every `--json` document (each key path and its type), pinned: scripts read these.
/// After a deliberate change: CLASSGATE_UPDATE_GOLDEN=1 swift test --filter JSONShapeGoldenTests.
@Suite("CLI --json shapes", .serialized)
struct JSONShapeGoldenTests {
  static let directory = SecurityChecksTests.packageRoot + "/Tests/AgentTests/Golden/json"

  /// `path: type` lines; array elements merge under `[]`, a null is dropped where a value of
  /// another type shares its path (a field that is sometimes null).
  static func shape(of value: Any, at path: String = "$", into shapes: inout [String: Set<String>]) {
    switch value {
    case let object as [String: Any]:
      shapes[path, default: []].insert("object")
      for (key, inner) in object { shape(of: inner, at: "\(path).\(key)", into: &shapes) }
    case let array as [Any]:
      shapes[path, default: []].insert("array")
      for inner in array { shape(of: inner, at: "\(path)[]", into: &shapes) }
    case is NSNull: shapes[path, default: []].insert("null")
    case let number as NSNumber:
      // A JSON true/false comes back as an NSNumber made from a Bool ("c").
      shapes[path, default: []].insert(String(cString: number.objCType) == "c" ? "bool" : "number")
    case is String: shapes[path, default: []].insert("string")
    default: shapes[path, default: []].insert("?")
    }
  }

  static func shapeText(_ json: String) throws -> String {
    var shapes: [String: Set<String>] = [:]
    shape(of: try JSONSerialization.jsonObject(with: Data(json.utf8)), into: &shapes)
    return shapes.sorted { $0.key < $1.key }.map { path, types in
      let shown = types.count > 1 ? types.subtracting(["null"]) : types
      return "\(path): \(shown.sorted().joined(separator: "|"))"
    }.joined(separator: "\n") + "\n"
  }

  /// The same paths, with the same types where neither run saw only null there (an optional
  /// field, e.g. a heartbeat not written yet, may be null in one run and set in another).
  static func matches(_ shape: String, _ golden: String) -> Bool {
    func parse(_ text: String) -> [String: String] {
      Dictionary(
        text.split(separator: "\n").compactMap { line in
          line.range(of: ": ").map { (String(line[..<$0.lowerBound]), String(line[$0.upperBound...])) }
        }, uniquingKeysWith: { first, _ in first })
    }
    let (now, pinned) = (parse(shape), parse(golden))
    guard !pinned.isEmpty, Set(now.keys) == Set(pinned.keys) else { return false }
    return now.allSatisfy { path, type in type == pinned[path] || type == "null" || pinned[path] == "null" }
  }

  @Test func everyJSONDocumentHasItsGoldenShape() throws {
    let harness = try AgentHarness()
    try harness.startAgent()
    try harness.publisher().publish([
      ("classgate/101/env_sensor/env-101/telemetry", #"{"co2":700,"temperature":27.5}"#),
      ("classgate/101/env_sensor/env-101/telemetry", "{bad"),
    ])
    #expect(waitUntil(timeout: 10) { ((try? harness.reader().readingCount()) ?? 0) == 2 })
    let store = ["--store", harness.storePath, "--config", harness.configPath]
    let commands: [(String, [String])] = [
      ("devices", ["devices"] + store), ("device", ["device", "env-101"] + store),
      ("dead-letters", ["dead-letters"] + store), ("uplink", ["uplink"] + store),
      ("stats", ["stats"] + store),
      ("config-show", ["config", "show", "--config", harness.configPath]),
      ("profiles-list", ["profiles", "list", "--profiles", SecurityChecksTests.packageRoot + "/Devices"]),
      (
        "profiles-test",
        [
          "profiles", "test", "--profiles", SecurityChecksTests.packageRoot + "/Devices",
          "tele/plug-1/SENSOR",
        ]
      ),
    ]
    for (name, command) in commands {
      var arguments = command
      if name == "profiles-test" {
        arguments += ["--json", #"{"ENERGY":{"Power":45}}"#]
      } else {
        arguments += ["--json"]
      }
      let result = try runClassgate(arguments)
      let shape = try Self.shapeText(result.stdout)
      let file = "\(Self.directory)/\(name).txt"
      if ProcessInfo.processInfo.environment["CLASSGATE_UPDATE_GOLDEN"] == "1" {
        try shape.write(toFile: file, atomically: true, encoding: .utf8)
      }
      let golden = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
      #expect(Self.matches(shape, golden), "\(name): \(shape)")
      #expect(shape.contains("$.schema_version: number\n"), "\(name)")
    }
  }
}
