import Testing

@testable import HTTPServer

@Suite("HTTP request parsing")
struct HTTPRequestTests {
  static func parse(_ head: String) -> Result<HTTPRequest, HTTPResponse> {
    HTTPRequest.parse(head: Array(head.utf8)[...])
  }

  @Test func aRequestWithAQuery_decoded() throws {
    let request = try Self.parse("GET /schools/a%2Db?day=2026-11-28&x=a+b HTTP/1.1\r\nHost: h\r\nX-A:  v ")
      .get()
    #expect(request.method == "GET")
    #expect(request.path == "/schools/a-b")
    #expect(request.query == ["day": "2026-11-28", "x": "a b"])
    #expect(request.headers["host"] == "h" && request.headers["x-a"] == "v")
  }

  @Test(arguments: [
    "GET / HTTP/1.1",  // no Host
    "GET  / HTTP/1.1\r\nHost: h",  // two spaces
    "GET http://x/ HTTP/1.1\r\nHost: h",  // absolute form
    "GET /%zz HTTP/1.1\r\nHost: h",
    "GET /%ff HTTP/1.1\r\nHost: h",  // not UTF-8
    "GET / HTTP/1.1\r\nHost h",
    "GET / HTTP/1.1\r\nBad Name: h",
    "GET /\u{00e9} HTTP/1.1\r\nHost: h",
    "G(T / HTTP/1.1\r\nHost: h",
  ])
  func malformedHeadsEarn400(_ head: String) {
    guard case .failure(let response) = Self.parse(head) else {
      Issue.record("accepted: \(head)")
      return
    }
    #expect(response.status == 400)
  }

  @Test func otherVersionsEarn505_andHTTP10NeedsNoHost() throws {
    guard case .failure(let response) = Self.parse("GET / HTTP/2.0") else {
      Issue.record("accepted HTTP/2.0")
      return
    }
    #expect(response.status == 505)
    #expect(try Self.parse("GET / HTTP/1.0").get().path == "/")
  }

  @Test func everyResponseCarriesTheStrictHeaders() {
    let wire = String(decoding: HTTPResponse.html(200, "<p>x</p>").serialized(), as: UTF8.self)
    #expect(wire.hasPrefix("HTTP/1.1 200 OK\r\n"))
    #expect(wire.contains("Content-Type: text/html; charset=utf-8\r\n"))
    #expect(wire.contains("Content-Length: 8\r\n"))
    #expect(wire.contains("Cache-Control: no-store\r\n"))
    #expect(
      wire.contains(
        "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; img-src data:\r\n"))
    #expect(wire.contains("X-Content-Type-Options: nosniff\r\n"))
    #expect(wire.contains("Connection: close\r\n"))
    #expect(wire.hasSuffix("\r\n\r\n<p>x</p>"))
    let head = String(
      decoding: HTTPResponse.html(200, "<p>x</p>").serialized(includeBody: false), as: UTF8.self)
    #expect(head.hasSuffix("Content-Length: 8\r\n") == false && head.hasSuffix("\r\n\r\n"))
  }
}
