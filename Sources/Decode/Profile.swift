import DeviceModel

/// A device family's topics and payloads, as declared in a profile file (see Devices/README.md).
/// Pure data: the Profiles module builds it from TOML; ProfileDecoder applies it.
public struct Profile: Sendable, Equatable {
  public var name: String
  public var summary: String
  /// Where it was loaded from, for `classgate profiles list` and error messages.
  public var file: String
  public var kind: DeviceKind
  public var rules: [Rule]
  /// `device_names_unique = true`: the names this profile's topics carry are unique in the
  /// school, so a `{room}` capture does not become part of the device id. False (the default):
  /// the id is `<room>:<name>`, and two rooms' `co2` never merge.
  public var deviceNamesUnique: Bool

  public init(
    name: String, summary: String, file: String, kind: DeviceKind, rules: [Rule],
    deviceNamesUnique: Bool = false
  ) {
    self.name = name
    self.summary = summary
    self.file = file
    self.kind = kind
    self.rules = rules
    self.deviceNamesUnique = deviceNamesUnique
  }

  /// One `[[topics]]` entry. Within a profile the first matching rule wins.
  public struct Rule: Sendable, Equatable {
    public var pattern: TopicPattern
    public var kind: DeviceKind?
    /// Only when this payload field equals this text (e.g. Shelly's `method` = `NotifyStatus`).
    public var condition: Condition?
    public var content: Content
    /// Its `[[topics]]` entry in the file, from 1 (an entry listing several patterns gives several
    /// rules); 0 when built in code.
    public var entry: Int

    public init(
      pattern: TopicPattern, kind: DeviceKind? = nil, condition: Condition? = nil, content: Content,
      entry: Int = 0
    ) {
      self.pattern = pattern
      self.kind = kind
      self.condition = condition
      self.content = content
      self.entry = entry
    }
  }

  public struct Condition: Sendable, Equatable {
    public var path: FieldPath
    /// nil: the field only has to be present (Zigbee2MQTT's `battery` on battery devices).
    public var equals: String?
    public init(path: FieldPath, equals: String?) {
      self.path = path
      self.equals = equals
    }
  }

  public enum Content: Sendable, Equatable {
    case telemetry(Telemetry)
    case availability(Availability)
    case event(Event)
    /// Known and deliberately not stored (e.g. a bridge's own topics).
    case ignore
  }

  public struct Telemetry: Sendable, Equatable {
    public enum Payload: String, Sendable, Equatable {
      /// A JSON object; `fields` are paths into it.
      case json
      /// The whole payload is one value (`612`, `23.5`, `ON`): ESPHome's state topics, Tasmota's
      /// `stat/<topic>/POWER`. `fields` are keyed by the topic's `{metric}` level (path of one
      /// key), or by the empty key for a rule with one fixed metric.
      case text
    }

    public var timestamp: FieldPath?
    public var fields: [FieldMapping]
    public var payload: Payload
    /// Fields deliberately not read (not reported as "not mapped"); keys may be `*`.
    public var ignored: [FieldPath]
    /// The number of a device's first channel (Shelly counts from 0, Tasmota from 1): that
    /// channel is the device itself, channel N is the device `<id>.N`. Set (`first_channel`), it
    /// also makes an array value one channel per element (Tasmota's `"Power":[45,0]`); nil: the
    /// first channel is 0 and an array is the wrong type.
    public var firstChannel: Int?

    public init(
      timestamp: FieldPath? = nil, fields: [FieldMapping], payload: Payload = .json,
      ignored: [FieldPath] = [],
      firstChannel: Int? = nil
    ) {
      self.timestamp = timestamp
      self.fields = fields
      self.payload = payload
      self.ignored = ignored
      self.firstChannel = firstChannel
    }
  }

  public struct FieldMapping: Sendable, Equatable {
    public var path: FieldPath
    public var metric: String
    /// value × scale + offset, e.g. Wh → kWh is scale 0.001.
    public var scale: Double
    public var offset: Double
    /// Text values → numbers ("ON" → 1); compared case-insensitively.
    public var map: [String: Double]
    /// The unit the device sends (`mV`), converted to the metric's canonical unit (see `Units`).
    public var unit: String?
    /// A payload field naming the unit (Tasmota's `TempUnit`); a unit ClassGate cannot convert
    /// is noted and the value not stored. Absent from the payload: `unit`, else canonical.
    public var unitField: FieldPath?

    public init(
      path: FieldPath, metric: String, scale: Double = 1, offset: Double = 0, map: [String: Double] = [:],
      unit: String? = nil, unitField: FieldPath? = nil
    ) {
      self.path = path
      self.metric = metric
      self.scale = scale
      self.offset = offset
      self.map = map
      self.unit = unit
      self.unitField = unitField
    }
  }

  public struct Availability: Sendable, Equatable {
    /// A JSON field holding the state (Zigbee2MQTT's `{"state":"online"}`); plain text is accepted too.
    public var field: FieldPath?
    public var online: [String]
    public var offline: [String]
    public init(field: FieldPath? = nil, online: [String], offline: [String]) {
      self.field = field
      self.online = online
      self.offline = offline
    }
  }

  public struct Event: Sendable, Equatable {
    public var type: String
    public var timestamp: FieldPath?
    /// Payload fields kept in the event's data (all others are dropped), as (path, name).
    public var fields: [(path: FieldPath, name: String)]

    public init(type: String, timestamp: FieldPath? = nil, fields: [(path: FieldPath, name: String)]) {
      self.type = type
      self.timestamp = timestamp
      self.fields = fields
    }

    public static func == (a: Event, b: Event) -> Bool {
      a.type == b.type && a.timestamp == b.timestamp
        && a.fields.map(\.path) == b.fields.map(\.path) && a.fields.map(\.name) == b.fields.map(\.name)
    }
  }
}

/// A dotted path into a JSON payload: `ENERGY.Power`, `params.switch:0.aenergy.total`.
/// A key that itself contains a dot is written in quotes in the profile file and kept whole here.
/// A key may be `*` (any key) or end in `{channel}` (`switch:{channel}`: any key starting with
/// `switch:`, whose rest is the channel); a value that is an array gives one channel per element.
public struct FieldPath: Sendable, Equatable, Hashable, CustomStringConvertible {
  public var keys: [String]
  public init(_ keys: [String]) { self.keys = keys }
  public init(dotted: String) {
    keys = dotted.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
  }
  public var description: String { keys.joined(separator: ".") }
}
