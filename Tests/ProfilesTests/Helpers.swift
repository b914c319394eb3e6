import Decode
import DeviceModel
import Foundation
import Profiles
import TestSupport
import Testing

/// The package root, from this file's path: Tests/ProfilesTests/Helpers.swift → ../../..
let packageRoot = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// The shipped profiles and the demo inventory, the real files.
let devicesDirectory = packageRoot + "/Devices"
let demoInventoryFile = devicesDirectory + "/demo-inventory.toml"

/// The receipt time used throughout: 2025-11-29T08:00:00Z.
let receivedAt: EpochMillis = 1_764_403_200_000

func shippedSet() throws -> ProfileSet {
  try ProfileSet.load(directories: [devicesDirectory], required: true)
}

func demoInventory() throws -> Inventory {
  try InventoryParser.load(file: demoInventoryFile)
}

/// The shipped profile called `name`.
func shippedProfile(_ name: String) throws -> Profile {
  let set = try shippedSet()
  return try #require(set.profiles.first { $0.name == name }, "no shipped profile '\(name)'")
}

/// The chain the agent builds: the native protocol first, then the shipped profiles.
func shippedChain(inventory: Inventory = .empty, limits: DecodeLimits = DecodeLimits()) throws
  -> DecoderChain
{
  DecoderChain(
    [NativeDecoder(limits: limits)] + (try shippedSet()).decoders(limits: limits), limits: limits,
    inventory: inventory)
}

/// Decodes `payload` (UTF-8 text) with one shipped profile alone; nil when it does not claim the topic.
func decode(_ topic: String, _ payload: String, profile name: String) throws -> DecodeResult? {
  let decoder = ProfileDecoder(profile: try shippedProfile(name))
  return decoder.decode(topic: topic, payload: Array(payload.utf8), receivedAt: receivedAt)
}

/// Decodes through the whole shipped chain, as the ingest loop would.
func decodeChain(_ topic: String, _ payload: String, inventory: Inventory = .empty) throws
  -> DecodeResult
{
  try shippedChain(inventory: inventory).decode(
    topic: topic, payload: Array(payload.utf8), receivedAt: receivedAt)
}

/// A decoded message with `readings` from `device`, the fields it noted and not stored, and the
/// messages of its other channels.
func telemetry(
  _ device: DeviceIdentity, _ readings: [Reading], notes: [FieldNote] = [], channels: [DecodedMessage] = []
) -> DecodeResult {
  .decoded(DecodedMessage(device: device, content: .readings(readings), notes: notes, channels: channels))
}

/// Channel `channel` of `device`: the device `<id>.<channel>` with these readings.
func channel(_ device: DeviceIdentity, _ channel: String, _ readings: [Reading]) -> DecodedMessage {
  var identity = device
  identity.id = "\(device.id).\(channel)"
  identity.name = device.name.map { "\($0) (\(channel))" }
  return DecodedMessage(device: identity, content: .readings(readings))
}

/// "not mapped: <field>" notes.
func notMapped(_ fields: String...) -> [FieldNote] {
  fields.map { FieldNote(field: $0, reason: .notMapped) }
}

/// A decoded availability message from `device`, at the receipt time.
func status(_ device: DeviceIdentity, _ status: DeviceStatus) -> DecodeResult {
  .decoded(DecodedMessage(device: device, content: .status(status, time: receivedAt)))
}

/// Readings without a device timestamp: at the receipt time, marked receipt-timed.
func received(_ pairs: KeyValuePairs<String, Double>) -> [Reading] {
  pairs.map { Reading(metric: $0.key, value: $0.value, time: receivedAt, receiptTimed: true) }
}

/// Readings at the device's own timestamp `time`, from (metric, value) pairs in order.
func at(_ time: EpochMillis, _ pairs: KeyValuePairs<String, Double>) -> [Reading] {
  pairs.map { Reading(metric: $0.key, value: $0.value, time: time) }
}

/// A decoded message, or nil.
func message(_ result: DecodeResult?) -> DecodedMessage? {
  guard case .decoded(let message)? = result else { return nil }
  return message
}

/// True when some MQTT subscription filter in `filters` receives `topic` (same rules as the broker).
func isSubscribed(_ topic: String, by filters: [String]) throws -> Bool {
  let levels = topic.split(separator: "/", omittingEmptySubsequences: false)
  for filter in filters where try TopicPattern(filter).match(levels) != nil {
    return true
  }
  return false
}

/// A profile directory for one test, removed at the end.
final class ProfileDirectory {
  let directory = TemporaryDirectory(prefix: "classgate-profiles")
  var path: String { directory.path }

  deinit { directory.remove() }

  @discardableResult
  func write(_ name: String, _ contents: String) throws -> String {
    try directory.write(name, contents)
  }

  func file(_ name: String) -> String { directory.file(name) }
}

/// The error `ProfileSet.load` refuses `directories` with, as the agent prints it; records an
/// issue when they load.
func loadError(_ directories: [String], sourceLocation: SourceLocation = #_sourceLocation) -> ProfileError? {
  do {
    _ = try ProfileSet.load(directories: directories)
    Issue.record("expected the profiles to be refused, but they loaded", sourceLocation: sourceLocation)
    return nil
  } catch {
    return error
  }
}

/// Writes `contents` as the only profile file of a fresh directory and returns the load error's
/// description (file, line, key, message).
func profileFileError(_ contents: String, sourceLocation: SourceLocation = #_sourceLocation) throws
  -> (file: String, description: String?)
{
  let directory = ProfileDirectory()
  let file = try directory.write("site.toml", contents)
  return (file, loadError([directory.path], sourceLocation: sourceLocation)?.description)
}

/// The error the inventory `contents` is refused with; records an issue when it loads.
func inventoryError(_ contents: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
  do {
    _ = try InventoryParser.parse(contents, file: "school-inventory.toml")
    Issue.record("expected the inventory to be refused, but it loaded", sourceLocation: sourceLocation)
    return nil
  } catch {
    return error.description
  }
}
