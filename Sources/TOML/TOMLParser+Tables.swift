extension TOMLParser {
  /// A table while it is still being built; `makeTable()` freezes it into a `TOMLTable`.
  ///
  /// A class because headers and dotted keys reach into tables deep in the tree,
  /// and a reference is far simpler than re-walking value types to write back.
  final class TableNode {
    /// How the table came to exist decides what may still be added to it later (TOML 1.0 "Table").
    enum Kind {
      /// Made as a parent by a header such as `[a.b]` (for `a`); may still get its own `[a]` once.
      case implicit
      /// The root, a `[header]` table or a `[[header]]` element: closed to headers, dotted keys.
      case explicit
      /// Made by a dotted key such as `a.b = 1` (for `a`): open to dotted keys, closed to `[a]`.
      case dotted
    }

    enum Entry {
      /// A plain value. Inline tables are stored here too, already frozen, which is
      /// what makes them impossible to extend.
      case value(TOMLValue)
      case table(TableNode)
      /// An array of tables from `[[header]]`.
      case tableArray([TableNode])
    }

    var kind: Kind
    var line: Int
    /// The table's full dotted name, for messages ("table [a.b] is already defined").
    let path: String
    private(set) var keys: [String] = []
    var entries: [String: Entry] = [:]
    var keyLines: [String: Int] = [:]

    init(kind: Kind, line: Int, path: String) {
      self.kind = kind
      self.line = line
      self.path = path
    }

    /// Adds a key that does not exist yet.
    func add(_ key: String, _ entry: Entry, line: Int) {
      keys.append(key)
      entries[key] = entry
      keyLines[key] = line
    }

    func childPath(_ key: String) -> String {
      let name = TOMLParser.Reader.quotedIfNeeded(key)
      return path.isEmpty ? name : "\(path).\(name)"
    }

    func makeTable() -> TOMLTable {
      var values: [String: TOMLValue] = [:]
      values.reserveCapacity(keys.count)
      for key in keys {
        switch entries[key] {
        case .value(let value): values[key] = value
        case .table(let table): values[key] = .table(table.makeTable())
        case .tableArray(let tables): values[key] = .array(tables.map { .table($0.makeTable()) })
        case nil: break
        }
      }
      return TOMLTable(line: line, keys: keys, values: values, keyLines: keyLines)
    }
  }
}

extension TOMLParser.Reader {
  /// `[a.b.c]`: returns the table that the following key/value lines fill.
  func openTable(_ key: [KeyPart], in root: TableNode, open: Mark) throws(TOMLError)
    -> TableNode
  {
    let header = "[\(display(key))]"
    let parent = try headerParent(key, in: root, header: "table \(header)")
    let last = key[key.count - 1]
    switch parent.entries[last.name] {
    case nil:
      let table = TableNode(kind: .explicit, line: open.line, path: parent.childPath(last.name))
      parent.add(last.name, .table(table), line: open.line)
      return table
    case .table(let table):
      switch table.kind {
      case .implicit:
        // `[a.b.c]` then `[a]` is fine; from now on `a` counts as defined here.
        table.kind = .explicit
        table.line = open.line
        parent.keyLines[last.name] = open.line
        return table
      case .explicit:
        throw error("table \(header) is already defined on line \(table.line)", at: open)
      case .dotted:
        throw error(
          "table \(header) is already defined by dotted keys on line \(table.line)", at: open)
      }
    case .tableArray:
      let line = parent.keyLines[last.name] ?? parent.line
      throw error(
        "cannot define table \(header): "
          + "it is already an array of tables ([[\(display(key))]] on line \(line))",
        at: open)
    case .value(let value):
      let what = conflict(display(key), value, line: parent.keyLines[last.name])
      throw error("cannot define table \(header): \(what)", at: open)
    }
  }

