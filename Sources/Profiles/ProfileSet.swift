import Decode
import DeviceModel
import EventLoop

#if canImport(Glibc)
  import Glibc
#endif

/// The profiles in force: loaded from directories in order (shipped first, the site's last; a
/// later file with the same `name` replaces an earlier one), then checked so that no two profiles
/// claim the same topic with rules of equal precedence. Overlapping rules of different shapes are
/// fine: the most specific pattern decides (`TopicPattern.precedes`, `ProfileRouter`).
public struct ProfileSet: Sendable {
  public let profiles: [Profile]
  /// Profiles replaced by a later directory's file of the same name, for `profiles list`.
  public let overridden: [(name: String, file: String, by: String)]

  public init(profiles: [Profile]) throws(ProfileError) {
    try Self.checkOverlaps(profiles)
    self.profiles = profiles
    self.overridden = []
  }

  init(profiles: [Profile], overridden: [(name: String, file: String, by: String)]) throws(ProfileError) {
    try Self.checkOverlaps(profiles)
    self.profiles = profiles
    self.overridden = overridden
  }

  /// Every `*.toml` file in each directory except inventories (names ending in `inventory.toml`).
  /// A missing directory is skipped unless `required`.
  public static func load(directories: [String], required: Bool = false) throws(ProfileError) -> ProfileSet {
    var byName: [String: Profile] = [:]
    var order: [String] = []
    var overridden: [(name: String, file: String, by: String)] = []
    for given in directories {
      let directory = given.count > 1 && given.hasSuffix("/") ? String(given.dropLast()) : given
      guard let files = profileFiles(in: directory) else {
        if required {
          throw ProfileError(file: directory, line: 0, key: "", message: "profile directory does not exist")
        }
        continue
      }
      for file in files {
        let text: String
        switch readTextFile(file) {
        case .success(let contents): text = contents
        case .failure(let failure): throw ProfileError(file: file, line: 0, key: "", message: failure.message)
        }
        let profile = try ProfileParser.parse(text, file: file)
        if let earlier = byName[profile.name] {
          if directory == Self.directory(of: earlier.file) {
            throw ProfileError(
              file: file, line: 1, key: "name",
              message: "profile '\(profile.name)' is also defined in \(earlier.file)")
          }
          overridden.append((profile.name, earlier.file, file))
        } else {
          order.append(profile.name)
        }
        byName[profile.name] = profile
      }
    }
    return try ProfileSet(profiles: order.compactMap { byName[$0] }, overridden: overridden)
  }

  /// MQTT subscription filters covering every rule that stores something, without duplicates.
  /// `ignore` rules only shadow topics that other filters bring in: subscribing to them would pull
  /// in traffic (e.g. Zigbee2MQTT's large retained bridge messages) just to drop it.
  public var filters: [String] {
    var seen: Set<String> = []
    let all = profiles.flatMap { profile in
      profile.rules.filter { $0.content != .ignore }.map(\.pattern.filter)
    }.filter { seen.insert($0).inserted }
    // A filter another one already receives (`+/status/wifi` under `+/status/+`) adds nothing.
    return all.filter { filter in !all.contains { $0 != filter && Self.filter($0, covers: filter) } }
  }

  /// True when every topic `filter` receives, `wider` receives too.
  static func filter(_ wider: String, covers filter: String) -> Bool {
    let a = wider.split(separator: "/", omittingEmptySubsequences: false)
    let b = filter.split(separator: "/", omittingEmptySubsequences: false)
    for (index, level) in a.enumerated() {
      if level == "#" { return true }
      guard index < b.count, b[index] != "#" else { return false }
      if level != "+" && (level != b[index] || b[index] == "+") { return false }
    }
    return a.count == b.count
  }

  /// With a pseudonymizer, card ids in events become pseudonyms; without, they are dropped.
  public func decoders(limits: DecodeLimits, pseudonymizer: CardPseudonymizer? = nil) -> [any MessageDecoder]
  {
    [router(limits: limits, pseudonymizer: pseudonymizer)]
  }

  /// Every profile as one decoder that applies precedence across profiles.
  public func router(limits: DecodeLimits = DecodeLimits(), pseudonymizer: CardPseudonymizer? = nil)
    -> ProfileRouter
  {
    ProfileRouter(profiles.map { ProfileDecoder(profile: $0, limits: limits, pseudonymizer: pseudonymizer) })
  }

  private static func checkOverlaps(_ profiles: [Profile]) throws(ProfileError) {
    for (index, first) in profiles.enumerated() {
      for second in profiles[(index + 1)...] {
        for a in first.rules {
          // Different shapes: the more specific one wins. Equal shapes: nothing could choose.
          for b in second.rules
          where a.pattern.overlaps(b.pattern) && !a.pattern.precedes(b.pattern)
            && !b.pattern.precedes(a.pattern)
          {
            throw ProfileError(
              file: second.file, line: 0, key: "topics",
              message:
                "pattern \"\(b.pattern)\" of profile '\(second.name)' (\(second.file)) and pattern \"\(a.pattern)\" of profile '\(first.name)' (\(first.file)) can match the same topic and are equally specific; make one more specific (a fixed level) or remove one"
            )
          }
        }
      }
    }
  }

  static func isProfileFile(_ name: String) -> Bool {
    name.hasSuffix(".toml") && !name.hasSuffix("inventory.toml") && !name.hasPrefix(".")
  }

  /// Sorted `*.toml` profile files, or nil when the directory cannot be opened.
  static func profileFiles(in directory: String) -> [String]? {
    guard let handle = opendir(directory) else { return nil }
    defer { closedir(handle) }
    var names: [String] = []
    while let entry = readdir(handle) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if isProfileFile(name) { names.append(name) }
    }
    let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
    return names.sorted().map { "\(base)/\($0)" }
  }

  private static func directory(of file: String) -> String {
    guard let slash = file.lastIndex(of: "/") else { return "." }
    return String(file[..<slash])
  }
}
