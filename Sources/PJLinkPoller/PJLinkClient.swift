import PJLink

/// Polls one projector over one connection: greeting, the queries, close.
public enum PJLinkClient {
  public static func poll(_ projector: PJLinkProjector, settings: PJLinkSettings) -> PollResult {
    let socket: LineSocket
    do throws(SocketError) {
      socket = try LineSocket(
        host: projector.host, port: projector.port, timeoutMs: settings.connectTimeoutMs)
    } catch {
      return .unreachable(error.description)
    }
    defer { socket.close() }
    var exchange = PollExchange(password: projector.password)
    do throws(SocketError) {
      let greeting = try socket.readLine(
        timeoutMs: settings.responseTimeoutMs, maxBytes: Response.maximumLineBytes)
      var step = exchange.receive(greeting: greeting)
      while case .send(let bytes) = step {
        try socket.write(bytes, timeoutMs: settings.responseTimeoutMs)
        let line = try socket.readLine(
          timeoutMs: settings.responseTimeoutMs, maxBytes: Response.maximumLineBytes)
        step = exchange.receive(line: line)
      }
      guard case .finished(let outcome) = step else { preconditionFailure("unreachable") }
      return .completed(outcome)
    } catch {
      return .dropped(error.description)
    }
  }
}
