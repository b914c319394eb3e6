import JSON

/// Every `--json` document starts with `schema_version`, so scripts can tell when a shape
/// changes (docs/cli.md lists the shapes); times in them are the school's local ISO 8601.
enum JSONOutput {
  /// Bumped when a field is renamed or removed (adding one is not a change).
  static let schemaVersion = 1

  static func print(_ value: JSONValue) {
    guard case .object(let object) = value else {
      Swift.print(JSONWriter.pretty(value))
      return
    }
    let versioned = JSONObject(
      [("schema_version", .number(Double(schemaVersion)))] + object.members.map { ($0.key, $0.value) })
    Swift.print(JSONWriter.pretty(.object(versioned)))
  }
}
