import Agent
import TestSupport
import Testing

@Suite("AgentConfig.load: [profiles] and [inventory]")
struct ProfilesConfigTests {
  @Test("profiles.directories from the file, in the order written")
  func directoriesFromFile() throws {
    let config = try ConfigDirectory().load(
      """
      school_id = "s1"
      [profiles]
      directories = ["/usr/share/classgate/devices", "/etc/classgate/devices", "/srv/q1/devices"]
      """)
    #expect(
      config.profileDirectories == [
        "/usr/share/classgate/devices", "/etc/classgate/devices", "/srv/q1/devices",
      ])
  }

  @Test("profiles.directories over several lines, and an empty list")
  func multiLineAndEmpty() throws {
    let files = ConfigDirectory()
    let multiLine = try files.load(
      """
      school_id = "s1"
      [profiles]
      directories = [
        "/srv/devices",  # the site's own
        "/srv/more",
      ]
      """)
    #expect(multiLine.profileDirectories == ["/srv/devices", "/srv/more"])
    #expect(try files.load("school_id = \"s1\"\n[profiles]\ndirectories = []\n").profileDirectories == [])
  }

  @Test("CLASSGATE_PROFILES_DIRECTORIES wins over the file, split at ':' like PATH")
  func directoriesFromEnvironment() throws {
    let files = ConfigDirectory()
    let file = """
      school_id = "s1"
      [profiles]
      directories = ["/from/file"]
      """
    #expect(
      try files.load(
        file, environment: ["CLASSGATE_PROFILES_DIRECTORIES": "/opt/classgate/devices:/srv/devices"]
      )
      .profileDirectories == ["/opt/classgate/devices", "/srv/devices"])
    #expect(
      try files.load(file, environment: ["CLASSGATE_PROFILES_DIRECTORIES": "/only/one"]).profileDirectories
        == ["/only/one"])
    #expect(try files.load(file).profileDirectories == ["/from/file"])
    // The environment alone, with no [profiles] in the file.
    #expect(
      try files.load("school_id = \"s1\"\n", environment: ["CLASSGATE_PROFILES_DIRECTORIES": "/a:/b:/c"])
        .profileDirectories == ["/a", "/b", "/c"])
  }

  @Test("inventory.path from the file, and CLASSGATE_INVENTORY_PATH over it")
  func inventoryPath() throws {
    let files = ConfigDirectory()
    let file = "school_id = \"s1\"\n[inventory]\npath = \"/srv/q1/inventory.toml\"\n"
    #expect(try files.load(file).inventoryPath == "/srv/q1/inventory.toml")
    #expect(
      try files.load(file, environment: ["CLASSGATE_INVENTORY_PATH": "/etc/classgate/inventory.toml"])
        .inventoryPath
        == "/etc/classgate/inventory.toml")
  }

  @Test("profiles.directories given as one string names file, line and key")
  func directoriesAsString() throws {
    let error = try #require(
      try ConfigDirectory().error("school_id = \"s1\"\n[profiles]\ndirectories = \"/srv/devices\"\n"))
    #expect(
      error.problems.map(\.description) == [
        "classgate.toml line 3: key 'profiles.directories': expected a list of strings, found string"
      ])
    #expect(error.problems.first?.location == "classgate.toml line 3")
    #expect(error.problems.first?.key == "profiles.directories")
  }

  @Test("profiles.directories with a number in the list names file, line and key")
  func directoriesWithNumber() throws {
    let files = ConfigDirectory()
    let error = try #require(
      try files.error("school_id = \"s1\"\n\n[profiles]\ndirectories = [\"/srv/devices\", 5]\n"))
    #expect(
      error.problems.map(\.description) == [
        "classgate.toml line 4: key 'profiles.directories': expected a list of strings, found an element that is integer"
      ])
    #expect(error.problems.first?.location == "classgate.toml line 4")
    #expect(error.problems.first?.key == "profiles.directories")
    // A list spread over lines is reported at its key's line.
    #expect(
      try files.problems("school_id = \"s1\"\n[profiles]\ndirectories = [\n  \"/a\",\n  [\"/b\"],\n]\n") == [
        "classgate.toml line 3: key 'profiles.directories': expected a list of strings, found an element that is array"
      ])
  }

  @Test("inventory.path that is not a string")
  func inventoryPathWrongType() throws {
    #expect(
      try ConfigDirectory().problems("school_id = \"s1\"\n[inventory]\npath = [\"/a\"]\n") == [
        "classgate.toml line 3: key 'inventory.path': expected a string, found array"
      ])
  }

  @Test("unknown keys in [profiles] and [inventory] list each section's keys")
  func unknownKeys() throws {
    let files = ConfigDirectory()
    #expect(
      try files.problems("school_id = \"s1\"\n[profiles]\ndirectory = [\"/a\"]\n") == [
        "classgate.toml line 3: key 'profiles.directory': unknown key (known in [profiles]: directories)"
      ])
    #expect(
      try files.problems("school_id = \"s1\"\n[inventory]\nfile = \"/a.toml\"\n") == [
        "classgate.toml line 3: key 'inventory.file': unknown key (known in [inventory]: path)"
      ])
  }
}

