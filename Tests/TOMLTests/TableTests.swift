import TOML
import Testing

@Suite struct TableTests {
  @Test func subTableBeforeParentIsAllowed() throws {
    let table = try TOMLParser.parse("[a.b.c]\nx = 1\n\n[a]\ny = 2")
    #expect(value(table, "a", "b", "c", "x") == .integer(1))
    #expect(value(table, "a", "y") == .integer(2))
    let a = try #require(table["a"]?.tableValue)
    #expect(a.keys == ["b", "y"])
    // `a` was only implied on line 1; its own header on line 4 is where it is defined.
    #expect(a.line == 4)
    #expect(table.line(of: "a") == 4)
    #expect(a.line(of: "b") == 1)
  }

  @Test func whitespaceAroundHeaderKeys() throws {
    let table = try TOMLParser.parse("[ j . \"ʞ\" . 'l' ]\nk = 1\n[[ arr ]]\n[\ta\t]")
    #expect(value(table, "j", "ʞ", "l", "k") == .integer(1))
    #expect(table["arr"] == .array([.table([:])]))
    #expect(table["a"] == .table([:]))
  }

  @Test func emptyTables() throws {
    let table = try TOMLParser.parse("[empty]\n[other]\nk = 1")
    #expect(table["empty"]?.tableValue?.isEmpty == true)
    #expect(table["other"]?.tableValue?.isEmpty == false)
    #expect(try TOMLParser.parse("").isEmpty)
    #expect(try TOMLParser.parse("# only a comment\n\n  \n").isEmpty)
  }

  @Test func dottedKeysCreateTables() throws {
    let table = try TOMLParser.parse(
      """
      name = "Orange"
      physical.color = "orange"
      physical.shape = "round"
      site."google.com" = true
      3.14159 = "pi"
      """)
    #expect(table.keys == ["name", "physical", "site", "3"])
    #expect(value(table, "physical", "shape") == .string("round"))
    #expect(value(table, "site", "google.com") == .boolean(true))
    #expect(value(table, "3", "14159") == .string("pi"))
    #expect(table.line(of: "physical") == 2)
    let physical = try #require(table["physical"]?.tableValue)
    #expect(physical.line == 2)
    #expect(physical.line(of: "color") == 2)
    #expect(physical.line(of: "shape") == 3)
  }

