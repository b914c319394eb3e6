/// Texts written from `ConfigRegistry`: the commented sample (`classgate config sample`) and the
/// key table of docs/configuration.md (a test keeps the file equal to it).
public enum ConfigDocument {
  /// Every key under its section, commented out at its default, with what it means, its range or
  /// values and its environment variable; `school_id` (required) is set to a placeholder.
  public static func sample() -> String {
    var lines = [
      "# ClassGate agent configuration (/etc/classgate/classgate.toml).",
      "# Every key is listed at its default: remove the '#' to set one. Each can be",
      "# overridden by the environment variable named. `classgate run --check`",
      "# validates the file; `classgate config show` prints what the agent takes.",
    ]
    var table: String?
    for entry in ConfigRegistry.keys {
      // An opt-in section's headers are commented out too: even empty, it turns its feature on.
      let optIn = ConfigRegistry.optInSections.contains(entry.section)
      let isTableArray: Bool
      if case .tableArray = entry.kind { isTableArray = true } else { isTableArray = false }
      if entry.table != table && !isTableArray {
        table = entry.table
        lines.append("")
        if let intro = sectionIntros[entry.table] { lines += wrap(intro, prefix: "# ") }
        if !entry.table.isEmpty { lines += ["\(optIn ? "# " : "")[\(entry.table)]", ""] }
      } else {
        lines.append("")
      }
      let doc = plain(entry.doc)
      let sentence = doc.hasSuffix(".") ? doc : doc + "."
      let environment = entry.hasEnvironment ? "Env: \(entry.environmentName)" : ""
      lines += wrap("\(sentence) \(constraint(entry))\(environment)", prefix: "# ")
      if entry.key == "school_id" {
        lines.append("school_id = \"change-me\"")
      } else if !entry.example.isEmpty {
        lines += entry.example.map { "# \($0)" }
      } else {
        lines.append("# \(entry.name) = \(entry.defaultValue ?? sampleValue(entry))")
      }
      // Keys after an array of tables would land in its last table: a later key names its table.
      if isTableArray { table = nil }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Said above a section's header in the sample.
  static let sectionIntros = [
    "timetable":
      "The school's timetable, for per-lesson usage (classgate stats --lessons): remove the '#' of"
      + " [timetable] to turn it on (an empty one gives the defaults), and of the tables you set."
  ]

  /// The Markdown table of docs/configuration.md.
  public static func markdownTable() -> String {
    var rows = ["| key | env | default | values | meaning |", "|---|---|---|---|---|"]
    for entry in ConfigRegistry.keys {
      let fallback = entry.defaultNote ?? entry.defaultValue.map { "`\($0)`" } ?? "none"
      let values: String =
        switch entry.kind {
        case .integer(let range): "\(range.lowerBound)–\(range.upperBound)"
        case .choice(let options): options.map { "`\($0)`" }.joined(separator: ", ")
        case .stringList: entry.hasEnvironment ? "list (`:` in the env)" : "list of strings"
        case .integerList(let range): "list of \(range.lowerBound)–\(range.upperBound)"
        case .tableArray(let keys): "tables: " + keys.map { "`\($0)`" }.joined(separator: ", ")
        case .boolean: "`true`, `false`"
        case .path: "path"
        case .string: "string"
        }
      let environment = entry.hasEnvironment ? "`\(entry.environmentName)`" : "—"
      rows.append("| `\(entry.key)` | \(environment) | \(fallback) | \(values) | \(entry.doc) |")
    }
    rows.append(
      "| — | `\(ConfigRegistry.passwordVariable)` | none | string | the broker password itself (containers); never put it in the TOML file |"
    )
    return rows.joined(separator: "\n") + "\n"
  }

  private static func constraint(_ entry: ConfigKey) -> String {
    switch entry.kind {
    case .integer(let range): "From \(range.lowerBound) to \(range.upperBound). "
    case .choice(let options): "One of " + options.joined(separator: ", ") + ". "
    case .integerList(let range): "Each from \(range.lowerBound) to \(range.upperBound). "
    case .tableArray(let keys): "Keys: " + keys.joined(separator: ", ") + ". "
    case .boolean: "true or false. "
    default:
      entry.key == "school_id" ? "Required. " : entry.defaultNote.map { "Default: \(plain($0)). " } ?? ""
    }
  }

  private static func sampleValue(_ entry: ConfigKey) -> String {
    switch entry.kind {
    case .path: "\"/etc/classgate/…\""
    case .stringList, .integerList: "[]"
    default: entry.defaultNote.map { "\"\(plain($0))\"" } ?? "\"\""
    }
  }

  /// Markdown's backticks and links read as noise in a TOML comment.
  private static func plain(_ text: String) -> String {
    String(text.filter { $0 != "`" })
  }

  private static func wrap(_ text: String, prefix: String, width: Int = 79) -> [String] {
    var lines: [String] = []
    var line = prefix
    for word in text.split(separator: " ") {
      if line.count + word.count + 1 > width && line != prefix {
        lines.append(line)
        line = prefix
      }
      line += (line == prefix ? "" : " ") + word
    }
    if line != prefix { lines.append(line) }
    return lines
  }
}
