import ArgumentParser
import EventLoop
import Glibc

extension ClassGate.BrokerCommand {
  /// The first-run step no one could find: the agent's own broker account and the password file
  /// the config names (local_broker.password_file), made together so that they match.
  struct AddAgent: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "add-agent",
      abstract: "Create (or reset) the agent's own broker account and its password file.",
      discussion: """
        Writes a new random password to the agent's password file (mode 600, owned by the service \
        user) and sets it for the account in mosquitto's password file. The password is never \
        printed. Restart or reload mosquitto afterwards, then the agent.

        Examples:
          classgate broker add-agent
          classgate broker add-agent --agent-password-file /etc/classgate/broker.pass --user classgate
        """)

    @Option(help: "mosquitto's password file.") var passwordFile = "/etc/mosquitto/classgate.passwd"
    @Option(help: "The file local_broker.password_file names.")
    var agentPasswordFile = "/etc/classgate/broker.pass"
    @Option(help: "The broker account (local_broker.username).") var username = "classgate"
    @Option(help: "The account the agent runs as: it alone may read the password file.")
    var user = "classgate"

    func run() throws {
      let secret = try ClassGate.BrokerCommand.AddDevice.randomPassword()
      // Created 0600 before the secret goes in, then handed to the service user.
      let descriptor = open(agentPasswordFile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
      guard descriptor >= 0 else {
        throw CLIError("cannot write \(agentPasswordFile): \(String(cString: strerror(errno)))")
      }
      let bytes = Array((secret + "\n").utf8)
      let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
      fchmod(descriptor, 0o600)
      close(descriptor)
      guard written == bytes.count else { throw CLIError("cannot write \(agentPasswordFile)") }
      if let account = getpwnam(user) {
        chown(agentPasswordFile, account.pointee.pw_uid, account.pointee.pw_gid)
      } else {
        printError("note: no account \(user): \(agentPasswordFile) stays owned by this user")
      }
      var arguments = ["-b", passwordFile, username, secret]
      if access(passwordFile, F_OK) != 0 { arguments.insert("-c", at: 0) }
      guard let result = Subprocess.run(["/usr/bin/mosquitto_passwd"] + arguments, captureOutput: false)
      else {
        throw CLIError("cannot run /usr/bin/mosquitto_passwd (is mosquitto installed?)")
      }
      guard result.status == 0 else {
        throw CLIError("mosquitto_passwd failed (exit \(result.status)) on \(passwordFile)")
      }
      chmod(passwordFile, 0o640)
      print(
        """
        Set the password of broker account \(username) in \(passwordFile) and wrote it to \(agentPasswordFile) (mode 600, owner \(user)).
        Next: systemctl reload mosquitto; classgate run --check; systemctl restart classgate
        """)
    }
  }
}
