/// The school's own list of rooms and devices: labels devices whose topics carry no room,
/// corrects kinds, and gives plugs that meter a legacy device their "on" threshold.
public struct Inventory: Sendable, Equatable {
  public struct Room: Sendable, Equatable {
    public var id: String
    public var name: String
    public var building: String?
    public var floor: Int?
    public init(id: String, name: String, building: String? = nil, floor: Int? = nil) {
      self.id = id
      self.name = name
      self.building = building
      self.floor = floor
    }
  }

  public struct Device: Sendable, Equatable {
    public var id: String
    public var name: String?
    public var room: String?
    public var kind: DeviceKind?
    /// For a plug metering a legacy device: `power_on` = 1 when `power` (W) is above this
    /// (replacing the relay state the plug may report).
    public var onAboveWatts: Double?
    public init(
      id: String, name: String? = nil, room: String? = nil, kind: DeviceKind? = nil,
      onAboveWatts: Double? = nil
    ) {
      self.id = id
      self.name = name
      self.room = room
      self.kind = kind
      self.onAboveWatts = onAboveWatts
    }
  }

  public var rooms: [Room]
  public var devices: [String: Device]

  public init(rooms: [Room] = [], devices: [Device] = []) {
    self.rooms = rooms
    self.devices = Dictionary(devices.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
  }

  public static let empty = Inventory()

  /// The inventory's word wins over the topic's: a school relabels, the device does not.
  public func apply(to message: DecodedMessage) -> DecodedMessage {
    guard let entry = devices[message.device.id] else { return message }
    var message = message
    if let room = entry.room { message.device.room = room }
    if let kind = entry.kind { message.device.kind = kind }
    if let name = entry.name { message.device.name = name }
    // For a metered legacy device "on" means drawing power, whatever the plug's relay says: a relay
    // that is on says nothing about the device (it may be on standby); a relay that is off does.
    if let threshold = entry.onAboveWatts, case .readings(var readings) = message.content {
      readings.removeAll { $0.metric == "power_on" && $0.value != 0 }
      if readings.contains(where: { $0.metric == "power" }) {
        readings.removeAll { $0.metric == "power_on" }
      }
      if let power = readings.first(where: { $0.metric == "power" }) {
        readings.append(
          Reading(
            metric: "power_on", value: power.value > threshold ? 1 : 0, time: power.time,
            receiptTimed: power.receiptTimed))
      }
      message.content = .readings(readings)
    }
    return message
  }
}
