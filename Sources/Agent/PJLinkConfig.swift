import DeviceModel
import EventLoop
import PJLink
import TOML

#if canImport(Glibc)
  import Glibc
#endif

/// `[pjlink]` and its `[[pjlink.projector]]` tables (docs/configuration.md, "Projectors over
/// PJLink"). Each problem names the file, the line of the projector's table and the key.
extension AgentConfig {
  static let pjlinkProjectorKeys = ["id", "room", "host", "port", "password_file", "interval_s"]

  static func readPJLink(_ reader: inout ConfigReader) -> PJLinkSettings {
    var settings = PJLinkSettings()
    settings.connectTimeoutMs = reader.integer("pjlink.connect_timeout_ms")
    settings.responseTimeoutMs = reader.integer("pjlink.response_timeout_ms")
    settings.maxBackoffMs =
      Int64(reader.integer("pjlink.max_backoff_s")) * 1000
    settings.brokerUsername = reader.string("pjlink.broker_username", default: nil)
    if let file = reader.string("pjlink.broker_password_file", default: nil) {
      switch readSecretFile(file, maxBytes: 4096) {
      case .success(let secret): settings.brokerPassword = secret
      case .failure(let failure): reader.report("pjlink.broker_password_file", failure.message)
      }
    }
    guard case .table(let section)? = reader.root["pjlink"], let value = section["projector"] else {
      return settings
    }
    let sectionLine = section.line(of: "projector") ?? section.line
    guard case .array(let items) = value else {
      reader.report(
        "pjlink.projector", line: sectionLine,
        "expected [[pjlink.projector]] tables, found \(value.typeNameWithArticle)")
      return settings
    }
    var seen: Set<String> = []
    for (index, item) in items.enumerated() {
      let key = "pjlink.projector[\(index)]"
      guard case .table(let table) = item else {
        reader.report(key, line: sectionLine, "expected a table, found \(item.typeNameWithArticle)")
        continue
      }
      guard let projector = readProjector(table, key: key, reader: &reader) else { continue }
      if !seen.insert(projector.id).inserted {
        reader.report(
          "\(key).id", line: table.line(of: "id") ?? table.line,
          "projector \"\(projector.id)\" is listed twice")
        continue
      }
      settings.projectors.append(projector)
    }
    return settings
  }

  private static func readProjector(_ table: TOMLTable, key: String, reader: inout ConfigReader)
    -> PJLinkProjector?
  {
    var valid = true
    func problem(_ name: String, _ message: String) {
      reader.report("\(key).\(name)", line: table.line(of: name) ?? table.line, message)
      valid = false
    }
    for name in table.keys where !pjlinkProjectorKeys.contains(name) {
      problem(
        name, "unknown key (known in [[pjlink.projector]]: \(pjlinkProjectorKeys.joined(separator: ", ")))")
    }
    func text(_ name: String, required: Bool) -> String? {
      guard let value = table[name] else {
        if required { problem(name, "is required") }
        return nil
      }
      guard case .string(let string) = value else {
        problem(name, "expected a string, found \(value.typeNameWithArticle)")
        return nil
      }
      return string
    }
    func number(_ name: String, default fallback: Int, range: ClosedRange<Int>) -> Int {
      guard let value = table[name] else { return fallback }
      guard case .integer(let raw) = value, let number = Int(exactly: raw), range.contains(number) else {
        problem(
          name,
          "expected an integer from \(range.lowerBound) to \(range.upperBound), found \(value.integerValue.map(String.init) ?? value.typeNameWithArticle)"
        )
        return fallback
      }
      return number
    }
    let id = text("id", required: true)
    if let id, !Identifier.isValid(id) {
      problem(
        "id", "expected 1-64 letters, digits, '-', '_', '.' or ':' (a device id), found \"\(id.prefix(40))\"")
    }
    let room = text("room", required: false) ?? "_"
    if room != "_" && !Identifier.isValid(room) {
      problem(
        "room",
        "expected a room id (letters, digits, '-', '_', '.', ':') or \"_\", found \"\(room.prefix(40))\"")
    }
    let host = text("host", required: true)
    if let host, host.isEmpty || host.utf8.count > 253 || host.contains(" ") {
      problem("host", "expected an IP address or host name")
    }
    let port = number("port", default: 4352, range: 1...65535)
    let interval = number("interval_s", default: 30, range: 5...86_400)
    var password: String?
    let passwordFile = text("password_file", required: false)
    if let passwordFile {
      switch readProjectorPassword(passwordFile) {
      case .success(let secret): password = secret
      case .failure(let failure): problem("password_file", failure.message)
      }
    }
    guard valid, let id, let host else { return nil }
    return PJLinkProjector(
      id: id, room: room, host: host, port: port, password: password, passwordFile: passwordFile,
      intervalMs: Int64(interval) * 1000)
  }

  /// The PJLink password: the file's first line, 1-32 printable ASCII characters (PJLink v1.04
  /// §5.1 allows up to 32 bytes). Like the broker's password file, it must not be readable by
  /// other users. The messages never include its contents.
  static func readProjectorPassword(_ file: String) -> Result<String, PasswordFileError> {
    readSecretFile(file, maxBytes: 4096).flatMap { secret in
      guard secret.utf8.count <= 32, secret.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else {
        return .failure(
          PasswordFileError(
            message: "\(file) must hold one line of 1-32 printable ASCII characters (the PJLink password)"))
      }
      return .success(secret)
    }
  }

  /// A password file's first line, refused when group or other users can access the file.
  static func readSecretFile(_ file: String, maxBytes: Int) -> Result<String, PasswordFileError> {
    var info = stat()
    guard stat(file, &info) == 0 else {
      return .failure(PasswordFileError(message: "cannot read \(file): \(String(cString: strerror(errno)))"))
    }
    guard info.st_mode & 0o077 == 0 else {
      return .failure(
        PasswordFileError(message: "\(file) is accessible by other users; run: chmod 600 \(file)"))
    }
    return readTextFile(file, maxBytes: maxBytes).mapError { PasswordFileError(message: $0.message) }.flatMap
    { text in
      let secret = text.trimmingTrailingNewlines()
      guard !secret.isEmpty else { return .failure(PasswordFileError(message: "\(file) is empty")) }
      return .success(secret)
    }
  }
}

/// Why a projector's password file was refused, naming the file (never its contents).
struct PasswordFileError: Error, Sendable {
  let message: String
}
