/// A whole response, sent with `Connection: close`. Every response carries the same strict
/// headers: nothing is cached, nothing is sniffed, and the page may load no script and nothing
/// from anywhere (inline styles and data: images only). An `Error` only so that a refused
/// request's answer can be `HTTPRequest.parse`'s failure.
public struct HTTPResponse: Sendable, Equatable, Error {
  public var status: Int
  public var contentType: String
  public var body: [UInt8]
  /// Extra headers, e.g. `Allow` on a 405.
  public var headers: [(name: String, value: String)]

  public init(status: Int, contentType: String, body: [UInt8], headers: [(name: String, value: String)] = [])
  {
    self.status = status
    self.contentType = contentType
    self.body = body
    self.headers = headers
  }

  public static func html(_ status: Int, _ page: String) -> HTTPResponse {
    HTTPResponse(status: status, contentType: "text/html; charset=utf-8", body: Array(page.utf8))
  }

  public static func text(_ status: Int, _ text: String) -> HTTPResponse {
    HTTPResponse(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
  }

  public static let contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

  /// The bytes on the wire; without the body for HEAD (the length still says how long it is).
  public func serialized(includeBody: Bool = true) -> [UInt8] {
    var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
    head += "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n"
    head += "Connection: close\r\nCache-Control: no-store\r\n"
    head += "Content-Security-Policy: \(Self.contentSecurityPolicy)\r\n"
    head += "X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n"
    for header in headers { head += "\(header.name): \(header.value)\r\n" }
    head += "\r\n"
    return Array(head.utf8) + (includeBody ? body : [])
  }

  static func reason(_ status: Int) -> String {
    switch status {
    case 200: "OK"
    case 400: "Bad Request"
    case 404: "Not Found"
    case 405: "Method Not Allowed"
    case 408: "Request Timeout"
    case 431: "Request Header Fields Too Large"
    case 500: "Internal Server Error"
    case 503: "Service Unavailable"
    case 505: "HTTP Version Not Supported"
    default: "Status"
    }
  }

  public static func == (left: HTTPResponse, right: HTTPResponse) -> Bool {
    left.status == right.status && left.contentType == right.contentType && left.body == right.body
      && left.headers.map(\.name) == right.headers.map(\.name)
      && left.headers.map(\.value) == right.headers.map(\.value)
  }
}
