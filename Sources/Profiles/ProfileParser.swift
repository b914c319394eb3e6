import Decode
import DeviceModel
import TOML

/// Profile file (TOML) → Profile, with every error naming the file, line and key.
public enum ProfileParser {
  static let rootKeys = ["name", "summary", "kind", "device_names_unique", "topics"]
  static let ruleKeys = [
    "pattern", "type", "kind", "when", "timestamp", "metrics", "field", "online", "offline",
    "event_type", "fields", "payload", "ignore_fields", "first_channel", "metric", "map", "unit",
  ]

  public static func parse(_ text: String, file: String) throws(ProfileError) -> Profile {
    var reader = try TableReader(document: text, file: file)
    let name = try reader.requiredString("name")
    guard Identifier.isValidName(name[...]) else {
      throw reader.error("name", "expected lowercase snake_case, found \"\(name.prefix(40))\"")
    }
    let summary = try reader.string("summary") ?? ""
    let kind = try kind(&reader, "kind") ?? .other
    let unique: Bool
    switch reader.value("device_names_unique") {
    case nil: unique = false
    case .boolean(let flag)?: unique = flag
    case let other?:
      throw reader.error("device_names_unique", "expected true or false, found \(other.typeName)")
    }
    let topicTables = try reader.tables("topics")
    guard !topicTables.isEmpty else {
      throw ProfileError(
        file: file, line: 1, key: "topics", message: "a profile needs at least one [[topics]] entry")
    }
    var rules: [Profile.Rule] = []
    for (index, table) in topicTables.enumerated() {
      rules += try rule(table, file: file, path: "topics[\(index + 1)]").map { rule in
        var rule = rule
        rule.entry = index + 1
        return rule
      }
    }
    try reader.rejectUnknownKeys(allowed: rootKeys)
    return Profile(
      name: name, summary: summary, file: file, kind: kind, rules: rules, deviceNamesUnique: unique)
  }

  /// One `[[topics]]` entry; `pattern` may list several topic layouts with the same content
  /// (Tasmota's two FullTopic layouts), giving one rule each.
  private static func rule(_ table: TOMLTable, file: String, path: String) throws(ProfileError)
    -> [Profile.Rule]
  {
    var reader = TableReader(file: file, table: table, path: path)
    guard let patternTexts = try reader.strings("pattern"), !patternTexts.isEmpty else {
      throw ProfileError(
        file: file, line: table.line, key: reader.qualified("pattern"), message: "is required")
    }
    var patterns: [TopicPattern] = []
    for patternText in patternTexts {
      do throws(PatternError) {
        patterns.append(try TopicPattern(patternText))
      } catch {
        throw reader.error("pattern", "\"\(patternText)\" \(error.message)")
      }
    }
    let type = try reader.requiredString("type")
    let kind = try kind(&reader, "kind")
    let condition = try self.condition(&reader)
    let timestamp = try reader.string("timestamp").map(FieldPath.init(dotted:))
    let content: Profile.Content
    switch type {
    case "telemetry":
      content = .telemetry(try telemetry(&reader, timestamp: timestamp))
    case "availability":
      let online = try reader.strings("online") ?? ["online"]
      let offline = try reader.strings("offline") ?? ["offline"]
      content = .availability(
        Profile.Availability(
          field: try reader.string("field").map(FieldPath.init(dotted:)), online: online, offline: offline))
    case "event":
      let eventType = try reader.requiredString("event_type")
      guard Identifier.isValidName(eventType[...]) else {
        throw reader.error("event_type", "expected lowercase snake_case")
      }
      var fields: [(path: FieldPath, name: String)] = []
      if let table = try reader.subtable("fields") {
        for key in table.keys {
          guard case .string(let name)? = table[key], Identifier.isValidName(name[...]) else {
            throw ProfileError(
              file: file, line: table.line(of: key) ?? table.line, key: "\(path).fields.\(key)",
              message: "expected the data field's name in lowercase snake_case")
          }
          fields.append((FieldPath(dotted: key), name))
        }
      }
      content = .event(Profile.Event(type: eventType, timestamp: timestamp, fields: fields))
    case "ignore":
      content = .ignore
    default:
      throw reader.error(
        "type",
        "expected \"telemetry\", \"availability\", \"event\" or \"ignore\", found \"\(type.prefix(40))\"")
    }
    for pattern in patterns {
      if case .ignore = content {
      } else if !pattern.captures.contains(.device) {
        throw reader.error("pattern", "\"\(pattern)\" needs a {device} capture")
      }
      if case .telemetry(let telemetry) = content, telemetry.payload == .text {
      } else if pattern.captures.contains(.metric) {
        throw reader.error(
          "pattern", "\"\(pattern)\" captures {metric}, which only a payload = \"text\" telemetry rule uses")
      }
    }
    try reader.rejectUnknownKeys(allowed: ruleKeys)
    return patterns.map { Profile.Rule(pattern: $0, kind: kind, condition: condition, content: content) }
  }

