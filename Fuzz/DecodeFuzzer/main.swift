// libFuzzer entry point: Fuzz/run.sh builds this with `swift build --sanitize fuzzer` (then
// SwiftPM compiles it as a library and libFuzzer provides `main`). In an ordinary build it is an
// executable that does nothing.
//
// CLASSGATE_FUZZ_TARGET picks what is fuzzed:
//   decode (default)  input = topic, "\n", payload; through the native decoder and the shipped
//                     profiles (CLASSGATE_DEVICES) with a card secret and the demo inventory
//   json              input = a JSON document
//   toml              input = a profile file (TOML), through ProfileParser
// A broken invariant traps, which libFuzzer reports as a crash with the input saved.

import Decode
import DeviceModel
import JSON
import Profiles
import TOML

#if canImport(Glibc)
  import Glibc
#endif

private enum Target { case decode, json, toml }

private struct Harness: @unchecked Sendable {
  let target: Target
  let chain: DecoderChain?
  static let receivedAt: EpochMillis = 1_764_403_200_000

  init() {
    let environment = { (name: String) in getenv(name).map { String(cString: $0) } }
    switch environment("CLASSGATE_FUZZ_TARGET") ?? "decode" {
    case "json": target = .json
    case "toml": target = .toml
    default: target = .decode
    }
    guard target == .decode else {
      chain = nil
      return
    }
    let devices = environment("CLASSGATE_DEVICES") ?? "Devices"
    do {
      let profiles = try ProfileSet.load(directories: [devices], required: true)
      let inventory = try InventoryParser.load(file: "\(devices)/demo-inventory.toml")
      let pseudonymizer = try CardPseudonymizer(secret: Array("0123456789abcdef0123456789abcdef".utf8))
      let limits = DecodeLimits()
      chain = DecoderChain(
        [NativeDecoder(limits: limits, pseudonymizer: pseudonymizer)]
          + profiles.decoders(limits: limits, pseudonymizer: pseudonymizer),
        limits: limits, inventory: inventory)
    } catch {
      fatalError("cannot load the profiles in \(devices) (set CLASSGATE_DEVICES): \(error)")
    }
  }

  func run(_ input: [UInt8]) {
    switch target {
    case .decode: decode(input)
    case .json: json(input)
    case .toml: toml(input)
    }
  }

  private func decode(_ input: [UInt8]) {
    let split = input.firstIndex(of: 0x0A) ?? input.endIndex
    let topic = String(decoding: input[..<split], as: UTF8.self)
    let payload = Array(input[min(input.count, split + 1)...])
    switch chain!.decode(topic: topic, payload: payload, receivedAt: Self.receivedAt) {
    case .ignored:
      break
    case .deadLetter(let reason):
      precondition(!reason.detail.isEmpty, "dead letter without a detail")
    case .decoded(let message):
      precondition(
        Identifier.isValid(message.device.id), "invalid device id \(message.device.id.debugDescription)")
      precondition(message.device.room.map(Identifier.isValid) ?? true, "invalid room")
      switch message.content {
      case .readings(let readings):
        for reading in readings {
          precondition(reading.value.isFinite, "non-finite \(reading.metric)")
          precondition(Identifier.isValidName(reading.metric[...]), "bad metric name")
        }
      case .status:
        break
      case .event(let event):
        precondition(Identifier.isValidName(event.type[...]), "bad event type")
        guard case .object(let data)? = try? JSONParser.parse(event.data) else {
          preconditionFailure("event data is not a JSON object")
        }
        // Only a pseudonym, at the top: personal fields are removed at any depth.
        for (key, value) in data where PersonalData.isPersonal(field: key) {
          precondition(
            key == "card" && value.stringValue?.hasPrefix(CardPseudonymizer.prefix) == true, "clear \(key)")
        }
        for (_, value) in data { precondition(!hasPersonalField(value), "a personal field below the top") }
      }
    }
  }

  private func hasPersonalField(_ value: JSONValue) -> Bool {
    switch value {
    case .object(let object):
      object.contains { PersonalData.isPersonal(field: $0.key) || hasPersonalField($0.value) }
    case .array(let items): items.contains(where: hasPersonalField)
    default: false
    }
  }

  private func json(_ input: [UInt8]) {
    guard let value = try? JSONParser.parse(input) else { return }
    let written = JSONWriter.compactBytes(value)
    precondition((try? JSONParser.parse(written, limits: .init(maxDepth: 64))) == value, "round trip differs")
  }

  private func toml(_ input: [UInt8]) {
    let text = String(decoding: input, as: UTF8.self)
    do {
      let profile = try ProfileParser.parse(text, file: "fuzz.toml")
      precondition(!profile.rules.isEmpty && Identifier.isValidName(profile.name[...]), "bad profile")
    } catch {
      precondition(error.line >= 1 && !error.message.isEmpty, "error without a line: \(error)")
    }
  }
}

nonisolated(unsafe) private var harness: Harness?

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  if harness == nil { harness = Harness() }
  harness!.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
  return 0
}
