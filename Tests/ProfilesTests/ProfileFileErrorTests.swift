import Decode
import DeviceModel
import Profiles
import Testing

/// Bad profile files, written to a temporary directory and loaded as the agent loads them; each
/// error names the file, the line and the key.
@Suite("Profile file errors")
struct ProfileFileErrorTests {
  /// A valid profile; each test breaks one thing.
  static func profile(
    kind: String = "plug", root: String = "", pattern: String = "pattern = \"tele/{device}/SENSOR\"",
    type: String = "type = \"telemetry\"",
    rule: String = "", metrics: String = "ENERGY.Power = \"power\""
  ) -> String {
    """
    name = "site_plugs"
    summary = "The school's own plugs"
    kind = "\(kind)"
    \(root)
    [[topics]]
    \(pattern)
    \(type)
    \(rule)
    [topics.metrics]
    \(metrics)
    """
  }

  @Test("the unbroken profile loads")
  func valid() throws {
    let directory = ProfileDirectory()
    try directory.write("site.toml", Self.profile())
    let set = try ProfileSet.load(directories: [directory.path])
    #expect(set.profiles.map(\.name) == ["site_plugs"])
    #expect(set.filters == ["tele/+/SENSOR"])
  }

  @Test("an unknown key at the top, in a rule, and in a metric mapping")
  func unknownKeys() throws {
    var (file, error) = try profileFileError(Self.profile(root: "vendor = \"Itead\""))
    #expect(
      error
        == "\(file) line 4: key 'vendor': unknown key (expected one of: name, summary, kind, device_names_unique, topics)"
    )
    (file, error) = try profileFileError(Self.profile(rule: "qos = 1"))
    #expect(
      error
        == "\(file) line 8: key 'topics[1].qos': unknown key (expected one of: pattern, type, kind, when, timestamp, metrics, field, online, offline, event_type, fields, payload, ignore_fields, first_channel, metric, map, unit)"
    )
    (file, error) = try profileFileError(
      Self.profile(metrics: "ENERGY.Total = { metric = \"energy\", units = \"kWh\" }"))
    #expect(
      error
        == "\(file) line 10: key 'topics[1].metrics.ENERGY.Total.units': unknown key (expected one of: metric, scale, offset, map, unit, unit_field)"
    )
    // A unit that cannot become the metric's canonical unit is refused when the file loads.
    (file, error) = try profileFileError(
      Self.profile(metrics: "ENERGY.Total = { metric = \"energy\", unit = \"BTU\" }"))
    #expect(
      error?.hasSuffix("unit 'BTU' of ENERGY.Total cannot be converted to energy's unit 'kWh'") == true,
      "\(error ?? "")")
  }

  @Test("a rule without a pattern")
  func missingPattern() throws {
    let (file, error) = try profileFileError(Self.profile(pattern: "topic = \"tele/{device}/SENSOR\""))
    #expect(error == "\(file) line 5: key 'topics[1].pattern': is required")
  }

  @Test(
    "bad patterns",
    arguments: [
      ("a/#/b", "\"a/#/b\" '#' must be the last level"),
      (
        "tele/{serial}/SENSOR",
        "\"tele/{serial}/SENSOR\" unknown capture '{serial}' (use {device}, {room}, {kind}, {metric} or {channel}, or + for any level)"
      ),
      (
        "tele/{device}-x/SENSOR",
        "\"tele/{device}-x/SENSOR\" level '{device}-x' mixes text with a wildcard or capture"
      ),
      ("{device}/{device}/x", "\"{device}/{device}/x\" captures '{device}' twice"),
      ("", "\"\" is empty"),
    ])
  func badPattern(pattern: String, message: String) throws {
    let (file, error) = try profileFileError(Self.profile(pattern: "pattern = \"\(pattern)\""))
    #expect(error == "\(file) line 6: key 'topics[1].pattern': \(message)")
  }

  @Test("a telemetry or availability pattern without {device}; an ignore rule needs none")
  func missingDevice() throws {
    var (file, error) = try profileFileError(Self.profile(pattern: "pattern = \"tele/+/SENSOR\""))
    #expect(error == "\(file) line 6: key 'topics[1].pattern': \"tele/+/SENSOR\" needs a {device} capture")
    (file, error) = try profileFileError(
      """
      name = "site_plugs"
      [[topics]]
      pattern = "tele/{room}/LWT"
      type = "availability"
      """)
    #expect(error == "\(file) line 3: key 'topics[1].pattern': \"tele/{room}/LWT\" needs a {device} capture")
    let directory = ProfileDirectory()
    try directory.write(
      "ok.toml",
      """
      name = "site_ignore"
      [[topics]]
      pattern = "tele/+/INFO1"
      type = "ignore"
      """)
    #expect(
      try ProfileSet.load(directories: [directory.path]).profiles.first?.rules.first?.content == .ignore)
  }

  @Test("a bad type")
  func badType() throws {
    let (file, error) = try profileFileError(Self.profile(type: "type = \"metrics\""))
    #expect(
      error
        == "\(file) line 7: key 'topics[1].type': expected \"telemetry\", \"availability\", \"event\" or \"ignore\", found \"metrics\""
    )
  }

  @Test("a bad kind, for the profile and for a rule")
  func badKind() throws {
    var (file, error) = try profileFileError(Self.profile(kind: "socket"))
    #expect(
      error
        == "\(file) line 3: key 'kind': expected one of board, projector, env_sensor, attendance_reader, plug, other, found \"socket\""
    )
    (file, error) = try profileFileError(Self.profile(rule: "kind = \"beamer\""))
    #expect(
      error
        == "\(file) line 8: key 'topics[1].kind': expected one of board, projector, env_sensor, attendance_reader, plug, other, found \"beamer\""
    )
  }

  @Test("bad metric names: not snake_case, in a plain and a table mapping")
  func badMetricName() throws {
    var (file, error) = try profileFileError(Self.profile(metrics: "ENERGY.Power = \"Power\""))
    #expect(
      error == "\(file) line 10: key 'topics[1].metrics.ENERGY.Power': metric names are lowercase snake_case")
    (file, error) = try profileFileError(Self.profile(metrics: "ENERGY.Total = { metric = \"energy-kwh\" }"))
    #expect(
      error
        == "\(file) line 10: key 'topics[1].metrics.ENERGY.Total.metric': metric names are lowercase snake_case"
    )
    (file, error) = try profileFileError(Self.profile(metrics: "ENERGY.Power = 1"))
    #expect(
      error
        == "\(file) line 10: key 'topics[1].metrics.ENERGY.Power': expected a metric name or { metric = …, scale = …, map = {…} }"
    )
  }

  @Test("a map value that is not a number")
  func mapValueNotANumber() throws {
    let (file, error) = try profileFileError(
      Self.profile(metrics: "POWER = { metric = \"power_on\", map = { ON = \"yes\", OFF = 0 } }"))
    #expect(error == "\(file) line 10: key 'topics[1].metrics.POWER.map.ON': expected a number")
  }

  @Test("a telemetry rule without metrics, and with an empty metrics table")
  func missingMetrics() throws {
    var (file, error) = try profileFileError(
      """
      name = "site_plugs"
      [[topics]]
      pattern = "tele/{device}/SENSOR"
      type = "telemetry"
      """)
    #expect(
      error == "\(file) line 2: key 'topics[1].metrics': a telemetry entry needs a [topics.metrics] table")
    (file, error) = try profileFileError(Self.profile(metrics: ""))
    #expect(error == "\(file) line 9: key 'topics[1].metrics': maps no field")
  }

  @Test("no [[topics]] at all, and no name")
  func missingTopicsAndName() throws {
    var (file, error) = try profileFileError("name = \"site_plugs\"\n")
    #expect(error == "\(file) line 1: key 'topics': a profile needs at least one [[topics]] entry")
    (file, error) = try profileFileError("summary = \"no name\"\n")
    #expect(error == "\(file) line 1: key 'name': is required")
    (file, error) = try profileFileError("name = \"Site Plugs\"\n")
    #expect(error == "\(file) line 1: key 'name': expected lowercase snake_case, found \"Site Plugs\"")
  }

  @Test("a TOML syntax error names its line")
  func syntaxError() throws {
    var (file, error) = try profileFileError(
      Self.profile(metrics: "ENERGY.Power = \"power\"\nENERGY.Total = "))
    #expect(error == "\(file) line 11: missing value for key 'ENERGY.Total'")
    (file, error) = try profileFileError(
      Self.profile(rule: "when = { field = \"method\" equals = \"NotifyStatus\" }"))
    #expect(error == "\(file) line 8: expected ',' or '}' in inline table, found 'e'")
    (file, error) = try profileFileError(
      """
      name = "site_plugs"
      [[topics]
      pattern = "tele/{device}/SENSOR"
      """)
    #expect(error == "\(file) line 2: expected ']]' to close [[topics]], found end of line")
  }

  @Test("a `when` condition needs field and equals")
  func badCondition() throws {
    let (file, error) = try profileFileError(Self.profile(rule: "when = { field = \"method\" }"))
    #expect(error == "\(file) line 8: key 'topics[1].when.equals': is required (or present = true)")
  }
}
