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
    var section: String?
    for entry in ConfigRegistry.keys {
      if entry.section != section {
        section = entry.section
        lines.append("")
        if !entry.section.isEmpty { lines += ["[\(entry.section)]", ""] }
      } else {
        lines.append("")
      }
      let doc = plain(entry.doc)
      let sentence = doc.hasSuffix(".") ? doc : doc + "."
      lines += wrap("\(sentence) \(constraint(entry))Env: \(entry.environmentName)", prefix: "# ")
      if entry.key == "school_id" {
        lines.append("school_id = \"change-me\"")
      } else {
        lines.append("# \(entry.name) = \(entry.defaultValue ?? sampleValue(entry))")
      }
    }
    lines += [
      "", "# Projectors polled by `classgate pjlink` (docs/configuration.md, PJLink):",
      "# [[pjlink.projector]]", "# id = \"proj-101\"", "# room = \"101\"", "# host = \"10.10.1.101\"",
    ]
    return lines.joined(separator: "\n") + "\n"
  }

  /// The Markdown table of docs/configuration.md.
  public static func markdownTable() -> String {
    var rows = ["| key | env | default | values | meaning |", "|---|---|---|---|---|"]
    for entry in ConfigRegistry.keys {
      let fallback = entry.defaultNote ?? entry.defaultValue.map { "`\($0)`" } ?? "none"
      let values: String =
        switch entry.kind {
        case .integer(let range): "\(range.lowerBound)–\(range.upperBound)"
        case .choice(let options): options.map { "`\($0)`" }.joined(separator: ", ")
        case .stringList: "list (`:` in the env)"
        case .boolean: "`true`, `false`"
        case .path: "path"
        case .string: "string"
        }
      rows.append("| `\(entry.key)` | `\(entry.environmentName)` | \(fallback) | \(values) | \(entry.doc) |")
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
    case .boolean: "true or false. "
    default:
      entry.key == "school_id" ? "Required. " : entry.defaultNote.map { "Default: \(plain($0)). " } ?? ""
    }
  }

  private static func sampleValue(_ entry: ConfigKey) -> String {
    switch entry.kind {
    case .path: "\"/etc/classgate/…\""
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
