import TOML
import Testing

@Suite struct StringTests {
  @Test func basicStringEscapes() throws {
    let table = try TOMLParser.parse(
      #"s = "tab\there \"quoted\" back\\slash \u00e9 \U0001F600 \b\f\r\n end""#)
    #expect(table["s"] == .string("tab\there \"quoted\" back\\slash é 😀 \u{8}\u{C}\r\n end"))
  }

  @Test func literalStringsKeepBackslashes() throws {
    let table = try TOMLParser.parse(
      #"""
      winpath = 'C:\Users\nodejs\templates'
      regex = '<\i\c*\s*>'
      quoted = 'Tom "Dubs" Preston-Werner'
      """#)
    #expect(table["winpath"] == .string(#"C:\Users\nodejs\templates"#))
    #expect(table["regex"] == .string(#"<\i\c*\s*>"#))
    #expect(table["quoted"] == .string(#"Tom "Dubs" Preston-Werner"#))
  }

  @Test func emptyStrings() throws {
    let table = try TOMLParser.parse("a = \"\"\nb = ''\nc = \"\"\"\"\"\"\nd = ''''''")
    for key in ["a", "b", "c", "d"] {
      #expect(table[key] == .string(""))
    }
  }

  @Test func multilineBasicTrimsFirstNewline() throws {
    let table = try TOMLParser.parse(
      "s = \"\"\"\nRoses are red\n  Violets are blue\"\"\"\nafter = 1")
    #expect(table["s"] == .string("Roses are red\n  Violets are blue"))
    #expect(table.line(of: "after") == 4)
  }

  @Test func lineEndingBackslash() throws {
    let table = try TOMLParser.parse(
      "s = \"\"\"\\\n    The quick brown \\\n\n    fox jumps \\   \n    over.\"\"\"\nafter = 1")
    #expect(table["s"] == .string("The quick brown fox jumps over."))
    #expect(table.line(of: "after") == 6)
  }

  @Test func quotesNextToTheClosingDelimiter() throws {
    let table = try TOMLParser.parse(
      #"""
      two = """Here are two quotation marks: "". Simple enough."""
      three = """Here are three quotation marks: ""\"."""
      edge = """"This," she said, "is just a pointless statement.""""
      five = """a"""""
      lit = ''''That,' she said, 'is still pointless.''''
      fifteen = '''Here are fifteen quotation marks: """""""""""""""'''
      """#)
    #expect(table["two"] == .string(#"Here are two quotation marks: "". Simple enough."#))
    #expect(table["three"] == .string(#"Here are three quotation marks: """."#))
    #expect(table["edge"] == .string(#""This," she said, "is just a pointless statement.""#))
    #expect(table["five"] == .string(#"a"""#))
    #expect(table["lit"] == .string("'That,' she said, 'is still pointless.'"))
    #expect(
      table["fifteen"]
        == .string("Here are fifteen quotation marks: " + String(repeating: "\"", count: 15)))
  }

  @Test func multilineLiteral() throws {
    let table = try TOMLParser.parse(
      "s = '''\nThe first newline is\ntrimmed in raw strings.\n   All other whitespace\n   is preserved \\n.\n'''"
    )
    #expect(
      table["s"]
        == .string(
          "The first newline is\ntrimmed in raw strings.\n   All other whitespace\n   is preserved \\n.\n"
        ))
  }

  @Test func crlfInsideMultilineStringsBecomesLF() throws {
    let table = try TOMLParser.parse("a = \"\"\"\r\none\r\ntwo\"\"\"\r\nb = '''x\r\ny'''\r\nc = 1")
    #expect(table["a"] == .string("one\ntwo"))
    #expect(table["b"] == .string("x\ny"))
    #expect(table.line(of: "c") == 6)
  }

  @Test func tabsAndUnicodeAreAllowedVerbatim() throws {
    let table = try TOMLParser.parse("a = \"x\ty\"\nb = 'Trường Tiểu học'\nc = \"\u{80}\"")
    #expect(table["a"] == .string("x\ty"))
    #expect(table["b"] == .string("Trường Tiểu học"))
    #expect(table["c"] == .string("\u{80}"))
  }
}