  /// `[[a.b]]`: appends a new table to the array and returns it.
  func openArrayTable(_ key: [KeyPart], in root: TableNode, open: Mark) throws(TOMLError)
    -> TableNode
  {
    let header = "[[\(display(key))]]"
    let parent = try headerParent(key, in: root, header: "array of tables \(header)")
    let last = key[key.count - 1]
    let element = TableNode(kind: .explicit, line: open.line, path: parent.childPath(last.name))
    switch parent.entries[last.name] {
    case nil:
      parent.add(last.name, .tableArray([element]), line: open.line)
    case .tableArray(var tables):
      tables.append(element)
      parent.entries[last.name] = .tableArray(tables)
    case .table(let table):
      throw error(
        "cannot define array of tables \(header): "
          + "'\(display(key))' is already a table (defined on line \(table.line))",
        at: open)
    case .value(.array):
      let line = parent.keyLines[last.name] ?? parent.line
      throw error(
        "cannot append to '\(display(key))' with \(header): "
          + "it is an array written with [ ] on line \(line), which cannot be extended",
        at: open)
    case .value(let value):
      let what = conflict(display(key), value, line: parent.keyLines[last.name])
      throw error("cannot define array of tables \(header): \(what)", at: open)
    }
    return element
  }

  /// Walks (creating as needed) all but the last part of a header's key.
  /// Headers may pass through any table; through an array of tables they enter its last element.
  func headerParent(_ key: [KeyPart], in root: TableNode, header: String) throws(TOMLError)
    -> TableNode
  {
    var table = root
    for index in 0..<(key.count - 1) {
      let part = key[index]
      switch table.entries[part.name] {
      case nil:
        let child = TableNode(
          kind: .implicit, line: part.mark.line, path: table.childPath(part.name))
        table.add(part.name, .table(child), line: part.mark.line)
        table = child
      case .table(let child):
        table = child
      case .tableArray(let tables):
        table = tables[tables.count - 1]
      case .value(let value):
        let what = conflict(display(key[...index]), value, line: table.keyLines[part.name])
        throw error("cannot define \(header): \(what)", at: part.mark)
      }
    }
    return table
  }

  /// Walks (creating as needed) all but the last part of a dotted key, then checks
  /// the last part is new. Dotted keys may not reach into tables that have their own
  /// header, arrays of tables, or inline tables.
  func dottedParent(_ key: [KeyPart], in start: TableNode) throws(TOMLError) -> TableNode {
    let name = display(key)
    var table = start
    for index in 0..<(key.count - 1) {
      let part = key[index]
      switch table.entries[part.name] {
      case nil:
        let child = TableNode(kind: .dotted, line: part.mark.line, path: table.childPath(part.name))
        table.add(part.name, .table(child), line: part.mark.line)
        table = child
      case .table(let child):
        switch child.kind {
        case .dotted:
          table = child
        case .implicit:
          // Only named as a parent by some header so far; the dotted key now defines it.
          child.kind = .dotted
          table = child
        case .explicit:
          throw error(
            "cannot set key '\(name)': table [\(child.path)] is already defined "
              + "on line \(child.line) and cannot be extended with dotted keys",
            at: part.mark)
        }
      case .tableArray:
        throw error(
          "cannot set key '\(name)': '\(display(key[...index]))' is an array of tables "
            + "and cannot be extended with dotted keys",
          at: part.mark)
      case .value(let value):
        let what = conflict(display(key[...index]), value, line: table.keyLines[part.name])
        throw error("cannot set key '\(name)': \(what)", at: part.mark)
      }
    }
    let last = key[key.count - 1]
    if let existing = table.entries[last.name] {
      let line = table.keyLines[last.name] ?? table.line
      if case .table(let child) = existing, child.kind == .explicit {
        throw error(
          "duplicate key '\(name)': table [\(child.path)] is already defined on line \(line)",
          at: key[0].mark)
      }
      throw error("duplicate key '\(name)' (already defined on line \(line))", at: key[0].mark)
    }
    return table
  }

  /// Why a plain value is in the way of a table: "'a' is already an integer (defined on line 3)".
  func conflict(_ name: String, _ value: TOMLValue, line: Int?) -> String {
    let defined = line.map { " (defined on line \($0))" } ?? ""
    if case .table = value {
      return "'\(name)' is an inline table\(defined), and inline tables cannot be extended"
    }
    return "'\(name)' is already \(value.typeNameWithArticle)\(defined)"
  }
}
