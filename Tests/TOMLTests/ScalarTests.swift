import TOML
import Testing

@Suite struct IntegerTests {
  @Test(
    arguments: [
      ("+99", 99), ("42", 42), ("0", 0), ("+0", 0), ("-0", 0), ("-17", -17),
      ("1_000", 1000), ("5_349_221", 5_349_221), ("53_49_221", 5_349_221), ("1_2_3_4_5", 12345),
      ("0xDEADBEEF", 0xDEAD_BEEF), ("0xdeadbeef", 0xDEAD_BEEF), ("0xdead_beef", 0xDEAD_BEEF),
      ("0x00ff", 255), ("0o01234567", 0o1234567), ("0o755", 0o755), ("0b11010110", 0b1101_0110),
      ("0b0", 0), ("9223372036854775807", Int64.max), ("-9223372036854775808", Int64.min),
      ("0x7FFFFFFFFFFFFFFF", Int64.max),
    ] as [(String, Int64)])
  func integer(text: String, expected: Int64) throws {
    let table = try TOMLParser.parse("n = \(text)")
    #expect(table["n"] == .integer(expected))
  }
}

@Suite struct FloatTests {
  @Test(
    arguments: [
      ("+1.0", 1.0), ("3.1415", 3.1415), ("-0.01", -0.01), ("5e+22", 5e22), ("1e06", 1e6),
      ("-2E-2", -2e-2), ("6.626e-34", 6.626e-34), ("224_617.445_991_228", 224_617.445_991_228),
      ("0.0", 0), ("+0.0", 0), ("1e1_0", 1e10), ("0e0", 0), ("1.5E+3", 1500),
      ("inf", .infinity), ("+inf", .infinity), ("-inf", -.infinity),
    ] as [(String, Double)])
  func float(text: String, expected: Double) throws {
    let table = try TOMLParser.parse("x = \(text)")
    #expect(table["x"] == .float(expected))
  }

  @Test func negativeZeroKeepsItsSign() throws {
    let value = try #require(TOMLParser.parse("x = -0.0")["x"]?.floatValue)
    #expect(value == 0 && value.sign == .minus)
  }

  @Test(arguments: ["nan", "+nan", "-nan"])
  func notANumber(text: String) throws {
    let value = try #require(TOMLParser.parse("x = \(text)")["x"]?.floatValue)
    #expect(value.isNaN)
  }
}

@Suite struct BooleanAndDateTimeTests {
  @Test func booleans() throws {
    let table = try TOMLParser.parse("yes = true\nno = false")
    #expect(table["yes"] == .boolean(true))
    #expect(table["no"]?.boolValue == false)
    #expect(table["yes"]?.typeName == "boolean")
  }

  @Test(arguments: [
    "1979-05-27T07:32:00Z", "1979-05-27T00:32:00-07:00", "1979-05-27T00:32:00.999999-07:00",
    "1979-05-27 07:32:00Z", "1979-05-27t07:32:00z", "1979-05-27T07:32:00+07:00",
    "1979-05-27T07:32:00", "1979-05-27T00:32:00.999999", "1979-05-27 07:32:00",
    "1979-05-27", "2024-02-29", "2000-02-29", "07:32:00", "00:32:00.999999", "23:59:60",
  ])
  func dateTimeKeepsItsText(text: String) throws {
    let table = try TOMLParser.parse("d = \(text)")
    #expect(table["d"] == .dateTime(text))
    #expect(table["d"]?.typeName == "date-time")
  }

  @Test func dateFollowedByComment() throws {
    let table = try TOMLParser.parse("d = 1979-05-27 # birthday\ne = 1979-05-27 ")
    #expect(table["d"] == .dateTime("1979-05-27"))
    #expect(table["e"] == .dateTime("1979-05-27"))
  }

  @Test func dateTimesInArraysAndInlineTables() throws {
    let table = try TOMLParser.parse(
      "a = [1979-05-27, 07:32:00,1979-05-27T07:32:00Z]\nt = {at=07:00:00}")
    #expect(
      table["a"]
        == .array([
          .dateTime("1979-05-27"), .dateTime("07:32:00"), .dateTime("1979-05-27T07:32:00Z"),
        ]))
    #expect(value(table, "t", "at") == .dateTime("07:00:00"))
  }
}

@Suite struct ArrayTests {
  @Test func mixedTypesAreAllowed() throws {
    let table = try TOMLParser.parse(
      #"""
      numbers = [ 0.1, 0.2, 0.5, 1, 2, 5 ]
      strings = ["all", 'strings', """are the same""", '''type''']
      nested = [ [ 1, 2 ], ["a", "b", "c"] ]
      contributors = [
        "Foo Bar <foo@example.com>",
        { name = "Baz Qux", email = "bazqux@example.com" }
      ]
      empty = [ ]
      empties = [[], [[]]]
      """#)
    #expect(
      table["numbers"]
        == .array([.float(0.1), .float(0.2), .float(0.5), .integer(1), .integer(2), .integer(5)]))
    #expect(table["strings"]?.arrayValue?.allSatisfy { $0.typeName == "string" } == true)
    #expect(
      table["nested"]
        == .array([
          .array([.integer(1), .integer(2)]), .array([.string("a"), .string("b"), .string("c")]),
        ]))
    #expect(
      table["contributors"]
        == .array([
          .string("Foo Bar <foo@example.com>"),
          .table(["name": .string("Baz Qux"), "email": .string("bazqux@example.com")]),
        ]))
    #expect(table["empty"] == .array([]))
    #expect(table["empties"] == .array([.array([]), .array([.array([])])]))
    #expect(table.line(of: "empty") == 8)
  }

  @Test func multilineWithCommentsAndTrailingComma() throws {
    let table = try TOMLParser.parse(
      """
      ports = [  # the usual ones
        1883,    # mqtt

        8883,    # mqtts
        # nothing here
      ]
      next = true
      """)
    #expect(table["ports"] == .array([.integer(1883), .integer(8883)]))
    #expect(table.line(of: "next") == 7)
  }

  @Test func arrayOfInlineTablesRemembersLines() throws {
    let table = try TOMLParser.parse("points = [\n  { x = 1 },\n  { x = 2 },\n]")
    let points = try #require(table["points"]?.arrayValue)
    #expect(points.map { $0.tableValue?.line } == [2, 3])
    #expect(points.map { $0.tableValue?.line(of: "x") } == [2, 3])
  }
}
