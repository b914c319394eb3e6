/// The rows of one query result, copied out of libpq: every value in text format, nil for NULL.
public struct Rows: Sendable, Sequence {
  public let columns: [String]
  public let values: [[String?]]
  /// Rows the command changed (INSERT, UPDATE, DELETE), from PQcmdTuples.
  public let affected: Int

  public var count: Int { values.count }
  public var isEmpty: Bool { values.isEmpty }

  public func makeIterator() -> IndexingIterator<[Row]> {
    values.map { Row(columns: columns, values: $0) }.makeIterator()
  }

  public subscript(index: Int) -> Row { Row(columns: columns, values: values[index]) }
  public var first: Row? { values.isEmpty ? nil : self[0] }
}

/// One row, read by column name or position.
public struct Row: Sendable {
  public let columns: [String]
  public let values: [String?]

  public subscript(name: String) -> String? {
    guard let index = columns.firstIndex(of: name) else {
      preconditionFailure("no column \(name) in \(columns)")
    }
    return values[index]
  }

  public subscript(index: Int) -> String? { values[index] }

  public func int(_ name: String) -> Int64? { self[name].flatMap { Int64($0) } }
  public func double(_ name: String) -> Double? { self[name].flatMap { Double($0) } }
  /// PostgreSQL's text form of a boolean is `t` or `f`.
  public func bool(_ name: String) -> Bool? { self[name].map { $0 == "t" } }
}
