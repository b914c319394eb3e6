import Agent
import ArgumentParser
import EventLoop
import IOCReceiver
import PostgresClient
import TOML

/// Where the read-only commands find the database: `--conninfo`, or the receiver's config file.
struct DatabaseOptions: ParsableArguments {
  @Option(name: .shortAndLong, help: "The receiver's configuration file (for database.conninfo).")
  var config: String = ReceiverDefaults.configPath

  @Option(help: "A libpq connection string; overrides the config file.")
  var conninfo: String?

  @Flag(help: "Print JSON instead of a table.")
  var json = false

  func connect() throws -> PostgresConnection {
    let target: String
    if let conninfo {
      target = conninfo
    } else if let fromEnvironment = ProcessEnvironment.current()["CLASSGATE_IOC_DATABASE_CONNINFO"] {
      target = fromEnvironment
    } else {
      target = try conninfoFromConfig()
    }
    do {
      return try PostgresConnection(conninfo: target)
    } catch {
      throw CLIError("cannot connect to the database: \(error.message)")
    }
  }

  /// The zone the times are printed in: `receiver.time_zone` from the config file when it has
  /// one, else TZ, else /etc/localtime.
  func time() throws -> SchoolTime {
    var zone: String?
    if case .success(let text) = readTextFile(config), let root = try? TOMLParser.parse(text),
      case .table(let receiver)? = root["receiver"]
    {
      zone = receiver["time_zone"]?.stringValue
    }
    do {
      return try SchoolTime.ioc(timeZone: zone, environment: ProcessEnvironment.current(), file: config)
    } catch {
      throw CLIError(error.description)
    }
  }

  /// Only `database.conninfo`: the CLI needs neither the broker nor its certificates.
  private func conninfoFromConfig() throws -> String {
    guard case .success(let text) = readTextFile(config) else {
      throw CLIError("cannot read \(config); pass --conninfo or --config")
    }
    guard let root = try? TOMLParser.parse(text), case .table(let database)? = root["database"],
      let conninfo = database["conninfo"]?.stringValue
    else {
      throw CLIError("\(config): no database.conninfo; pass --conninfo")
    }
    return conninfo
  }
}

/// A runtime failure: ArgumentParser prints "Error: <message>" and exits 1.
struct CLIError: Error, CustomStringConvertible {
  let description: String
  init(_ message: String) { description = message }
}
