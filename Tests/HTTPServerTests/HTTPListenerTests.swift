import Foundation
import Synchronization
import TestSupport
import Testing

@testable import HTTPServer

/// A real listener on a loopback port, served from its own thread, talked to by curl and by a
/// raw socket.
@Suite("HTTP listener", .serialized)
struct HTTPListenerTests {
  final class Counter: Sendable {
    let value = Mutex(0)
  }

  final class Server: Sendable {
    let listener: HTTPListener
    let served = Counter()

    init(limits: HTTPLimits = HTTPLimits()) throws {
      listener = try HTTPListener(host: "127.0.0.1", port: 0)
      let listener = listener
      let served = served
      try ServerThread.start {
        listener.serve(limits: limits) { request in
          served.value.withLock { $0 += 1 }
          if request.path == "/" { return .html(200, "<p>hello \(request.query["who"] ?? "")</p>") }
          return .text(404, "no\n")
        }
      }
    }

    var url: String { "http://127.0.0.1:\(listener.port)" }
    deinit { listener.stop() }
  }

  @Test func getAndHead_withTheSameLength() throws {
    let server = try Server()
    let get = try CurlResponse.fetch(server.url + "/?who=a%20b")
    #expect(get.status == 200)
    #expect(get.body == "<p>hello a b</p>")
    #expect(get.headers["content-type"] == "text/html; charset=utf-8")
    #expect(get.headers["content-security-policy"] == HTTPResponse.contentSecurityPolicy)
    #expect(get.headers["x-content-type-options"] == "nosniff")
    #expect(get.headers["cache-control"] == "no-store")
    let head = try CurlResponse.fetch(server.url + "/?who=a%20b", method: "HEAD")
    #expect(head.status == 200 && head.body.isEmpty)
    #expect(head.headers["content-length"] == get.headers["content-length"])
    #expect(try CurlResponse.fetch(server.url + "/elsewhere").status == 404)
  }

  @Test func otherMethodsEarn405_withAllow() throws {
    let server = try Server()
    for method in ["POST", "PUT", "DELETE", "OPTIONS"] {
      let response = try CurlResponse.fetch(server.url + "/", method: method)
      #expect(response.status == 405, "\(method)")
      #expect(response.headers["allow"] == "GET, HEAD")
    }
    #expect(server.served.value.withLock { $0 } == 0)
  }

  @Test func anOversizedHeadEarns431_andGarbage400() throws {
    let server = try Server()
    let big = try RawClient(port: server.listener.port)
    big.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 9000))\r\n\r\n")
    #expect(big.readToEnd()?.hasPrefix("HTTP/1.1 431 ") == true)
    // Still sending, never a blank line: the limit applies to what has arrived.
    let endless = try RawClient(port: server.listener.port)
    endless.send("GET /\(String(repeating: "a", count: 10000))")
    #expect(endless.readToEnd()?.hasPrefix("HTTP/1.1 431 ") == true)
    let garbage = try RawClient(port: server.listener.port)
    garbage.send("\u{1}\u{2}\r\n\r\n")
    #expect(garbage.readToEnd()?.hasPrefix("HTTP/1.1 400 ") == true)
    #expect(server.served.value.withLock { $0 } == 0)
  }

  @Test func anIdleClientIsClosed_andTheCapHoldsTheRestBack() throws {
    var limits = HTTPLimits()
    limits.timeoutMs = 300
    limits.maxConnections = 2
    let server = try Server(limits: limits)
    let idle = try RawClient(port: server.listener.port)
    let slow = try RawClient(port: server.listener.port)
    slow.send("GET / HTTP/1.1\r\n")  // half a head, then nothing
    // Both are closed by the server, without a response, once their time is up.
    #expect(idle.readToEnd(timeout: 5) == "")
    #expect(slow.readToEnd(timeout: 5) == "")

    limits.timeoutMs = 10_000
    let capped = try Server(limits: limits)
    let first = try RawClient(port: capped.listener.port)
    let second = try RawClient(port: capped.listener.port)
    let third = try RawClient(port: capped.listener.port)
    third.send("GET / HTTP/1.0\r\n\r\n")
    // Two connections held: the third waits in the backlog, unanswered.
    #expect(!third.hasInput(within: 0.5))
    first.send("GET / HTTP/1.0\r\n\r\n")
    #expect(first.readToEnd()?.hasPrefix("HTTP/1.1 200 ") == true)
    #expect(third.readToEnd()?.hasPrefix("HTTP/1.1 200 ") == true)
    _ = second
  }

  @Test func aTakenPortIsAnErrorThatSaysSo() throws {
    let server = try Server()
    #expect {
      try HTTPListener(host: "127.0.0.1", port: server.listener.port)
    } throws: { error in
      "\(error)".contains("bind 127.0.0.1:\(server.listener.port): Address already in use")
    }
    #expect(throws: HTTPListenerError.self) { try HTTPListener(host: "localhost", port: 1) }
  }
}