  private static func telemetry(_ reader: inout TableReader, timestamp: FieldPath?) throws(ProfileError)
    -> Profile.Telemetry
  {
    let payloadText = try reader.string("payload") ?? "json"
    guard let payload = Profile.Telemetry.Payload(rawValue: payloadText) else {
      throw reader.error("payload", "expected \"json\" or \"text\", found \"\(payloadText.prefix(40))\"")
    }
    let ignored = (try reader.strings("ignore_fields") ?? []).map(FieldPath.init(dotted:))
    let firstChannel = try reader.integer("first_channel")
    if let firstChannel, !(0...1).contains(firstChannel) {
      throw reader.error("first_channel", "expected 0 or 1")
    }
    var fields: [Profile.FieldMapping]
    if payload == .text, let metric = try reader.string("metric") {
      // One fixed metric for the whole payload (Tasmota's stat/<topic>/POWER → power_on).
      guard Identifier.isValidName(metric[...]) else {
        throw reader.error("metric", "metric names are lowercase snake_case")
      }
      var map: [String: Double] = [:]
      if let table = try reader.subtable("map") {
        map = try values(table, file: reader.file, key: reader.qualified("map"))
      }
      let unit = try reader.string("unit")
      fields = [Profile.FieldMapping(path: FieldPath([""]), metric: metric, map: map, unit: unit)]
      if reader.table["metrics"] != nil {
        throw reader.error("metrics", "a text rule takes either metric = … or a [topics.metrics] table")
      }
    } else {
      fields = try metrics(&reader)
      if payload == .text {
        // Text rules are keyed by the topic's {metric} level: one key each, kept whole.
        fields = fields.map { field in
          var field = field
          field.path = FieldPath([field.path.description])
          return field
        }
      }
    }
    for field in fields {
      if let unit = field.unit, !Units.isKnown(unit, metric: field.metric) {
        throw ProfileError(
          file: reader.file, line: reader.table.line, key: reader.qualified("metrics"),
          message:
            "unit '\(unit)' of \(field.path) cannot be converted to \(field.metric)'s unit '\(Metrics.unit(of: field.metric))'"
        )
      }
    }
    return Profile.Telemetry(
      timestamp: timestamp, fields: fields, payload: payload, ignored: ignored, firstChannel: firstChannel)
  }

  private static func values(_ mapTable: TOMLTable, file: String, key: String) throws(ProfileError)
    -> [String: Double]
  {
    var map: [String: Double] = [:]
    for text in mapTable.keys {
      switch mapTable[text] {
      case .integer(let number)?: map[text] = Double(number)
      case .float(let number)?: map[text] = number
      case .boolean(let flag)?: map[text] = flag ? 1 : 0
      default:
        throw ProfileError(
          file: file, line: mapTable.line(of: text) ?? mapTable.line, key: "\(key).\(text)",
          message: "expected a number")
      }
    }
    return map
  }

  private static func metrics(_ reader: inout TableReader) throws(ProfileError) -> [Profile.FieldMapping] {
    guard let table = try reader.subtable("metrics") else {
      throw reader.error("metrics", "a telemetry entry needs a [topics.metrics] table")
    }
    let mappings = try metrics(in: table, file: reader.file, base: reader.qualified("metrics"), prefix: [])
    guard !mappings.isEmpty else { throw reader.error("metrics", "maps no field") }
    return mappings
  }

