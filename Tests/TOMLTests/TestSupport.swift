import TOML
import Testing

/// The error `text` fails with, or nil (and a recorded issue) if it parses.
func parseError(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> TOMLError? {
  do {
    _ = try TOMLParser.parse(text)
    Issue.record("expected a parse error", sourceLocation: sourceLocation)
    return nil
  } catch {
    return error
  }
}

/// The value at a dotted path of plain keys, for terse assertions.
func value(_ table: TOMLTable, _ path: String...) -> TOMLValue? {
  var current: TOMLValue = .table(table)
  for key in path {
    guard let next = current.tableValue?[key] else { return nil }
    current = next
  }
  return current
}

/// A document that must fail, with the exact position and message the admin will see.
struct ErrorCase: Sendable, CustomTestStringConvertible {
  let toml: String
  let line: Int
  let column: Int
  let message: String

  init(_ toml: String, _ line: Int, _ column: Int, _ message: String) {
    self.toml = toml
    self.line = line
    self.column = column
    self.message = message
  }

  var testDescription: String { toml.debugDescription }
}

func check(_ errorCase: ErrorCase, sourceLocation: SourceLocation = #_sourceLocation) {
  guard let error = parseError(errorCase.toml, sourceLocation: sourceLocation) else { return }
  #expect(
    error == TOMLError(line: errorCase.line, column: errorCase.column, message: errorCase.message),
    sourceLocation: sourceLocation)
}
