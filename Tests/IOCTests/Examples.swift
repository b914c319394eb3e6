import Foundation
import JSON

/// The contract's examples (schemas/examples/), as the receiver's tests start from them.
enum Examples {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../schemas/examples").standardized.path

  static func object(_ name: String) throws -> JSONObject {
    let text = try String(contentsOfFile: "\(directory)/\(name).json", encoding: .utf8)
    guard let object = try JSONParser.parse(text).objectValue else { throw ExampleError(name) }
    return object
  }

  static let topicOf: [String: String] = [
    "window-summary": "summaries/window", "daily-summary": "summaries/day", "event-device-status": "events",
    "event-threshold-alert": "events", "presence": "presence", "presence-last-will": "presence",
    "lesson-summary": "summaries/lessons",
  ]

  static func topic(_ name: String, school: String = "hcm-q1-th-0042") -> String {
    "ioc/v1/schools/\(school)/\(topicOf[name]!)"
  }

  static func bytes(_ object: JSONObject) -> [UInt8] { JSONWriter.compactBytes(.object(object)) }

  struct ExampleError: Error {
    let name: String
    init(_ name: String) { self.name = name }
  }
}

extension JSONObject {
  /// Sets a value at a dotted path of nested objects (`period.minutes`); nil removes the key.
  mutating func set(_ path: String, _ value: JSONValue?) {
    let keys = path.split(separator: ".").map(String.init)
    guard keys.count > 1 else {
      self[keys[0]] = value
      return
    }
    var inner = self[keys[0]]?.objectValue ?? JSONObject()
    inner.set(keys.dropFirst().joined(separator: "."), value)
    self[keys[0]] = .object(inner)
  }
}
