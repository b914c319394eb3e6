#if canImport(Glibc)
  import Glibc
#endif

/// Writes to file descriptor 2 in one `write(2)`, so concurrent lines never interleave mid-line and
/// no shared `FILE*` (which Swift 6 rightly calls unsafe) is touched.
public enum StandardError {
  public static func write(_ text: String) {
    var bytes = Array(text.utf8)
    _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
  }
}
