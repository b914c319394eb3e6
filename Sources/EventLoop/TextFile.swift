#if canImport(Glibc)
  import Glibc
#endif

/// Reads a small UTF-8 text file (config, password) or says why not, in words.
/// Why a text file could not be read, as a sentence that names the file.
public struct TextFileError: Error, Sendable {
  public let message: String
}

public func readTextFile(_ path: String, maxBytes: Int = 1 << 20) -> Result<String, TextFileError> {
  readBinaryFile(path, maxBytes: maxBytes).flatMap { bytes in
    guard let text = String(validating: bytes, as: UTF8.self) else {
      return .failure(TextFileError(message: "\(path) is not valid UTF-8"))
    }
    return .success(text)
  }
}

/// Reads a small file's bytes (a TZif zone file, say); larger than `maxBytes` is an error, not a
/// truncation.
public func readBinaryFile(_ path: String, maxBytes: Int = 1 << 20) -> Result<[UInt8], TextFileError> {
  guard let file = fopen(path, "rb") else {
    return .failure(TextFileError(message: "cannot open \(path): \(String(cString: strerror(errno)))"))
  }
  defer { fclose(file) }
  var bytes: [UInt8] = []
  var chunk = [UInt8](repeating: 0, count: 16 * 1024)
  while true {
    let count = fread(&chunk, 1, chunk.count, file)
    if count > 0 { bytes.append(contentsOf: chunk[0..<count]) }
    if bytes.count > maxBytes {
      return .failure(TextFileError(message: "\(path) is larger than \(maxBytes) bytes"))
    }
    if count < chunk.count {
      if ferror(file) != 0 {
        return .failure(TextFileError(message: "cannot read \(path): \(String(cString: strerror(errno)))"))
      }
      break
    }
  }
  return .success(bytes)
}
