/// `[web] listen = "127.0.0.1:8480"`: where the receiver serves the read-only city page.
public struct WebSettings: Sendable, Equatable {
  /// An IPv4 or IPv6 address literal (no name: the page is bound where the operator says).
  public var host: String
  public var port: Int

  /// `a.b.c.d:port` or `[v6]:port`; nil for anything else.
  public init?(listen: String) {
    let host: Substring
    let portText: Substring
    if listen.hasPrefix("[") {
      guard let close = listen.firstIndex(of: "]"), listen[close...].hasPrefix("]:") else { return nil }
      host = listen[listen.index(after: listen.startIndex)..<close]
      portText = listen[listen.index(close, offsetBy: 2)...]
      guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
    } else {
      guard let colon = listen.lastIndex(of: ":") else { return nil }
      host = listen[..<colon]
      portText = listen[listen.index(after: colon)...]
      let octets = host.split(separator: ".", omittingEmptySubsequences: false)
      guard octets.count == 4,
        octets.allSatisfy({
          (1...3).contains($0.count) && $0.allSatisfy { $0.isASCII && $0.isNumber } && UInt8($0) != nil
        })
      else { return nil }
    }
    // Digits only: Int("+80") would take the sign.
    guard (1...5).contains(portText.count), portText.allSatisfy({ $0.isASCII && $0.isNumber }),
      let port = Int(portText), (1...65535).contains(port)
    else { return nil }
    self.host = String(host)
    self.port = port
  }

  /// The page's address as a browser wants it.
  public var url: String { host.contains(":") ? "http://[\(host)]:\(port)/" : "http://\(host):\(port)/" }
}