  @Test func subTablesUnderDottedKeyTables() throws {
    // From the spec: [fruit.apple] would be invalid here, [fruit.apple.texture] is fine.
    let table = try TOMLParser.parse(
      """
      [fruit]
      apple.color = "red"
      apple.taste.sweet = true

      [fruit.apple.texture]
      smooth = true
      """)
    #expect(value(table, "fruit", "apple", "taste", "sweet") == .boolean(true))
    #expect(value(table, "fruit", "apple", "texture", "smooth") == .boolean(true))
    #expect(
      try #require(value(table, "fruit", "apple")?.tableValue).keys == [
        "color", "taste", "texture",
      ])
  }

  @Test func dottedKeysMayFillATableThatOnlyAHeaderImplied() throws {
    let table = try TOMLParser.parse("[a.b.c]\nz = 9\n[a]\nb.x = 1")
    #expect(value(table, "a", "b", "x") == .integer(1))
    #expect(value(table, "a", "b", "c", "z") == .integer(9))
  }

  @Test func quotedKeys() throws {
    let table = try TOMLParser.parse(
      #"""
      "127.0.0.1" = "value"
      "character encoding" = "value"
      'key2' = "value"
      'quoted "value"' = "value"
      "" = "blank"
      "\u00e9t\u00e9" = 1
      bare_key-1 = 2
      1234 = 3
      """#)
    #expect(
      table.keys == [
        "127.0.0.1", "character encoding", "key2", #"quoted "value""#, "", "été", "bare_key-1",
        "1234",
      ])
    #expect(table[""] == .string("blank"))
  }

  @Test func inlineTables() throws {
    let table = try TOMLParser.parse(
      """
      name = { first = "Tom", last = "Preston-Werner" }
      point = {x=1,y=2}
      animal = { type.name = "pug" }
      empty = {}
      nested = { a = { b = [1, 2] }, c = "d" }
      """)
    #expect(table["name"] == .table(["first": .string("Tom"), "last": .string("Preston-Werner")]))
    #expect(table["point"]?.tableValue?.keys == ["x", "y"])
    #expect(value(table, "animal", "type", "name") == .string("pug"))
    #expect(table["empty"] == .table([:]))
    #expect(value(table, "nested", "a", "b") == .array([.integer(1), .integer(2)]))
  }

  @Test func inlineTableMayContainMultilineValues() throws {
    let table = try TOMLParser.parse(
      "t = { list = [\n  1,\n  2,\n], s = \"\"\"x\ny\"\"\" }\nafter = 1")
    #expect(value(table, "t", "list") == .array([.integer(1), .integer(2)]))
    #expect(value(table, "t", "s") == .string("x\ny"))
    #expect(table.line(of: "after") == 6)
    #expect(table["t"]?.tableValue?.line(of: "s") == 4)
  }

  @Test func arraysOfTablesWithSubTablesAndNestedArrays() throws {
    let table = try TOMLParser.parse(
      """
      [[fruits]]
      name = "apple"

      [fruits.physical]  # subtable
      color = "red"

      [[fruits.varieties]]  # nested array of tables
      name = "red delicious"

      [[fruits.varieties]]
      name = "granny smith"

      [[fruits]]
      name = "banana"

      [[fruits.varieties]]
      name = "plantain"
      """)
    let fruits = try #require(table["fruits"]?.arrayValue)
    #expect(fruits.count == 2)
    #expect(fruits.map { $0.tableValue?.line } == [1, 13])
    let apple = try #require(fruits[0].tableValue)
    #expect(value(apple, "physical", "color") == .string("red"))
    #expect(apple.line(of: "physical") == 4)
    #expect(apple.line(of: "varieties") == 7)
    let varieties = try #require(apple["varieties"]?.arrayValue)
    #expect(
      varieties.map { $0.tableValue?["name"] } == [
        .string("red delicious"), .string("granny smith"),
      ])
    #expect(varieties.map { $0.tableValue?.line } == [7, 10])
    let banana = try #require(fruits[1].tableValue)
    #expect(banana["varieties"] == .array([.table(["name": .string("plantain")])]))
    #expect(table.line(of: "fruits") == 1)
  }

  @Test func emptyArrayOfTablesElements() throws {
    let table = try TOMLParser.parse(
      "[[products]]\nname = \"Hammer\"\n[[products]]\n[[products]]\ncolor = \"gray\"")
    #expect(
      table["products"]
        == .array([
          .table(["name": .string("Hammer")]), .table([:]), .table(["color": .string("gray")]),
        ]))
  }

  @Test func arrayOfTablesInsideAnImpliedTableThenThatTable() throws {
    let table = try TOMLParser.parse("[[a.b]]\nx = 1\n[a]\ny = 2")
    #expect(value(table, "a", "b") == .array([.table(["x": .integer(1)])]))
    #expect(value(table, "a", "y") == .integer(2))
  }

  @Test func equalityIgnoresOrderAndLines() throws {
    let first = try TOMLParser.parse("a = 1\nb = 2")
    let second = try TOMLParser.parse("\n\nb = 2\na = 1")
    #expect(first == second)
    #expect(first == ["a": .integer(1), "b": .integer(2)])
    #expect(first != ["a": .integer(1)])
    #expect(first.count == 2)
  }

  @Test func keysAreCaseSensitive() throws {
    let table = try TOMLParser.parse("key = 1\nKey = 2\nKEY = 3")
    #expect(table.keys == ["key", "Key", "KEY"])
  }

  @Test func commentsAndWhitespaceEverywhere() throws {
    let table = try TOMLParser.parse(
      "# top\n\t[ tbl ]   # header comment\n  key\t=\t\"v\"  # trailing\n\tarr = [ # open\n 1 , # one\n] # done\n#end"
    )
    #expect(value(table, "tbl", "key") == .string("v"))
    #expect(value(table, "tbl", "arr") == .array([.integer(1)]))
  }

  @Test func deepButReasonableNesting() throws {
    let depth = 50
    let text = "a = " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    var expected: TOMLValue = .array([])
    for _ in 1..<depth { expected = .array([expected]) }
    #expect(try TOMLParser.parse(text)["a"] == expected)
  }
}
