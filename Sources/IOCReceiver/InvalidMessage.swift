/// Why a received message was refused: one sentence naming the field, kept with the rejected row.
public struct InvalidMessage: Error, Sendable, Equatable, CustomStringConvertible {
  public let reason: String
  public init(_ reason: String) { self.reason = reason }
  public var description: String { reason }
}
