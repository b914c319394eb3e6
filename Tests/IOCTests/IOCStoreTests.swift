import IOCReceiver
import JSON
import PostgresClient
import TestSupport
import Testing

/// The receiver's writes against a real PostgreSQL: de-duplication, revisions, parts, presence,
/// rejected rows and monthly partitions.
@Suite("IOC store", .serialized)
struct IOCStoreTests {
  final class Fixture: @unchecked Sendable {
    let server: PostgresServer
    let store: IOCStore
    var connection: PostgresConnection { store.connection }

    init() throws {
      server = try PostgresServer()
      store = try IOCStore(
        connection: try PostgresConnection(conninfo: server.conninfo()), nowMs: 1_795_827_930_000)
    }

    @discardableResult
    func store(
      _ messages: [(name: String, object: JSONObject)], receivedMs: Int64 = 1_795_827_930_500,
      retained: Bool = false
    )
      throws -> BatchOutcome
    {
      try store.store(
        messages.map {
          IncomingMessage(
            topic: Examples.topic($0.name), payload: Examples.bytes($0.object), retained: retained,
            receivedMs: receivedMs)
        })
    }

    func count(_ sql: String) throws -> Int64 {
      try connection.query(sql).first?[0].flatMap { Int64($0) } ?? -1
    }
  }

  static func summary(seq: Int, revision: Int, part: Int? = nil, parts: Int? = nil) throws -> JSONObject {
    var object = try Examples.object("window-summary")
    object["seq"] = .number(Double(seq))
    object["revision"] = .number(Double(revision))
    if let part, let parts {
      object["part"] = .number(Double(part))
      object["parts"] = .number(Double(parts))
    }
    return object
  }

  @Test func aRedeliveredMessageIsStoredOnce() throws {
    let fixture = try Fixture()
    let window = try Examples.object("window-summary")
    let event = try Examples.object("event-threshold-alert")
    let first = try fixture.store([("window-summary", window), ("event-threshold-alert", event)])
    #expect(first.stored == 2 && first.duplicates == 0)
    let again = try fixture.store([
      ("window-summary", window), ("event-threshold-alert", event), ("window-summary", window),
    ])
    #expect(again.stored == 0 && again.duplicates == 3)
    #expect(try fixture.count("SELECT count(*) FROM summary") == 1)
    #expect(try fixture.count("SELECT count(*) FROM event") == 1)
    #expect(try fixture.count("SELECT count(*) FROM sequenced") == 2)
    let school = try fixture.connection.query("SELECT messages, duplicates, newest_created_ms FROM school")
      .first
    #expect(school?.int("messages") == 2)
    #expect(school?.int("duplicates") == 3)
    #expect(school?.int("newest_created_ms") == 1_795_827_902_140)
  }

  /// A seq seen again with other content is not a redelivery: an agent reused it (a store restored
  /// from a backup, say). The first is kept, the other becomes a rejected row, and it is counted.
  @Test func aSeqReusedWithDifferentContentIsRejected_notCountedAsADuplicate() throws {
    let fixture = try Fixture()
    let event = try Examples.object("event-threshold-alert")
    var other = event
    other.set("event.value", 1400)
    let window = try Self.summary(seq: 40, revision: 0)
    var otherWindow = window
    otherWindow.set("fleet.offline_incidents", 7)
    try fixture.store([("event-threshold-alert", event), ("window-summary", window)])
    let outcome = try fixture.store([
      ("event-threshold-alert", other), ("window-summary", otherWindow), ("event-threshold-alert", event),
    ])
    #expect(outcome.stored == 0 && outcome.duplicates == 1 && outcome.rejected == 2, "\(outcome)")
    let reasons = try fixture.connection.query("SELECT reason FROM rejected").map { $0["reason"] ?? "" }
    #expect(reasons.count == 2 && reasons.allSatisfy { $0.contains("reused seq") }, "\(reasons)")
    let kept = try fixture.connection.query("SELECT body->'event'->>'value' AS value FROM event").first
    #expect(kept?["value"] == event["event"]?.objectValue?["value"]?.description)
    let school = try fixture.connection.query("SELECT messages, duplicates, rejected FROM school").first
    #expect(school?.int("messages") == 2 && school?.int("duplicates") == 1 && school?.int("rejected") == 2)
  }

