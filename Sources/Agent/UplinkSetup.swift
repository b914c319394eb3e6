import Buffer
import DeviceModel
import EventLoop
import Logging
import Rollup
import SQLiteStore
import Uplink

/// Builds the rollup → uplink stage from the config: the school's calendar, the message
/// contract, and the hooks into the ingest writer.
enum UplinkSetup {
  static func calendar(_ config: AgentConfig) throws(ConfigError) -> SchoolCalendar {
    let path = "/usr/share/zoneinfo/\(config.timeZone)"
    let zone: ZoneRules
    do {
      zone = try ZoneRules(tzif: readBinaryFile(path).get())
    } catch {
      throw ConfigError(problems: [
        .init(location: config.file, key: "time_zone", message: "cannot load \(path): \(error)")
      ])
    }
    return SchoolCalendar(
      zone: zone, zoneName: config.timeZone, windowMinutes: config.rollupWindowMinutes)
  }

  static func messages(_ config: AgentConfig, calendar: SchoolCalendar) -> UplinkMessages {
    UplinkMessages(
      schoolID: config.schoolID, timeZone: config.timeZone,
      localTime: { calendar.localISO($0) }, localDate: { calendar.dayLabel($0) })
  }

  static func stage(
    _ config: AgentConfig, connection: Connection, writer: BufferWriter, logger: Logger
  ) throws -> UplinkStage {
    let calendar = try calendar(config)
    let outbox = Outbox(connection: connection)
    var uplinkLogger = logger
    uplinkLogger[metadataKey: "stage"] = "uplink"
    let retentionMs = Int64(config.scanRetentionDays) * 86_400_000
    return try UplinkStage(
      connection: connection, calendar: calendar, ioc: config.ioc,
      messages: messages(config, calendar: calendar), settings: config.uplink,
      logger: uplinkLogger,
      health: {
        let status = try? outbox.status()
        return UplinkMessages.Health(
          time: Clock.wallMs(), version: Agent.version, backlog: status?.pending ?? 0,
          oldestPendingAt: status?.oldestPendingAt, lastAckedSeq: status?.lastAckedSeq,
          diskFreeBytes: SystemFacts.diskSpace(at: config.storePath)?.free,
          devices: writer.deviceCounts())
      },
      summarisedUntil: { writer.summarisedUntil = $0 },
      housekeeping: { now in
        do {
          let purged = try writer.purgeEvents(type: "card_scan", olderThan: now - retentionMs)
          if purged > 0 {
            uplinkLogger.info("Old card scans deleted", metadata: ["count": "\(purged)"])
          }
        } catch {
          uplinkLogger.warning("Cannot delete old card scans", metadata: ["error": "\(error)"])
        }
      })
  }
}
