/// The fields of a sequenced message that say which message it is.
public struct Envelope: Sendable, Equatable {
  public var schoolID: String
  public var stream: String
  public var seq: Int64
  public var createdMs: Int64
}

public enum SummaryKind: String, Sendable, CaseIterable {
  case window
  case day
  /// A day's per-lesson usage (`classgate.lesson_summary`).
  case lessons

  public var schema: String {
    switch self {
    case .window: "classgate.window_summary"
    case .day: "classgate.daily_summary"
    case .lessons: "classgate.lesson_summary"
    }
  }
}

/// A window, daily or lesson summary, or one part of it.
public struct SummaryMessage: Sendable, Equatable {
  public var envelope: Envelope
  public var kind: SummaryKind
  public var periodStartMs: Int64
  public var periodEndMs: Int64
  /// The local date (daily and lesson summaries).
  public var date: String?
  public var revision: Int
  /// 1 of 1 when the message has no `part`: it is the whole period.
  public var part: Int
  public var parts: Int
}

public struct EventMessage: Sendable, Equatable {
  public var envelope: Envelope
  public var type: String
  public var device: String
  public var timeMs: Int64
}

public struct DeviceCounts: Sendable, Equatable {
  public var online: Int
  public var offline: Int
  public var stale: Int
  public var unknown: Int

  public init(online: Int, offline: Int, stale: Int, unknown: Int) {
    self.online = online
    self.offline = offline
    self.stale = stale
    self.unknown = unknown
  }
}

/// Presence: `online: false` (the Last Will, a clean stop) carries nothing else.
public struct PresenceMessage: Sendable, Equatable {
  public struct Health: Sendable, Equatable {
    public var timeMs: Int64
    public var version: String
    public var backlog: Int
    public var oldestPendingMs: Int64?
    public var lastAckedSeq: Int64?
    public var diskFreeBytes: Int64?
    public var devices: DeviceCounts
  }

  public var schoolID: String
  public var online: Bool
  public var health: Health?

  public init(schoolID: String, online: Bool, health: Health?) {
    self.schoolID = schoolID
    self.online = online
    self.health = health
  }
}

public enum UplinkMessage: Sendable, Equatable {
  case summary(SummaryMessage)
  case event(EventMessage)
  case presence(PresenceMessage)

  public var schoolID: String {
    switch self {
    case .summary(let summary): summary.envelope.schoolID
    case .event(let event): event.envelope.schoolID
    case .presence(let presence): presence.schoolID
    }
  }

  public var envelope: Envelope? {
    switch self {
    case .summary(let summary): summary.envelope
    case .event(let event): event.envelope
    case .presence: nil
    }
  }
}