@Suite("ConfigPeek: profiles, inventory and a missing file")
struct ConfigPeekProfilesTests {
  @Test("profile directories default to the shipped and the site's directory, as the agent's do")
  func defaultDirectories() throws {
    let files = ConfigDirectory()
    let path = try files.write("school_id = \"s1\"\n[store]\npath = \"/srv/q1.db\"\n")
    #expect(try ConfigPeek(configFile: path, mustExist: true).profileDirectories == defaultProfileDirectories)
    #expect(ConfigPeek.defaultProfileDirectories == defaultProfileDirectories)
    #expect(
      try AgentConfig.load(path: path, environment: [:]).profileDirectories == defaultProfileDirectories)
  }

  @Test("profile directories, inventory path and native prefix from the file, without validating the rest")
  func fromFile() throws {
    let files = ConfigDirectory()
    let path = try files.write(
      """
      colour = "blue"
      [native]
      prefix = "school/q1"
      [profiles]
      directories = ["/srv/devices", "/srv/more"]
      [inventory]
      path = "/srv/inventory.toml"
      """)
    let peek = try ConfigPeek(configFile: path, mustExist: true)
    #expect(try peek.profileDirectories == ["/srv/devices", "/srv/more"])
    #expect(try peek.inventoryPath == "/srv/inventory.toml")
    #expect(try peek.nativePrefix == "school/q1")
    #expect(try peek.storePath == "/var/lib/classgate/classgate.db")
  }

  @Test("profile directories that are not a list of strings name file, line and key")
  func directoriesWrongType() throws {
    let files = ConfigDirectory()
    for value in [#""/srv/devices""#, #"["/srv/devices", 5]"#] {
      let path = try files.write("school_id = \"s1\"\n[profiles]\ndirectories = \(value)\n")
      let error = #expect(throws: ConfigError.self, "\(value)") {
        _ = try ConfigPeek(configFile: path).profileDirectories
      }
      #expect(
        error?.description == "classgate.toml line 3: key 'profiles.directories': expected a list of strings",
        "\(value)")
    }
  }

  @Test("a missing file with mustExist false reads as every default")
  func missingFileReadsAsDefaults() throws {
    let files = ConfigDirectory()
    let absent = files.file("absent.toml")
    for peek in [try ConfigPeek(configFile: absent, mustExist: false), try ConfigPeek(configFile: absent)] {
      #expect(try peek.storePath == ConfigPeek.defaultStorePath)
      #expect(try peek.profileDirectories == defaultProfileDirectories)
      #expect(try peek.nativePrefix == "classgate")
      #expect(try peek.inventoryPath == nil)
    }
  }

  @Test("a file that exists but cannot be read is an error even with mustExist false")
  func unreadableFile() throws {
    let files = ConfigDirectory()
    let directory = files.directory.path
    let error = #expect(throws: ConfigError.self) {
      _ = try ConfigPeek(configFile: directory, mustExist: false)
    }
    #expect(error?.description == "\(directory): cannot read \(directory): Is a directory")
  }
}
