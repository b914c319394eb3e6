import TOML
import Testing

/// Every error an admin can hit, with the exact position and wording they will see.
@Suite struct ErrorTests {
  @Test func description() {
    let error = TOMLError(line: 3, column: 7, message: "expected '=' after key 'port'")
    #expect(error.description == "line 3, column 7: expected '=' after key 'port'")
    #expect("\(error)" == "line 3, column 7: expected '=' after key 'port'")
  }

  @Test(arguments: [
    ErrorCase("port 1883", 1, 6, "expected '=' after key 'port'"),
    ErrorCase("[broker]\n  port 1883", 2, 8, "expected '=' after key 'port'"),
    ErrorCase("port: 1883", 1, 5, "expected '=' after key 'port' (TOML uses '=', not ':')"),
    ErrorCase("broker.port\n= 1", 1, 12, "expected '=' after key 'broker.port'"),
    ErrorCase("= 1", 1, 1, "missing key before '='"),
    ErrorCase("a. = 1", 1, 4, "expected a key after '.', found '='"),
  ])
  func missingEquals(_ errorCase: ErrorCase) { check(errorCase) }

  @Test(arguments: [
    ErrorCase("[local_broker]\nhost = \"x\"\nport =\n", 3, 7, "missing value for key 'port'"),
    ErrorCase("port = # later", 1, 8, "missing value for key 'port'"),
    ErrorCase("port =", 1, 7, "missing value for key 'port'"),
    ErrorCase("t = { a = }", 1, 11, "missing value for key 'a'"),
    ErrorCase("a = [1, , 2]", 1, 9, "expected a value, found ','"),
    ErrorCase("a = =", 1, 5, "expected a value, found '='"),
  ])
  func missingValue(_ errorCase: ErrorCase) { check(errorCase) }

  @Test(arguments: [
    ErrorCase("a = 1\nb = 2\na = 3", 3, 1, "duplicate key 'a' (already defined on line 1)"),
    ErrorCase("a.b = 1\na.b = 2", 2, 1, "duplicate key 'a.b' (already defined on line 1)"),
    ErrorCase("\"a\" = 1\na = 2", 2, 1, "duplicate key 'a' (already defined on line 1)"),
    ErrorCase("t = { x = 1, x = 2 }", 1, 14, "duplicate key 'x' (already defined on line 1)"),
    ErrorCase("a.b = 1\na = 2", 2, 1, "duplicate key 'a' (already defined on line 1)"),
    ErrorCase(
      "[a.b]\n[a]\nb = 1", 3, 1, "duplicate key 'b': table [a.b] is already defined on line 1"),
    ErrorCase("a = 1\r\nb = 1\r\na = 2", 3, 1, "duplicate key 'a' (already defined on line 1)"),
  ])
  func duplicateKeys(_ errorCase: ErrorCase) { check(errorCase) }

