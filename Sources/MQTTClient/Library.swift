import CMosquitto

/// `mosquitto_lib_init` must run once per process before any client exists.
enum Library {
  static let initialised: Bool = {
    mosquitto_lib_init()
    return true
  }()

  public static var version: String {
    var major: Int32 = 0
    var minor: Int32 = 0
    var revision: Int32 = 0
    mosquitto_lib_version(&major, &minor, &revision)
    return "\(major).\(minor).\(revision)"
  }
}

/// The libmosquitto version linked at run time, e.g. "2.0.11".
public var libmosquittoVersion: String { Library.version }
