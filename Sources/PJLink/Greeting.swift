import LibCrypto

/// What a projector says first, on every connection (PJLink v1.04 §5, v2.00 §5):
/// `PJLINK 0` (no authentication) or `PJLINK 1 <random>` (MD5 authentication, the random
/// number is 8 characters).
public enum Greeting: Sendable, Equatable {
  case open
  case authenticate(random: String)

  /// Parses the greeting line (without its CR); nil when it is not one.
  public init?(line: String) {
    let parts = line.split(separator: " ", omittingEmptySubsequences: false)
    guard parts.first == "PJLINK", parts.count >= 2 else { return nil }
    switch parts[1] {
    case "0" where parts.count == 2:
      self = .open
    case "1" where parts.count == 3 && !parts[2].isEmpty && parts[2].utf8.count <= 32:
      self = .authenticate(random: String(parts[2]))
    default:
      return nil
    }
  }

  /// The digest a command must carry: MD5 of the random number followed by the password, as 32
  /// lowercase hex digits (v1.04 §5.1). The spec's own example: random `498e4a67`, password
  /// `JBMIAProjectorLink` → `5d8409bc1c3fa39749434aa3a5c38682`.
  public static func digest(random: String, password: String) -> String {
    MD5Digest.hex(Array((random + password).utf8))
  }
}
