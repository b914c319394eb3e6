/// A query parameter, sent in PostgreSQL's text format (the server casts it to the column's type).
public struct PostgresValue: Sendable, Equatable {
  public let text: String?

  public init(_ text: String?) { self.text = text }

  public static let null = PostgresValue(nil)
}

extension PostgresValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
  public init(stringLiteral value: String) { self.init(value) }
  public init(integerLiteral value: Int) { self.init(String(value)) }
}

extension PostgresValue {
  public static func int(_ value: Int64?) -> PostgresValue { PostgresValue(value.map { String($0) }) }
  public static func int(_ value: Int) -> PostgresValue { PostgresValue(String(value)) }
  public static func double(_ value: Double?) -> PostgresValue { PostgresValue(value.map { "\($0)" }) }
  public static func bool(_ value: Bool?) -> PostgresValue { PostgresValue(value.map { $0 ? "t" : "f" }) }
  public static func text(_ value: String?) -> PostgresValue { PostgresValue(value) }
}
