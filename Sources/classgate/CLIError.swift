import Agent
import Glibc

/// A runtime failure: ArgumentParser prints "Error: <message>" on one line and exits 1.
struct CLIError: Error, CustomStringConvertible {
  let description: String
  init(_ message: String) { description = Terminal.cleanLines(message) }
}

func printError(_ message: String) {
  StandardError.write("classgate: \(Terminal.cleanLines(message))\n")
}

func fileExists(_ path: String) -> Bool {
  access(path, F_OK) == 0
}
