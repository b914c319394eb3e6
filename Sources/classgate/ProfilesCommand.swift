import Agent
import ArgumentParser
import Decode
import DeviceModel
import EventLoop
import JSON
import Profiles

extension ClassGate {
  struct ProfilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "profiles",
      abstract: "List the device profiles, or try one topic and payload against them.",
      subcommands: [List.self, Try.self, Unmapped.self])
  }
}

/// Where the profiles, the inventory and the native prefix come from: flags, else the config file.
struct ProfileOptions: ParsableArguments {
  @OptionGroup var global: GlobalOptions

  var config: String { global.config }
  var json: Bool { global.json }

  @Option(
    name: .customLong("profiles"), help: "A profile directory (repeatable; replaces the config's list).")
  var directories: [String] = []

  @Option(help: "The school inventory file (default: inventory.path from the config).")
  var inventory: String?

  func load() throws -> (set: ProfileSet, inventory: Inventory, nativePrefix: String, cardSecretFile: String?)
  {
    do {
      let peek = try ConfigPeek(configFile: config)
      let set = try ProfileSet.load(
        directories: directories.isEmpty ? try peek.profileDirectories : directories,
        required: !directories.isEmpty)
      let inventoryFile = try inventory ?? peek.inventoryPath
      let loaded = try inventoryFile.map { try InventoryParser.load(file: $0) } ?? .empty
      return (set, loaded, try peek.nativePrefix, try peek.cardSecretFile)
    } catch let error as ProfileError {
      throw CLIError(error.description)
    } catch {
      throw CLIError("\(error)")
    }
  }
}

extension ClassGate.ProfilesCommand {
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List profiles: name, kind, topics and file.")

    @OptionGroup var options: ProfileOptions

    func run() throws {
      let (set, _, prefix, _) = try options.load()
      let nativeTopics = ["\(prefix)/{room}/{kind}/{device}/telemetry|status|event"]
      if options.json {
        var entries: [JSONValue] = [
          .object(
            JSONObject([
              ("name", .string("native")), ("kind", .string("from topic")),
              ("topics", .array(nativeTopics.map(JSONValue.string))), ("file", .string("(built in)")),
            ]))
        ]
        for profile in set.profiles {
          entries.append(
            .object(
              JSONObject([
                ("name", .string(profile.name)), ("kind", .string(profile.kind.rawValue)),
                ("topics", .array(profile.rules.map { .string($0.pattern.description) })),
                ("file", .string(profile.file)), ("summary", .string(profile.summary)),
              ])))
        }
        JSONOutput.print(.object(JSONObject([("profiles", .array(entries))])))
        return
      }
      var table = TextTable(headers: ["NAME", "KIND", "TOPICS", "FILE"], keepEnd: [3])
      table.append(["native", "from topic", nativeTopics[0], "(built in)"])
      for profile in set.profiles {
        for (index, rule) in profile.rules.enumerated() {
          table.append(
            index == 0
              ? [profile.name, profile.kind.rawValue, rule.pattern.description, profile.file]
              : ["", "", rule.pattern.description, ""])
        }
      }
      print(table.render())
      for entry in set.overridden {
        print("note: \(Terminal.clean(entry.file)) is replaced by \(Terminal.clean(entry.by))")
      }
    }
  }

  struct Try: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "test",
      abstract: "Decode one topic and payload as the agent would, and say why if nothing matches.")

    @OptionGroup var options: ProfileOptions

    @Argument(help: "The MQTT topic, e.g. tele/plug-101/SENSOR.")
    var topic: String

    // Captures what option parsing would refuse, so a payload that starts with '-' ("-3.2", an
    // ESPHome temperature) works with or without a '--' before it.
    @Argument(
      parsing: .allUnrecognized,
      help: ArgumentHelp(
        "The payload, e.g. '{\"ENERGY\":{\"Power\":45}}' or -3.2.", valueName: "payload"))
    var payloadArguments: [String] = []

    var payload: String { payloadArguments.first { $0 != "--" } ?? "" }

    func validate() throws {
      let parts = payloadArguments.filter { $0 != "--" }
      guard parts.count == 1 else {
        throw ValidationError(
          parts.isEmpty
            ? "Please give the payload after the topic (quote it: '{\"temperature\":22}')."
            : "Please give one payload (quote it as one argument); found \(parts.count): \(parts.map { "'\($0.prefix(20))'" }.joined(separator: " "))."
        )
      }
    }

    func run() throws {
      let (set, inventory, prefix, secretFile) = try options.load()
      let limits = DecodeLimits()
      // As the agent does: card ids become pseudonyms with the config's secret, else are dropped.
      let pseudonymizer: CardPseudonymizer?
      let privacyNote: String
      if let secretFile {
        do {
          pseudonymizer = try AgentConfig.loadCardSecret(file: secretFile)
          privacyNote = "card ids are pseudonymised with the secret in \(secretFile)"
        } catch {
          pseudonymizer = nil
          privacyNote = "card ids are shown dropped: cannot use privacy.secret_file: \(error)"
        }
      } else {
        pseudonymizer = nil
        privacyNote = "card ids are dropped: no privacy.secret_file in the configuration"
      }
      let router = set.router(limits: limits, pseudonymizer: pseudonymizer)
      let chain = DecoderChain(
        [NativeDecoder(prefix: prefix, limits: limits, pseudonymizer: pseudonymizer), router], limits: limits,
        inventory: inventory)
      if PersonalData.mayContain(Array(payload.utf8)) { printError("note: \(privacyNote)") }
      let now = Clock.wallMs()
      let (decoder, result) = chain.explain(topic: topic, payload: Array(payload.utf8), receivedAt: now)
      // Which rule decided and why (none when the native protocol took the topic).
      let rules =
        decoder == "native"
        ? [] : router.explanation(topic: topic, payload: Array(payload.utf8), receivedAt: now)
      if options.json {
        JSONOutput.print(
          (ProfileTestOutput.json(
            topic: topic, decoder: decoder, result: result, rules: rules,
            time: SchoolTime.of(configFile: options.config))))
      } else {
        print(
          ProfileTestOutput.text(
            topic: topic, decoder: decoder, result: result, filters: set.filters, rules: rules,
            time: SchoolTime.of(configFile: options.config)))
      }
      if case .deadLetter = result { throw ExitCode(2) }
    }
  }
}
