import Buffer
import DeviceModel
import JSON
import SQLiteStore
import Uplink

/// `classgate uplink`: the IOC link as the agent last recorded it (`meta.uplink_state`), the
/// outbox, how far the windows are summarised, and the store against its cap.
public struct UplinkReport: Sendable, Equatable {
  /// False: the agent never wrote an uplink state (no `[ioc]`, or never ran).
  public var configured: Bool
  public var connected: Bool
  public var since: EpochMillis?
  public var lastError: String?
  public var lastErrorAt: EpochMillis?
  public var outbox: Outbox.Status
  public var stream: String?
  public var summarisedUntil: EpochMillis?
  public var agentHeartbeat: EpochMillis?
  public var storeUsedBytes: Int64
  public var storeCapBytes: Int64?
  /// Rows deleted to stay under the cap, by table.
  public var evicted: [String: Int64]

  public static func read(_ reader: StoreReader, connection: Connection) throws -> UplinkReport {
    let state = try reader.meta(MetaKey.uplinkState).flatMap { try? JSONParser.parse($0) }
    return UplinkReport(
      configured: state != nil, connected: state?.value(atPath: "connected")?.boolValue ?? false,
      since: state?.value(atPath: "since_ms")?.doubleValue.map { Int64($0) },
      lastError: state?.value(atPath: "last_error")?.stringValue,
      lastErrorAt: state?.value(atPath: "last_error_ms")?.doubleValue.map { Int64($0) },
      outbox: try Outbox(connection: connection).status(), stream: try reader.meta(MetaKey.outboxStream),
      summarisedUntil: try reader.meta(MetaKey.windowsSummarisedUntil).flatMap { Int64($0) },
      agentHeartbeat: try AgentHeartbeat.read(reader), storeUsedBytes: try StoreCap.usedBytes(of: connection),
      storeCapBytes: try reader.meta(MetaKey.storeMaxBytes).flatMap { Int64($0) },
      evicted: try StoreCap.evictedCounts(in: connection))
  }
}
