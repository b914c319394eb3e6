import Buffer
import DeviceModel

/// `classgate device ID`: one device with its newest status changes and events.
public struct DeviceReport: Sendable, Equatable {
  public var device: DeviceSummary
  public var statusChanges: [StatusChangeRecord]
  public var events: [EventRecord]

  /// nil: no such device in the store.
  public static func read(_ reader: StoreReader, id: String, limit: Int) throws -> DeviceReport? {
    guard let device = try reader.device(id: id) else { return nil }
    return DeviceReport(
      device: device, statusChanges: try reader.statusChanges(device: id, limit: limit),
      events: try reader.events(device: id, limit: limit))
  }
}
