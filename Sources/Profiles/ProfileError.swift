/// A problem in a profile or inventory file: file, line, key, what is expected.
public struct ProfileError: Error, Sendable, Equatable, CustomStringConvertible {
  public var file: String
  public var line: Int
  public var key: String
  public var message: String

  public init(file: String, line: Int, key: String, message: String) {
    self.file = file
    self.line = line
    self.key = key
    self.message = message
  }

  /// "file line N" (or just the file when the problem is the file itself).
  public var location: String { line > 0 ? "\(file) line \(line)" : file }

  public var description: String {
    key.isEmpty ? "\(location): \(message)" : "\(location): key '\(key)': \(message)"
  }
}
