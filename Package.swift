// swift-tools-version:6.0
import PackageDescription

// The targets follow the data: ingest → decode → buffer → rollup → uplink, plus the CLI.
// C libraries sit behind system-library shims; nothing above MQTTClient/SQLiteStore sees a pointer.
let package = Package(
  name: "ClassGate",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "classgate", targets: ["classgate"]),
    .executable(name: "classgate-ioc", targets: ["classgate-ioc"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
  ],
  targets: [
    // C shims
    .systemLibrary(
      name: "CMosquitto", pkgConfig: "libmosquitto", providers: [.apt(["libmosquitto-dev"])]),
    .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
    .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
    .systemLibrary(name: "CLinux"),
    // libcrypto (HMAC, X.509), which libmosquitto's TLS maps into the process anyway.
    .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),

    // Pure building blocks
    .target(name: "JSON"),
    .target(name: "TOML"),
    .target(name: "DeviceModel"),

    // Thin C wrappers
    .target(name: "MQTTClient", dependencies: ["CMosquitto"]),
    .target(name: "EventLoop", dependencies: ["CLinux"]),
    .target(name: "SQLiteStore", dependencies: ["CSQLite"]),
    .target(name: "PostgresClient", dependencies: ["CPostgres"]),
    .target(name: "LibCrypto", dependencies: ["COpenSSL"]),
    // The receiver's read-only page server: sockets over Glibc, one thread, poll(2).
    .target(name: "HTTPServer", dependencies: ["EventLoop"]),

    // Stages
    .target(
      name: "Decode",
      dependencies: ["DeviceModel", "JSON", "LibCrypto"]),
    .target(name: "Profiles", dependencies: ["Decode", "DeviceModel", "TOML", "EventLoop"]),
    .target(name: "Buffer", dependencies: ["DeviceModel", "SQLiteStore"]),
    .target(name: "Rollup", dependencies: ["DeviceModel"]),
    // What the read-only commands compute from the store (devices, stats, lessons, the uplink).
    .target(
      name: "Reports", dependencies: ["Buffer", "Rollup", "DeviceModel", "Uplink", "JSON", "SQLiteStore"]),
    .target(
      name: "Uplink",
      dependencies: [
        "Rollup", "Buffer", "MQTTClient", "EventLoop", "JSON", "DeviceModel", "SQLiteStore",
        .product(name: "Logging", package: "swift-log"),
      ]),
    // The IOC side: the reference receiver (IOC broker → PostgreSQL) and its city view.
    .target(
      name: "IOCReceiver",
      dependencies: [
        "PostgresClient", "MQTTClient", "EventLoop", "JSON", "TOML", "Agent", "DeviceModel", "Rollup",
        "HTTPServer", .product(name: "Logging", package: "swift-log"),
      ]),
    .target(name: "Simulator", dependencies: ["DeviceModel", "JSON"]),
    // Projectors over the LAN: PJLink (pure protocol), and the poller that publishes the native protocol.
    .target(name: "PJLink", dependencies: ["LibCrypto"]),
    .target(
      name: "PJLinkPoller",
      dependencies: [
        "PJLink", "MQTTClient", "EventLoop", .product(name: "Logging", package: "swift-log"),
      ]),
    .target(
      name: "Ingest",
      dependencies: [
        "MQTTClient", "EventLoop", "Decode", "Buffer", "DeviceModel",
        .product(name: "Logging", package: "swift-log"),
      ]),
    .target(
      name: "Agent",
      dependencies: [
        "Ingest", "Decode", "Profiles", "Buffer", "Rollup", "Uplink", "TOML", "MQTTClient", "EventLoop",
        "DeviceModel", "LibCrypto", "SQLiteStore", "PJLink",
        .product(name: "Logging", package: "swift-log"),
      ]),
    .executableTarget(
      name: "classgate",
      dependencies: [
        "Agent", "Buffer", "DeviceModel", "JSON", "EventLoop", "Decode", "Profiles", "Reports", "Simulator",
        "MQTTClient", "Rollup", "Uplink", "PJLink", "PJLinkPoller",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ]),

    .executableTarget(
      name: "classgate-ioc",
      dependencies: [
        "IOCReceiver", "PostgresClient", "Agent", "EventLoop", "JSON", "DeviceModel",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ]),

    // Benchmarks (scripts in Benchmarks/ build these in release mode)
    .executableTarget(
      name: "ingest-bench", dependencies: ["MQTTClient", "Buffer", "EventLoop"],
      path: "Benchmarks/IngestBench"),
    .executableTarget(
      name: "store-synth",
      dependencies: ["Buffer", "SQLiteStore", "DeviceModel", "Rollup", "Uplink", "Simulator", "EventLoop"],
      path: "Benchmarks/StoreSynth"),
    .executableTarget(
      name: "ioc-fleet-bench", dependencies: ["MQTTClient", "EventLoop", "JSON"],
      path: "Benchmarks/IOCFleetBench"),
    .executableTarget(
      name: "ioc-latency-probe", dependencies: ["MQTTClient", "EventLoop", "PostgresClient"],
      path: "Benchmarks/IOCLatencyProbe"),

    // libFuzzer harness: Fuzz/run.sh builds it with --sanitize fuzzer (a no-op executable otherwise)
    .executableTarget(
      name: "DecodeFuzzer", dependencies: ["Decode", "Profiles", "DeviceModel", "JSON", "TOML"],
      path: "Fuzz/DecodeFuzzer"),

    // Tests
    .testTarget(name: "JSONTests", dependencies: ["JSON"]),
    .testTarget(name: "TOMLTests", dependencies: ["TOML"]),
    .testTarget(name: "DecodeTests", dependencies: ["Decode", "DeviceModel", "JSON", "TestSupport"]),
    .testTarget(
      name: "SimulatorTests", dependencies: ["Simulator", "Profiles", "Decode", "DeviceModel", "Rollup"]),
    .testTarget(name: "ProfilesTests", dependencies: ["Profiles", "Decode", "DeviceModel", "TestSupport"]),
    .testTarget(name: "RollupTests", dependencies: ["Rollup", "DeviceModel"]),
    .testTarget(
      name: "UplinkTests",
      dependencies: [
        "Uplink", "Rollup", "Buffer", "SQLiteStore", "JSON", "DeviceModel", "TestSupport", "EventLoop",
        "MQTTClient",
        .product(name: "Logging", package: "swift-log"),
      ]),
    .testTarget(name: "PostgresClientTests", dependencies: ["PostgresClient", "TestSupport"]),
    .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "TestSupport"]),
    .testTarget(
      name: "IOCTests",
      dependencies: ["IOCReceiver", "PostgresClient", "JSON", "TestSupport", "classgate", "classgate-ioc"]),
    .testTarget(
      name: "StoreTests", dependencies: ["SQLiteStore", "Buffer", "DeviceModel", "Reports", "Uplink"]),
    .testTarget(name: "IngestPolicyTests", dependencies: ["Ingest", "EventLoop"]),
    .testTarget(name: "MQTTClientTests", dependencies: ["MQTTClient", "TestSupport"]),
    .testTarget(name: "LibCryptoTests", dependencies: ["LibCrypto", "TestSupport"]),
    .testTarget(
      name: "PJLinkTests",
      dependencies: [
        "PJLink", "PJLinkPoller", "Agent", "MQTTClient", "Buffer", "LibCrypto", "EventLoop", "TestSupport",
        .product(name: "Logging", package: "swift-log"),
      ],
      exclude: ["pjlink_responder.py"]),
    .testTarget(name: "ConfigTests", dependencies: ["Agent", "TOML", "TestSupport"]),
    .testTarget(
      name: "AgentTests",
      dependencies: [
        "Agent", "Buffer", "Reports", "SQLiteStore", "TestSupport", "classgate", "classgate-ioc",
      ],
      // Golden --help screens and --json shapes, read from the source tree by their tests.
      exclude: ["Golden"]),
    .testTarget(
      name: "FuzzTests",
      dependencies: ["Decode", "Profiles", "TOML", "JSON", "DeviceModel", "Agent", "TestSupport"]),
    .target(name: "TestSupport", dependencies: ["MQTTClient", "DeviceModel"], path: "Tests/TestSupport"),
  ],
  swiftLanguageModes: [.v6]
)
