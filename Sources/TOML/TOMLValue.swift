/// One TOML value.
///
/// Date-times are not converted: the four TOML forms (offset date-time, local
/// date-time, local date, local time) are validated and kept as their source
/// text, so callers decide what a local time means on this gateway.
public indirect enum TOMLValue: Sendable, Equatable {
  case string(String)
  case integer(Int64)
  case float(Double)
  case boolean(Bool)
  case dateTime(String)
  case array([TOMLValue])
  case table(TOMLTable)

  /// The TOML type name, for messages like "expected an integer, found a string".
  public var typeName: String {
    switch self {
    case .string: "string"
    case .integer: "integer"
    case .float: "float"
    case .boolean: "boolean"
    case .dateTime: "date-time"
    case .array: "array"
    case .table: "table"
    }
  }

  /// `typeName` with "a"/"an" in front: "an integer", "a string".
  public var typeNameWithArticle: String {
    switch self {
    case .integer, .array: "an \(typeName)"
    default: "a \(typeName)"
    }
  }

  public var stringValue: String? {
    if case .string(let value) = self { value } else { nil }
  }

  public var integerValue: Int64? {
    if case .integer(let value) = self { value } else { nil }
  }

  /// Only `.float`; see `numberValue` to also accept integers.
  public var floatValue: Double? {
    if case .float(let value) = self { value } else { nil }
  }

  /// A float, or an integer widened to Double (people write `scale = 1000` as often as `1000.0`).
  public var numberValue: Double? {
    switch self {
    case .float(let value): value
    case .integer(let value): Double(value)
    default: nil
    }
  }

  public var boolValue: Bool? {
    if case .boolean(let value) = self { value } else { nil }
  }

  public var dateTimeValue: String? {
    if case .dateTime(let value) = self { value } else { nil }
  }

  public var arrayValue: [TOMLValue]? {
    if case .array(let value) = self { value } else { nil }
  }

  public var tableValue: TOMLTable? {
    if case .table(let value) = self { value } else { nil }
  }
}