  private static func metrics(in table: TOMLTable, file: String, base: String, prefix: [String])
    throws(ProfileError) -> [Profile.FieldMapping]
  {
    var mappings: [Profile.FieldMapping] = []
    for key in table.keys {
      let line = table.line(of: key) ?? table.line
      func failure(_ message: String) -> ProfileError {
        ProfileError(file: file, line: line, key: "\(base).\(key)", message: message)
      }
      // At the top a quoted dotted key is a path (`"ENERGY.Power"`, as documented); under a
      // dotted key a quoted key is one key, dots and all (`PMS5003."PM2.5"`).
      let path = FieldPath(prefix.isEmpty ? FieldPath(dotted: key).keys : prefix + [key])
      switch table[key] {
      case .string(let metric)?:
        guard Identifier.isValidName(metric[...]) else {
          throw failure("metric names are lowercase snake_case")
        }
        mappings.append(Profile.FieldMapping(path: path, metric: metric))
      case .table(let spec)? where spec["metric"] == nil:
        // An unquoted dotted key (ENERGY.Power = "power") is a nested table in TOML: a nested path.
        mappings += try metrics(in: spec, file: file, base: "\(base).\(key)", prefix: path.keys)
      case .table(let spec)?:
        mappings.append(try mapping(spec, file: file, key: "\(base).\(key)", path: path))
      default:
        throw failure("expected a metric name or { metric = …, scale = …, map = {…} }")
      }
    }
    return mappings
  }

  private static func mapping(_ spec: TOMLTable, file: String, key: String, path: FieldPath)
    throws(ProfileError) -> Profile.FieldMapping
  {
    var inner = TableReader(file: file, table: spec, path: key)
    let metric = try inner.requiredString("metric")
    guard Identifier.isValidName(metric[...]) else {
      throw inner.error("metric", "metric names are lowercase snake_case")
    }
    let scale = try inner.number("scale") ?? 1
    let offset = try inner.number("offset") ?? 0
    var map: [String: Double] = [:]
    if let mapTable = try inner.subtable("map") { map = try values(mapTable, file: file, key: "\(key).map") }
    let unit = try inner.string("unit")
    let unitField = try inner.string("unit_field").map(FieldPath.init(dotted:))
    try inner.rejectUnknownKeys(allowed: ["metric", "scale", "offset", "map", "unit", "unit_field"])
    return Profile.FieldMapping(
      path: path, metric: metric, scale: scale, offset: offset, map: map, unit: unit, unitField: unitField)
  }

  private static func condition(_ reader: inout TableReader) throws(ProfileError) -> Profile.Condition? {
    guard let table = try reader.subtable("when") else { return nil }
    var inner = TableReader(file: reader.file, table: table, path: reader.qualified("when"))
    let field = try inner.requiredString("field")
    let equals = try inner.string("equals")
    let present = inner.value("present")
    try inner.rejectUnknownKeys(allowed: ["field", "equals", "present"])
    switch (equals, present) {
    case (let equals?, nil): return Profile.Condition(path: FieldPath(dotted: field), equals: equals)
    case (nil, .boolean(true)?): return Profile.Condition(path: FieldPath(dotted: field), equals: nil)
    case (nil, _?): throw inner.error("present", "expected present = true")
    case (nil, nil): throw inner.error("equals", "is required (or present = true)")
    case (_?, _?): throw inner.error("present", "takes either equals = … or present = true")
    }
  }

  static func kind(_ reader: inout TableReader, _ key: String) throws(ProfileError) -> DeviceKind? {
    guard let text = try reader.string(key) else { return nil }
    guard let kind = DeviceKind(rawValue: text) else {
      throw reader.error(
        key,
        "expected one of \(DeviceKind.allCases.map(\.rawValue).joined(separator: ", ")), found \"\(text.prefix(40))\""
      )
    }
    return kind
  }
}