  @Test func keysInMessagesAreQuotedAndEscaped() {
    check(
      ErrorCase(
        "\"ENERGY.Power\" = 1\n\"ENERGY.Power\" = 2", 2, 1,
        #"duplicate key '"ENERGY.Power"' (already defined on line 1)"#))
    check(
      ErrorCase(
        "a.\"line\\nbreak\" = 1\na.\"line\\nbreak\" = 2", 2, 1,
        #"duplicate key 'a."line\nbreak"' (already defined on line 1)"#))
    check(ErrorCase("'' = 1\n\"\" = 2", 2, 1, #"duplicate key '""' (already defined on line 1)"#))
  }

  @Test(arguments: [
    ErrorCase("[a]\nx = 1\n[a]", 3, 1, "table [a] is already defined on line 1"),
    ErrorCase("[a.b.c]\n[a]\n[a]", 3, 1, "table [a] is already defined on line 2"),
    ErrorCase("[a]\n[a.b]\n  [ a . b ]", 3, 3, "table [a.b] is already defined on line 2"),
    ErrorCase(
      "[fruit]\napple.color = \"red\"\n[fruit.apple]", 3, 1,
      "table [fruit.apple] is already defined by dotted keys on line 2"),
    ErrorCase(
      "fruit.apple.taste.sweet = true\n[fruit.apple.taste]", 2, 1,
      "table [fruit.apple.taste] is already defined by dotted keys on line 1"),
    ErrorCase(
      "[[a]]\n[a]", 2, 1,
      "cannot define table [a]: it is already an array of tables ([[a]] on line 1)"),
    ErrorCase(
      "[a]\n[[a]]", 2, 1,
      "cannot define array of tables [[a]]: 'a' is already a table (defined on line 1)"),
    ErrorCase(
      "[a.b]\n[[a]]", 2, 1,
      "cannot define array of tables [[a]]: 'a' is already a table (defined on line 1)"),
    ErrorCase(
      "a = [1]\n[[a]]", 2, 1,
      "cannot append to 'a' with [[a]]: it is an array written with [ ] on line 1, which cannot be extended"
    ),
    ErrorCase(
      "a = 1\n[a.b]", 2, 2,
      "cannot define table [a.b]: 'a' is already an integer (defined on line 1)"),
    ErrorCase(
      "a = [1]\n[a.b]", 2, 2,
      "cannot define table [a.b]: 'a' is already an array (defined on line 1)"),
    ErrorCase(
      "a = \"x\"\n[a]", 2, 1, "cannot define table [a]: 'a' is already a string (defined on line 1)"
    ),
    ErrorCase(
      "[a.b]\nx = 1\n[a]\nb.y = 2", 4, 1,
      "cannot set key 'b.y': table [a.b] is already defined on line 1 and cannot be extended with dotted keys"
    ),
    // toml-lang/toml#846: a parent section may not inject keys into a sub-table's header.
    ErrorCase(
      "[a.b.c]\nz = 9\n[a]\n  b.c.t = 9", 4, 5,
      "cannot set key 'b.c.t': table [a.b.c] is already defined on line 1 and cannot be extended with dotted keys"
    ),
    ErrorCase(
      "[[a.b]]\n[a]\nb.c = 1", 3, 1,
      "cannot set key 'b.c': 'b' is an array of tables and cannot be extended with dotted keys"),
    ErrorCase(
      "a = 1\na.b = 2", 2, 1, "cannot set key 'a.b': 'a' is already an integer (defined on line 1)"),
    ErrorCase(
      "[a.b.c]\n[a]\nb.x = 1\n[a.b]", 4, 1,
      "table [a.b] is already defined by dotted keys on line 1"),
  ])
  func tableRedefinition(_ errorCase: ErrorCase) { check(errorCase) }

  @Test(arguments: [
    ErrorCase(
      "a = { x = 1 }\na.y = 2", 2, 1,
      "cannot set key 'a.y': 'a' is an inline table (defined on line 1), and inline tables cannot be extended"
    ),
    ErrorCase(
      "a = {}\n[a]", 2, 1,
      "cannot define table [a]: 'a' is an inline table (defined on line 1), and inline tables cannot be extended"
    ),
    ErrorCase(
      "a = {}\n[a.b]", 2, 2,
      "cannot define table [a.b]: 'a' is an inline table (defined on line 1), and inline tables cannot be extended"
    ),
    ErrorCase(
      "a = { b = {} }\n[a.b.c]", 2, 2,
      "cannot define table [a.b.c]: 'a' is an inline table (defined on line 1), and inline tables cannot be extended"
    ),
    ErrorCase(
      "a = { b = { c = 1 }, b.d = 2 }", 1, 22,
      "cannot set key 'b.d': 'b' is an inline table (defined on line 1), and inline tables cannot be extended"
    ),
    ErrorCase(
      "[[a]]\nt = {}\n[a.t]", 3, 1,
      "cannot define table [a.t]: 'a.t' is an inline table (defined on line 2), and inline tables cannot be extended"
    ),
  ])
  func inlineTablesAreClosed(_ errorCase: ErrorCase) { check(errorCase) }

  @Test(arguments: [
    ErrorCase(
      #"path = "C:\Users\x""#, 1, 11, #"'\U' must be followed by exactly 8 hex digits"#),
    ErrorCase(
      #"p = "a\qb""#, 1, 7,
      #"invalid escape sequence '\q'; write '\\' for a backslash, or use 'single quotes' for text with backslashes"#
    ),
    ErrorCase(
      #"p = "a\ b""#, 1, 7,
      #"invalid escape sequence '\' followed by a space; write '\\' for a backslash, or use 'single quotes' for text with backslashes"#
    ),
    ErrorCase(
      "p = \"a\\\nb\"", 1, 7,
      #"invalid escape sequence '\' followed by end of line; write '\\' for a backslash, or use 'single quotes' for text with backslashes"#
    ),
    ErrorCase(#"s = "\uD800""#, 1, 6, #"escape '\uD800' is not a valid Unicode character"#),
    ErrorCase(#"s = "\U00110000""#, 1, 6, #"escape '\U00110000' is not a valid Unicode character"#),
    ErrorCase(#"s = "\u12G4""#, 1, 6, #"'\u' must be followed by exactly 4 hex digits"#),
    ErrorCase(
      #"s = "\x41""#, 1, 6,
      #"invalid escape sequence '\x'; write '\\' for a backslash, or use 'single quotes' for text with backslashes"#
    ),
    ErrorCase(
      "s = \"\"\"\nok\n bad \\q\"\"\"", 3, 6,
      #"invalid escape sequence '\q'; write '\\' for a backslash, or use 'single quotes' for text with backslashes"#
    ),
  ])
  func invalidEscapes(_ errorCase: ErrorCase) { check(errorCase) }

  @Test(arguments: [
    ErrorCase("name = \"tasmota\nkind = 1", 1, 8, #"unterminated string: missing closing '"'"#),
    ErrorCase("name = \"tasmota", 1, 8, #"unterminated string: missing closing '"'"#),
    ErrorCase("name = 'tasmota\n", 1, 8, #"unterminated string: missing closing "'""#),
    ErrorCase(
      "a = 1\nb = \"\"\"abc\n\ndef", 2, 5, #"unterminated multi-line string: missing closing '"""'"#
    ),
    ErrorCase("b = '''abc\n", 1, 5, #"unterminated multi-line string: missing closing "'''""#),
    ErrorCase("\"key = 1", 1, 1, #"unterminated string: missing closing '"'"#),
    ErrorCase(
      #"a = """x"""""""#, 1, 14,
      "too many quotes in a row in a multi-line string; escape them or use the other quote style"),
  ])
  func unterminatedStrings(_ errorCase: ErrorCase) { check(errorCase) }

  @Test(arguments: [
    ErrorCase("port = 01883", 1, 8, "invalid number '01883': leading zeros are not allowed"),
    ErrorCase("n = -01", 1, 5, "invalid number '-01': leading zeros are not allowed"),
    ErrorCase("n = 0_1", 1, 5, "invalid number '0_1': leading zeros are not allowed"),
    ErrorCase("x = 03.14", 1, 5, "invalid number '03.14': leading zeros are not allowed"),
    ErrorCase(
      "n = 9223372036854775808", 1, 5,
      "integer 9223372036854775808 is out of range (must be between -9223372036854775808 and 9223372036854775807)"
    ),
    ErrorCase(
      "n = -9223372036854775809", 1, 5,
      "integer -9223372036854775809 is out of range (must be between -9223372036854775808 and 9223372036854775807)"
    ),
    ErrorCase(
      "n = 99999999999999999999999", 1, 5,
      "integer 99999999999999999999999 is out of range (must be between -9223372036854775808 and 9223372036854775807)"
    ),
    ErrorCase(
      "n = 0x8000000000000000", 1, 5,
      "integer 0x8000000000000000 is out of range (must be between -9223372036854775808 and 9223372036854775807)"
    ),
    ErrorCase("x = 1e400", 1, 5, "float 1e400 is out of range for a 64-bit float"),
  ])
  func leadingZerosAndOverflow(_ errorCase: ErrorCase) { check(errorCase) }

  @Test(arguments: [
    ErrorCase(
      "n = 1__000", 1, 6, "invalid number '1__000': an underscore must be between two digits"),
    ErrorCase("n = 1_", 1, 6, "invalid number '1_': an underscore must be between two digits"),
    ErrorCase("x = 1_.5", 1, 6, "invalid number '1_.5': an underscore must be between two digits"),
    ErrorCase("x = 1._5", 1, 7, "invalid number '1._5': expected a digit after the decimal point"),
    ErrorCase("x = 1.", 1, 5, "invalid number '1.': expected a digit after the decimal point"),
    ErrorCase("x = 1.e5", 1, 7, "invalid number '1.e5': expected a digit after the decimal point"),
    ErrorCase("x = .5", 1, 5, "invalid number '.5'"),
    ErrorCase("x = 1e", 1, 5, "invalid number '1e': expected digits in the exponent"),
    ErrorCase("x = 1e_5", 1, 7, "invalid number '1e_5': expected digits in the exponent"),
    ErrorCase("x = 1.2.3", 1, 5, "invalid number '1.2.3'"),
    ErrorCase("x = +", 1, 5, "invalid number '+'"),
    ErrorCase("x = 1883abc", 1, 5, "invalid number '1883abc'"),
    ErrorCase(
      "x = -0x1", 1, 5, "invalid number '-0x1': hex, octal and binary numbers cannot have a sign"),
    ErrorCase(
      "x = 0XFF", 1, 5, "invalid number '0XFF': write the prefix in lowercase (0x, 0o, 0b)"),
    ErrorCase("x = 0x", 1, 5, "invalid number '0x': expected hexadecimal digits after the prefix"),
    ErrorCase("x = 0o8", 1, 7, "invalid number '0o8': expected octal digits after the prefix"),
    ErrorCase("x = 0b102", 1, 9, "invalid number '0b102': '2' is not a binary digit"),
    ErrorCase(
      "x = 0x_1", 1, 7, "invalid number '0x_1': expected hexadecimal digits after the prefix"),
    ErrorCase("x = Inf", 1, 5, "invalid value 'Inf': text must be in quotes, e.g. \"Inf\""),
  ])
  func malformedNumbers(_ errorCase: ErrorCase) { check(errorCase) }

  @Test(arguments: [
    ErrorCase(
      "d = 2023-02-29", 1, 5, "invalid date '2023-02-29': day must be 01 to 28 in that month"),
    ErrorCase(
      "d = 2023-04-31", 1, 5, "invalid date '2023-04-31': day must be 01 to 30 in that month"),
    ErrorCase("d = 1979-13-01", 1, 5, "invalid date '1979-13-01': month must be 01 to 12"),
    ErrorCase("d = 1979-5-27", 1, 5, "invalid date '1979-5-27': dates are written YYYY-MM-DD"),
    ErrorCase("t = 07:32", 1, 5, "invalid time '07:32': seconds are required (HH:MM:SS)"),
    ErrorCase(
      "d = 1979-05-27 25:00:00", 1, 5,
      "invalid time '1979-05-27 25:00:00': hours must be 00-23, minutes and seconds 00-59"),
    ErrorCase(
      "d = 1979-05-27T", 1, 5, "invalid date-time '1979-05-27T': expected a time written HH:MM:SS"),
    ErrorCase(
      "d = 1979-05-27T07:32:00+7", 1, 5,
      "invalid date-time '1979-05-27T07:32:00+7': the time zone offset must be Z or +HH:MM / -HH:MM"
    ),
    ErrorCase("t = 07:32:00Z", 1, 5, "invalid date-time '07:32:00Z'"),
    ErrorCase(
      "t = 07:32:00.", 1, 5, "invalid time '07:32:00.': expected digits after the decimal point"),
  ])
  func malformedDateTimes(_ errorCase: ErrorCase) { check(errorCase) }

  @Test(arguments: [
    ErrorCase(
      "pört = 1", 1, 2,
      "'ö' is not allowed in a bare key; bare keys may only contain A-Z, a-z, 0-9, '_' and '-' (put other keys in quotes)"
    ),
    ErrorCase(
      "$name = 1", 1, 1,
      "'$' is not allowed in a bare key; bare keys may only contain A-Z, a-z, 0-9, '_' and '-' (put other keys in quotes)"
    ),
    ErrorCase(
      "[profile@home]", 1, 9,
      "'@' is not allowed in a bare key; bare keys may only contain A-Z, a-z, 0-9, '_' and '-' (put other keys in quotes)"
    ),
    ErrorCase(
      "port\u{A0}= 1", 1, 5,
      "the invisible character U+00A0 is not allowed in a bare key; bare keys may only contain A-Z, a-z, 0-9, '_' and '-' (put other keys in quotes)"
    ),
    ErrorCase("two words = 1", 1, 5, "expected '=' after key 'two'"),
    ErrorCase("\"\"\"a\"\"\" = 1", 1, 1, "a multi-line string cannot be used as a key"),
  ])
  func invalidBareKeys(_ errorCase: ErrorCase) { check(errorCase) }

  @Test(arguments: [
    ErrorCase(
      "s = \"a\u{7}b\"", 1, 7,
      #"control character U+0007 is not allowed in a string; write it as \u0007 in a "..." string"#),
    ErrorCase(
      "s = 'a\u{1B}b'", 1, 7,
      #"control character U+001B is not allowed in a string; write it as \u001B in a "..." string"#),
    ErrorCase(
      "s = \"\"\"\na\u{7F}\"\"\"", 2, 2,
      #"control character U+007F is not allowed in a string; write it as \u007F in a "..." string"#),
    ErrorCase(
      "s = \"a\rb\"", 1, 7, "a carriage return (CR) without a line feed is not allowed in a string"),
    ErrorCase("# a\u{1}b", 1, 4, "control character U+0001 is not allowed in a comment"),
    ErrorCase(
      "a = 1 # x\ry", 1, 10,
      "a carriage return (CR) without a line feed is not allowed in a comment"),
    ErrorCase(
      "a = 1\rb = 2", 1, 6,
      "expected a new line after the value of key 'a', found a carriage return (CR) without a line feed"
    ),
    ErrorCase("\u{C}a = 1", 1, 1, "expected a key, found control character U+000C"),
  ])
  func controlCharacters(_ errorCase: ErrorCase) { check(errorCase) }

  @Test(arguments: [
    ErrorCase(
      "host = localhost", 1, 8,
      "invalid value 'localhost': text must be in quotes, e.g. \"localhost\""),
    ErrorCase(
      "host = localhost:1883", 1, 8,
      "invalid value 'localhost:1883': text must be in quotes, e.g. \"localhost:1883\""),
    ErrorCase(
      "enabled = True", 1, 11,
      "invalid value 'True': booleans are written in lowercase, true or false"),
    ErrorCase(
      "enabled = truex", 1, 11, "invalid value 'truex': text must be in quotes, e.g. \"truex\""),
    ErrorCase(
      "name = “tasmota”", 1, 8,
      "expected a value, found the curly quote '“' (use straight quotes \" or ')"),
    ErrorCase("a = 1 b = 2", 1, 7, "expected a new line after the value of key 'a', found 'b'"),
    ErrorCase(
      "a = \"x\" \"y\"", 1, 9, "expected a new line after the value of key 'a', found '\"'"),
    ErrorCase(
      "ten = \"Phòng\" x", 1, 15, "expected a new line after the value of key 'ten', found 'x'"),
    ErrorCase("\u{FEFF}port 1883", 1, 6, "expected '=' after key 'port'"),
  ])
  func invalidValues(_ errorCase: ErrorCase) { check(errorCase) }

  @Test(arguments: [
    ErrorCase("t = { a = 1, }", 1, 12, "trailing comma is not allowed in an inline table"),
    ErrorCase(
      "t = {\n  a = 1 }", 1, 5,
      "unterminated inline table: missing '}' (an inline table must be written on one line)"),
    ErrorCase(
      "t = { a = 1,\n b = 2 }", 1, 5,
      "unterminated inline table: missing '}' (an inline table must be written on one line)"),
    ErrorCase(
      "t = { a = 1 # c }", 1, 5,
      "unterminated inline table: missing '}' (an inline table must be written on one line)"),
    ErrorCase("t = { a = 1 b = 2 }", 1, 13, "expected ',' or '}' in inline table, found 'b'"),
    ErrorCase("t = { , }", 1, 7, "expected a key, found ','"),
    ErrorCase("topics = [\"a\",\n  \"b\"\nport = 1", 1, 10, "unterminated array: missing ']'"),
    ErrorCase("topics = [\"a\",\n  \"b\",\nport = 1", 1, 10, "unterminated array: missing ']'"),
    ErrorCase("topics = [\"a\",", 1, 10, "unterminated array: missing ']'"),
    ErrorCase("a = [1 2]", 1, 8, "expected ',' or ']' after an array element, found '2'"),
    ErrorCase("a = [1,\n2\n3]", 3, 1, "expected ',' or ']' after an array element, found '3'"),
  ])
  func arraysAndInlineTables(_ errorCase: ErrorCase) { check(errorCase) }

  @Test(arguments: [
    ErrorCase("[a", 1, 3, "expected ']' after table name 'a', found end of file"),
    ErrorCase("[a.b\nx = 1", 1, 5, "expected ']' after table name 'a.b', found end of line"),
    ErrorCase("[]", 1, 2, "expected a table name, found ']'"),
    ErrorCase("[[a]", 1, 5, "expected ']]' to close [[a]], found end of file"),
    ErrorCase("[[a] ]", 1, 5, "expected ']]' to close [[a]], found a space"),
    ErrorCase("[a]]", 1, 4, "expected a new line after table header [a], found ']'"),
    ErrorCase("[a] x = 1", 1, 5, "expected a new line after table header [a], found 'x'"),
    ErrorCase("[a.]", 1, 4, "expected a key after '.', found ']'"),
    ErrorCase("[\"\"\"a\"\"\"]", 1, 2, "a multi-line string cannot be used as a key"),
  ])
  func malformedHeaders(_ errorCase: ErrorCase) { check(errorCase) }

  @Test func errorsAfterMultilineValuesHaveTheRightLine() {
    check(
      ErrorCase(
        "a = \"\"\"\nx\ny\"\"\"\nb = 1\nb = 2", 5, 1,
        "duplicate key 'b' (already defined on line 4)"))
    check(
      ErrorCase(
        "a = [\n1,\n2,\n]\nb = [1,]\nb = 3", 6, 1, "duplicate key 'b' (already defined on line 5)"))
  }

  @Test func nestingIsCapped() {
    let text = "a = " + String(repeating: "[", count: 200)
    check(
      ErrorCase(
        text, 1, 105, "arrays and inline tables are nested too deeply (more than 100 levels)"))
  }
}