  @Test func theHighestRevisionWins_inAnyArrivalOrder() throws {
    let fixture = try Fixture()
    let outcome = try fixture.store([
      ("window-summary", try Self.summary(seq: 30, revision: 2)),
      ("window-summary", try Self.summary(seq: 10, revision: 0)),
      ("window-summary", try Self.summary(seq: 20, revision: 1)),
    ])
    #expect(outcome.stored == 1 && outcome.superseded == 2)
    let rows = try fixture.connection.query("SELECT revision, seq FROM summary")
    #expect(rows.count == 1)
    #expect(rows.first?.int("revision") == 2 && rows.first?.int("seq") == 30)
  }

  @Test func aNewerRevisionReplacesEveryPart_andPartsOfOneRevisionAddUp() throws {
    let fixture = try Fixture()
    try fixture.store([
      ("window-summary", try Self.summary(seq: 10, revision: 0, part: 1, parts: 3)),
      ("window-summary", try Self.summary(seq: 11, revision: 0, part: 3, parts: 3)),
    ])
    #expect(try fixture.count("SELECT count(*) FROM summary WHERE revision = 0") == 2)
    try fixture.store([("window-summary", try Self.summary(seq: 20, revision: 1, part: 1, parts: 2))])
    // The late part of revision 0 arrives after revision 1: ignored.
    let late = try fixture.store([
      ("window-summary", try Self.summary(seq: 12, revision: 0, part: 2, parts: 3))
    ])
    #expect(late.superseded == 1)
    try fixture.store([("window-summary", try Self.summary(seq: 21, revision: 1, part: 2, parts: 2))])
    let rows = try fixture.connection.query("SELECT part, revision FROM summary ORDER BY part")
    #expect(rows.map { $0.int("part") } == [1, 2])
    #expect(rows.allSatisfy { $0.int("revision") == 1 })
  }

  @Test func rowsLandInTheirMonthsPartition() throws {
    let fixture = try Fixture()
    var december = try Examples.object("event-threshold-alert")
    december.set("event.time_ms", 1_796_083_200_000)  // 2026-12-01T00:00:00Z, the first ms of December
    december["seq"] = 99
    try fixture.store([
      ("event-threshold-alert", try Examples.object("event-threshold-alert")),
      ("event-threshold-alert", december),
    ])
    let rows = try fixture.connection.query(
      "SELECT tableoid::regclass::text AS part FROM event ORDER BY time_ms")
    #expect(rows.map { $0["part"] } == ["event_y2026m11", "event_y2026m12"])
    // A month nobody created yet (a school's clock a year ahead) gets its partition on demand.
    var future = december
    future["seq"] = 100
    future.set("event.time_ms", 1_830_000_000_000)
    try fixture.store([("event-threshold-alert", future)])
    #expect(try fixture.count("SELECT count(*) FROM event_y2027m12") == 1)
  }

  @Test func invalidMessagesBecomeRejectedRows_andTheRestOfTheBatchIsStored() throws {
    let fixture = try Fixture()
    var broken = try Examples.object("event-threshold-alert")
    broken["seq"] = 0
    let outcome = try fixture.store.store([
      IncomingMessage(
        topic: Examples.topic("event-threshold-alert"), payload: Examples.bytes(broken), retained: false,
        receivedMs: 1_795_827_930_500),
      IncomingMessage(
        topic: "ioc/v1/schools/hcm-q1-th-0042/events", payload: Array("not json".utf8), retained: false,
        receivedMs: 1_795_827_930_500),
      IncomingMessage(
        topic: Examples.topic("window-summary"),
        payload: Examples.bytes(try Examples.object("window-summary")), retained: false,
        receivedMs: 1_795_827_930_500),
    ])
    #expect(outcome.rejected == 2 && outcome.stored == 1)
    let rejected = try fixture.connection.query(
      "SELECT school_id, reason, payload_size, convert_from(payload, 'UTF8') AS text FROM rejected ORDER BY id"
    )
    #expect(rejected.count == 2)
    #expect(rejected[0]["reason"]?.contains("seq") == true)
    #expect(rejected[1]["reason"]?.contains("not valid JSON") == true)
    #expect(rejected[1]["text"] == "not json" && rejected[1].int("payload_size") == 8)
    #expect(rejected.allSatisfy { $0["school_id"] == "hcm-q1-th-0042" })
    #expect(try fixture.count("SELECT rejected FROM school") == 2)
  }

