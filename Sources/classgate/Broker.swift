import ArgumentParser
import DeviceModel
import EventLoop
import Glibc

extension ClassGate {
  struct BrokerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "broker", abstract: "Manage the school broker's device accounts.",
      subcommands: [AddDevice.self, AddAgent.self])
  }
}

extension ClassGate.BrokerCommand {
  struct AddDevice: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "add-device",
      abstract: "Create (or reset) a device's broker credentials.",
      discussion: """
        The device's MQTT username is its id; the ACL in Systemd/mosquitto-classgate.acl then lets \
        it publish only under its own topics. Prints the new password once. Reload mosquitto \
        afterwards (systemctl reload mosquitto).
        """)

    @Argument(help: "The device id (letters, digits, - _ . :).") var id: String
    @Option(help: "mosquitto's password file.") var passwordFile = "/etc/mosquitto/classgate.passwd"
    @Option(help: "Use this password instead of a random one (it appears in the process list briefly).")
    var password: String?

    static let reserved: Set<String> = ["classgate", "zigbee2mqtt"]

    func validate() throws {
      guard Identifier.isValid(id) else {
        throw ValidationError("Please give a device id of letters, digits, '-', '_', '.' or ':'.")
      }
      guard !Self.reserved.contains(id) else {
        throw ValidationError("'\(id)' is a service account in the ACL, not a device.")
      }
    }

    func run() throws {
      let secret = try password ?? Self.randomPassword()
      var arguments = ["-b", passwordFile, id, secret]
      if access(passwordFile, F_OK) != 0 { arguments.insert("-c", at: 0) }
      guard let result = Subprocess.run(["/usr/bin/mosquitto_passwd"] + arguments, captureOutput: false)
      else {
        throw CLIError("cannot run /usr/bin/mosquitto_passwd (is mosquitto installed?)")
      }
      let status = result.status
      guard status == 0 else { throw CLIError("mosquitto_passwd failed (exit \(status)) on \(passwordFile)") }
      chmod(passwordFile, 0o640)
      print(
        """
        Created credentials for \(id) in \(passwordFile).
        Username: \(id)
        Password: \(secret)   (shown once; configure it on the device now)
        It may publish: classgate/<room>/<kind>/\(id)/telemetry|status|event, tele/\(id)/…, stat/\(id)/…, shelly/\(id)/…
        Reload the broker: systemctl reload mosquitto
        """)
    }

    /// 24 characters from /dev/urandom, letters and digits only (easy to type into a device UI).
    static func randomPassword() throws -> String {
      guard let file = fopen("/dev/urandom", "rb") else { throw CLIError("cannot read /dev/urandom") }
      defer { fclose(file) }
      let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
      var bytes = [UInt8](repeating: 0, count: 24)
      guard fread(&bytes, 1, bytes.count, file) == bytes.count else {
        throw CLIError("short read from /dev/urandom")
      }
      return String(bytes.map { alphabet[Int($0) % alphabet.count] })
    }
  }
}
