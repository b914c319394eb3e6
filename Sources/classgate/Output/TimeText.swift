import DeviceModel

/// Times as a technician reads them: "12 s ago", "5 min ago", "3 h ago", "2 d ago".
enum TimeText {
  static func ago(_ time: EpochMillis?, now: EpochMillis) -> String {
    guard let time else { return "never" }
    let seconds = max(0, (now - time) / 1000)
    switch seconds {
    case ..<60: return "\(seconds) s ago"
    case ..<3600: return "\(seconds / 60) min ago"
    case ..<86_400: return "\(seconds / 3600) h ago"
    default: return "\(seconds / 86_400) d ago"
    }
  }
}
