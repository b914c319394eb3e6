import Decode
import DeviceModel
import Profiles

/// What decoding needs, built from the config: the native protocol, the profiles and the inventory.
/// Built at start and again on SIGHUP; a failure leaves the running set untouched.
struct DecodingSetup {
  var chain: DecoderChain
  var filters: [String]
  var profiles: ProfileSet
  var inventory: Inventory

  static func load(_ config: AgentConfig) throws(ConfigError) -> DecodingSetup {
    let profiles: ProfileSet
    let inventory: Inventory
    do throws(ProfileError) {
      profiles = try ProfileSet.load(directories: config.profileDirectories)
      inventory =
        try config.inventoryPath.map { path throws(ProfileError) in
          try InventoryParser.load(file: path)
        } ?? .empty
    } catch {
      throw ConfigError(problems: [
        .init(location: error.location, key: error.key, message: error.message)
      ])
    }
    let native = NativeDecoder(
      prefix: config.nativePrefix, limits: config.decodeLimits, pseudonymizer: config.cardPseudonymizer)
    let chain = DecoderChain(
      [native] + profiles.decoders(limits: config.decodeLimits, pseudonymizer: config.cardPseudonymizer),
      limits: config.decodeLimits, inventory: inventory)
    let filters = config.ingest.subscriptions.map(\.filter) + profiles.filters
    return DecodingSetup(chain: chain, filters: filters, profiles: profiles, inventory: inventory)
  }
}