  @Test func aMessageTheDatabaseRefuses_isRejected_andTheRestOfItsBatchStored() throws {
    let fixture = try Fixture()
    // Valid by the schema (any integer ≥ 0), but beyond the integer column.
    let refused = try Self.summary(seq: 500, revision: 3_000_000_000)
    var other = try Examples.object("event-threshold-alert")
    other["seq"] = 501
    let outcome = try fixture.store([
      ("event-threshold-alert", try Examples.object("event-threshold-alert")), ("window-summary", refused),
      ("event-threshold-alert", other),
    ])
    #expect(outcome.stored == 2 && outcome.rejected == 1, "\(outcome)")
    let reason = try fixture.connection.query("SELECT reason FROM rejected").first?["reason"]
    #expect(reason?.hasPrefix("database refused it") == true, "\(reason ?? "none")")
    // Its ledger entry went with it: a fixed agent's resend would be stored.
    #expect(try fixture.count("SELECT count(*) FROM sequenced") == 2)
    #expect(try fixture.count("SELECT count(*) FROM event") == 2)
    #expect(try fixture.count("SELECT messages FROM school") == 2)
    #expect(try fixture.count("SELECT rejected FROM school") == 1)
  }

  @Test func presenceTracksOnlineOfflineAndSkew_andIgnoresAnOlderOne() throws {
    let fixture = try Fixture()
    let presence = try Examples.object("presence")  // time_ms 1795827930004
    try fixture.store([("presence", presence)], receivedMs: 1_795_827_931_004)
    var school = try #require(try CityView.schools(fixture.connection).first)
    #expect(school.online == true && school.sinceMs == 1_795_827_931_004)
    #expect(school.clockSkewMs == 1000)
    #expect(school.backlog == 2 && school.version == "0.1.0")
    #expect(school.devices == DeviceCounts(online: 5, offline: 0, stale: 0, unknown: 0))

    var older = presence
    older["time_ms"] = 1_795_827_870_004
    older["backlog"] = 7
    try fixture.store([("presence", older)], receivedMs: 1_795_827_932_000)
    #expect(try CityView.schools(fixture.connection).first?.backlog == 2)

    try fixture.store(
      [("presence-last-will", try Examples.object("presence-last-will"))], receivedMs: 1_795_827_990_000)
    school = try #require(try CityView.schools(fixture.connection).first)
    #expect(school.online == false && school.sinceMs == 1_795_827_990_000)

    // A retained presence may be hours old: it says online, but its age is no clock skew.
    var newer = presence
    newer["time_ms"] = 1_795_828_000_000
    try fixture.store([("presence", newer)], receivedMs: 1_795_838_000_000, retained: true)
    school = try #require(try CityView.schools(fixture.connection).first)
    #expect(school.online == true && school.clockSkewMs == 1000)
  }

  @Test func usageOfADayComesFromItsDailySummary() throws {
    let fixture = try Fixture()
    try fixture.store([("daily-summary", try Examples.object("daily-summary"))])
    let usage = try CityView.usage(fixture.connection, day: "2026-11-28")
    let school = try #require(usage.first)
    #expect(usage.count == 1)
    #expect(school.displays == 1 && school.displaysUsed == 1)
    #expect(school.displayActiveMinutes == 371.75)
    #expect(school.co2Sensors == 1 && school.co2SensorsOver == 1 && school.co2AboveMinutes == 96.5)
    #expect(try CityView.usage(fixture.connection, day: "2026-11-29").isEmpty)
  }
}
