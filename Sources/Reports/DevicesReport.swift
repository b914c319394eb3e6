import Buffer
import DeviceModel

/// `classgate devices`: the devices a filter selects, how many are in each status, and when the
/// agent last wrote to the store (statuses only move while it runs).
public struct DevicesReport: Sendable, Equatable {
  public var devices: [DeviceSummary]
  /// Statuses with a device, in `DeviceStatus.allCases` order.
  public var statusCounts: [StatusCount]
  public var agentHeartbeat: EpochMillis?

  public struct StatusCount: Sendable, Equatable {
    public var status: DeviceStatus
    public var count: Int

    public init(status: DeviceStatus, count: Int) {
      self.status = status
      self.count = count
    }
  }

  public static func read(_ reader: StoreReader, filter: DeviceFilter) throws -> DevicesReport {
    let devices = try reader.devices(matching: filter)
    let counts = DeviceStatus.allCases.compactMap { status -> StatusCount? in
      let count = devices.filter { $0.status == status }.count
      return count > 0 ? StatusCount(status: status, count: count) : nil
    }
    return DevicesReport(
      devices: devices, statusCounts: counts, agentHeartbeat: try AgentHeartbeat.read(reader))
  }
}

/// The agent's last write to the store (`meta.agent_heartbeat`), nil before its first.
public enum AgentHeartbeat {
  public static func read(_ reader: StoreReader) throws -> EpochMillis? {
    try reader.meta(MetaKey.agentHeartbeat).flatMap { Int64($0) }
  }
}
