import Buffer
import DeviceModel
import EventLoop
import Logging
import Rollup
import SQLiteStore
import Uplink

/// Builds the rollup → uplink stage from the config: the school's calendar, the message
/// contract, and the hooks into the ingest writer.
public enum UplinkSetup {
  static func calendar(_ config: AgentConfig) throws(ConfigError) -> SchoolCalendar {
    try calendar(
      timeZone: config.timeZone, windowMinutes: config.rollupWindowMinutes, file: config.file)
  }

  /// The school's calendar from a zone name (`/usr/share/zoneinfo/<name>`), for the agent and
  /// for read-only commands that take the name from `ConfigPeek`.
  public static func calendar(timeZone: String, windowMinutes: Int, file: String) throws(ConfigError)
    -> SchoolCalendar
  {
    let path = "/usr/share/zoneinfo/\(timeZone)"
    guard AgentConfig.isTimeZone(timeZone) else {
      throw ConfigError(problems: [
        .init(
          location: file, key: "time_zone",
          message: "expected an IANA time zone such as \"Asia/Ho_Chi_Minh\", found \"\(timeZone.prefix(40))\""
        )
      ])
    }
    let zone: ZoneRules
    do {
      zone = try ZoneRules(tzif: readBinaryFile(path).get())
    } catch {
      throw ConfigError(problems: [
        .init(location: file, key: "time_zone", message: "cannot load \(path): \(error)")
      ])
    }
    return SchoolCalendar(zone: zone, zoneName: timeZone, windowMinutes: windowMinutes)
  }

  static func messages(_ config: AgentConfig, calendar: SchoolCalendar, stream: String) -> UplinkMessages {
    UplinkMessages(
      schoolID: config.schoolID, stream: stream, timeZone: config.timeZone,
      localTime: { calendar.localISO($0) }, localDate: { calendar.dayLabel($0) })
  }

  static func stage(
    _ config: AgentConfig, connection: Connection, writer: BufferWriter,
    clock: @escaping () -> ClockTrust.Assessment, logger: Logger
  ) throws -> UplinkStage {
    let calendar = try calendar(config)
    let outbox = Outbox(connection: connection)
    var uplinkLogger = logger
    uplinkLogger[metadataKey: "stage"] = "uplink"
    let retentionMs = Int64(config.scanRetentionDays) * 86_400_000
    var settings = config.uplink
    if settings.commands != nil, let binary = SystemFacts.executablePath() {
      // `report`: this very binary's doctor on this very file, the same JSON an operator sees.
      settings.commands?.reportArguments = [binary, "doctor", "--json", "--config", config.file]
    }
    return try UplinkStage(
      connection: connection, calendar: calendar, ioc: config.ioc,
      messages: messages(config, calendar: calendar, stream: try Outbox.stream(in: connection)),
      settings: settings,
      logger: uplinkLogger, version: Agent.version,
      health: {
        let status = try? outbox.status()
        return UplinkMessages.Health(
          time: Clock.wallMs(), version: Agent.version, backlog: status?.pending ?? 0,
          oldestPendingAt: status?.oldestPendingAt, lastAckedSeq: status?.lastAckedSeq,
          diskFreeBytes: SystemFacts.diskSpace(at: config.storePath)?.free,
          devices: writer.deviceCounts(), clock: clock())
      },
      housekeeping: { now in
        do {
          let purged = try writer.purgeEvents(type: "card_scan", olderThan: now - retentionMs)
          if purged > 0 {
            uplinkLogger.info("Old card scans deleted", metadata: ["count": "\(purged)"])
          }
        } catch {
          uplinkLogger.warning("Cannot delete old card scans", metadata: ["error": "\(error)"])
        }
      }, cap: StoreCap(connection: connection, maxBytes: config.storeMaxBytes))
  }
}
