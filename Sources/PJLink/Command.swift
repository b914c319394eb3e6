/// A PJLink command body: four upper-case letters ("POWR", "LAMP").
///
/// PJLink Specifications v1.04 (JBMIA, 2013-12-10) §2.1: a command line is `%`, the class digit,
/// the 4-byte body, a space, the parameter and CR; a get command's parameter is `?` (§2.4).
/// Class 2 (v2.00, 2017-01-31) keeps the format with class digit `2`.
public struct Command: Sendable, Hashable, CustomStringConvertible {
  public let body: String

  public init(_ body: String) {
    precondition(
      body.utf8.count == 4 && body.utf8.allSatisfy { $0 >= 65 && $0 <= 90 || $0 >= 48 && $0 <= 57 },
      "a PJLink command body is 4 upper-case letters or digits")
    self.body = body
  }

  public static let power = Command("POWR")
  public static let lamp = Command("LAMP")
  public static let errorStatus = Command("ERST")
  public static let input = Command("INPT")
  public static let avMute = Command("AVMT")
  public static let projectorClass = Command("CLSS")
  public static let name = Command("NAME")

  public var description: String { body }
}

/// One command line to send.
public struct Request: Sendable, Equatable {
  public var commandClass: Int
  public var command: Command
  public var parameter: String

  /// A get command (`%1POWR ?`).
  public static func query(_ command: Command, commandClass: Int = 1) -> Request {
    Request(commandClass: commandClass, command: command, parameter: "?")
  }

  public init(commandClass: Int, command: Command, parameter: String) {
    precondition((1...2).contains(commandClass), "PJLink classes are 1 and 2")
    self.commandClass = commandClass
    self.command = command
    self.parameter = parameter
  }

  /// The bytes on the wire, with the authentication digest in front when one is due (§5.1: only
  /// the first command of a connection carries it).
  public func encoded(digest: String? = nil) -> [UInt8] {
    Array("\(digest ?? "")%\(commandClass)\(command.body) \(parameter)\r".utf8)
  }
}
