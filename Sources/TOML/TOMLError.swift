/// A parse error, phrased for the person editing the file.
///
/// `line` and `column` are 1-based; the column counts Unicode scalars, so a
/// line with "é" or Vietnamese text still points at the right character.
public struct TOMLError: Error, Equatable, Sendable, CustomStringConvertible {
  public let line: Int
  public let column: Int
  public let message: String

  public init(line: Int, column: Int, message: String) {
    self.line = line
    self.column = column
    self.message = message
  }

  /// "line 3, column 7: expected '=' after key 'port'"
  public var description: String {
    "line \(line), column \(column): \(message)"
  }
}
