import IOCReceiver
import JSON
import Testing

/// The receiver's own v1 checks, on the contract's examples and on each way a message can be wrong.
@Suite("uplink validation")
struct UplinkValidatorTests {
  static let names = Array(Examples.topicOf.keys).sorted()

  @Test(arguments: names)
  func everyExampleIsValid(_ name: String) throws {
    let object = try Examples.object(name)
    let result = UplinkValidator.validate(topic: Examples.topic(name), payload: Examples.bytes(object))
    guard case .success(let message) = result else {
      Issue.record("\(name): \(result)")
      return
    }
    #expect(message.schoolID == "hcm-q1-th-0042")
  }

  @Test func theWindowExampleDecodesToItsKeys() throws {
    let object = try Examples.object("window-summary")
    let result = UplinkValidator.validate(
      topic: Examples.topic("window-summary"), payload: Examples.bytes(object))
    guard case .success(.summary(let summary)) = result else {
      Issue.record("\(result)")
      return
    }
    #expect(summary.kind == .window)
    #expect(summary.envelope.stream == "3f9c2a7be41d0c58")
    #expect(summary.envelope.seq == 18231)
    #expect(summary.periodStartMs == 1_795_827_600_000)
    #expect(summary.revision == 0)
    #expect(summary.part == 1 && summary.parts == 1)
  }

  @Test func theLastWillNeedsOnlyTheEnvelope() throws {
    let object = try Examples.object("presence-last-will")
    let result = UplinkValidator.validate(topic: Examples.topic("presence"), payload: Examples.bytes(object))
    #expect(
      result == .success(.presence(PresenceMessage(schoolID: "hcm-q1-th-0042", online: false, health: nil))))
  }

  /// (example, path to change, new value or nil to remove, words the reason must contain)
  static let breakages: [(String, String, JSONValue?, String)] = [
    ("window-summary", "seq", 0, "seq"),
    ("window-summary", "seq", 1.5, "seq: expected an integer"),
    ("window-summary", "stream", "3F9C2A7BE41D0C58", "stream"),
    ("window-summary", "school_id", "another-school", "not the topic's school"),
    ("window-summary", "schema_version", 2, "schema_version: 2 is not supported"),
    ("window-summary", "schema", "classgate.event", "does not belong"),
    ("window-summary", "extra", true, "extra: not a v1 field"),
    ("window-summary", "period.minutes", 10, "period.minutes is 10"),
    ("window-summary", "period.start", "2026-11-28 08:00", "period.start"),
    ("window-summary", "period.end_ms", 1_795_827_600_000, "not after"),
    ("window-summary", "created_ms", 1_795_827_902, "seconds instead of milliseconds"),
    ("window-summary", "revision", -1, "revision"),
    ("window-summary", "part", 2, "part and parts"),
    ("window-summary", "fleet.uptime_pct", 101, "fleet.uptime_pct"),
    ("window-summary", "fleet.online", 4, "fleet counts"),
    ("window-summary", "devices", [], "fleet counts"),
    ("daily-summary", "period.date", nil, "period.date: required"),
    ("daily-summary", "period.minutes", 5, "period.minutes"),
    ("event-threshold-alert", "event.value", 900, "state above"),
    ("event-threshold-alert", "event.state", "high", "event.state"),
    ("event-threshold-alert", "event.metric", "CO2", "event.metric"),
    ("event-device-status", "event.status", "broken", "event.status"),
    ("event-device-status", "event.room", 101, "event.room"),
    ("event-device-status", "event.kind", "toaster", "event.kind"),
    ("presence", "backlog", 0, "null exactly when the backlog is 0"),
    ("presence", "devices", nil, "devices: required"),
    ("presence", "online", "yes", "online: expected true or false"),
    ("presence", "clock.trusted", nil, "clock.trusted: required"),
    ("presence", "clock.ntp_synchronised", "yes", "clock.ntp_synchronised"),
    ("lesson-summary", "totals.used_lessons", 4, "totals.used_lessons is 4 but the lessons give 3"),
    ("lesson-summary", "totals.rooms_outside_timetable", 0, "rooms_outside_timetable"),
    ("lesson-summary", "closure", "Tết", "a closure exactly when not a teaching day"),
    ("lesson-summary", "teaching_day", false, "a closure exactly when not a teaching day"),
    ("lesson-summary", "period.date", nil, "period.date: required"),
    ("lesson-summary", "period.minutes", 45, "period.minutes"),
    ("lesson-summary", "lessons", [1], "lessons[0]: expected an object"),
    // Local times against the zone (what scripts/validate-uplink.py checks too).
    (
      "window-summary", "period.start", "2026-11-28T01:00:00Z",
      "has UTC offset +00:00, but the zone is at +07:00"
    ),
    ("window-summary", "period.end", "2026-11-28T08:06:00+07:00", "period.end: 2026-11-28T08:06:00+07:00 is"),
    ("window-summary", "period.time_zone", "Asia/Atlantis", "not a known IANA time zone"),
    ("window-summary", "period.time_zone", "Europe/London", "but the zone is at +00:00"),
    ("daily-summary", "period.time_zone", "Asia/Tokyo", "but the zone is at +09:00"),
    ("daily-summary", "period.date", "2026-11-29", "does not cover exactly the local day 2026-11-29"),
    ("lesson-summary", "period.date", "2026-11-27", "does not cover exactly the local day 2026-11-27"),
  ]

  @Test(arguments: breakages.indices)
  func aBrokenMessageIsRefusedWithItsReason(_ index: Int) throws {
    let (name, path, value, words) = Self.breakages[index]
    var object = try Examples.object(name)
    object.set(path, value)
    let result = UplinkValidator.validate(topic: Examples.topic(name), payload: Examples.bytes(object))
    guard case .failure(let invalid) = result else {
      Issue.record("\(name) with \(path) = \(value.map(\.description) ?? "nothing") was accepted")
      return
    }
    #expect(invalid.reason.contains(words), "\(invalid.reason)")
  }

  @Test func theLessonExampleIsADayOfKindLessons_andItsLessonsAreChecked() throws {
    var object = try Examples.object("lesson-summary")
    let result = UplinkValidator.validate(
      topic: Examples.topic("lesson-summary"), payload: Examples.bytes(object))
    guard case .success(.summary(let summary)) = result else {
      Issue.record("\(result)")
      return
    }
    #expect(summary.kind == .lessons && summary.date == "2026-11-28")
    #expect(summary.periodEndMs - summary.periodStartMs == 86_400_000)
    var lessons = object["lessons"]?.arrayValue ?? []
    var first = lessons[0].objectValue!
    first["board_on_min"] = 46  // longer than the 45-minute lesson
    lessons[0] = .object(first)
    object["lessons"] = .array(lessons)
    let tooLong = UplinkValidator.validate(
      topic: Examples.topic("lesson-summary"), payload: Examples.bytes(object))
    #expect(tooLong.failureReason?.contains("lessons[0].board_on_min") == true, "\(tooLong)")
    lessons[1] = lessons[0]
    object["lessons"] = .array(lessons)
    let twice = UplinkValidator.validate(
      topic: Examples.topic("lesson-summary"), payload: Examples.bytes(object))
    #expect(twice.failureReason != nil)
  }

  @Test func aWindowMustStartOnAMultipleOfItsMinutesOfTheLocalDay() throws {
    var object = try Examples.object("window-summary")
    object.set("period.start_ms", 1_795_827_660_000)
    object.set("period.end_ms", 1_795_827_960_000)
    object.set("period.start", "2026-11-28T08:01:00+07:00")
    object.set("period.end", "2026-11-28T08:06:00+07:00")
    let result = UplinkValidator.validate(
      topic: Examples.topic("window-summary"), payload: Examples.bytes(object))
    #expect(
      result.failureReason?.contains("window starts at local 08:01, not on a multiple of 5") == true,
      "\(result)")
  }

  @Test func aLessonsStartMustBeItsInstantInTheZone() throws {
    var object = try Examples.object("lesson-summary")
    var lessons = object["lessons"]?.arrayValue ?? []
    var first = lessons[0].objectValue!
    first["start"] = "2026-11-28T07:00:00+08:00"
    lessons[0] = .object(first)
    object["lessons"] = .array(lessons)
    let result = UplinkValidator.validate(
      topic: Examples.topic("lesson-summary"), payload: Examples.bytes(object))
    #expect(
      result.failureReason?.contains("lessons[0].start: 2026-11-28T07:00:00+08:00 is") == true, "\(result)")
  }

  /// A summer-time day in Berlin has 23 hours, each end at its own offset: valid as it is.
  @Test func aDaylightSavingDayIsAcceptedWithItsTwoOffsets() throws {
    var object = try Examples.object("daily-summary")
    object.set("period.date", "2026-03-29")
    object.set("period.time_zone", "Europe/Berlin")
    object.set("period.start_ms", 1_774_738_800_000)
    object.set("period.end_ms", 1_774_821_600_000)
    object.set("period.start", "2026-03-29T00:00:00+01:00")
    object.set("period.end", "2026-03-30T00:00:00+02:00")
    object.set("period.minutes", 1380)
    object["devices"] = []  // their minutes belong to a 24-hour day
    let result = UplinkValidator.validate(
      topic: Examples.topic("daily-summary"), payload: Examples.bytes(object))
    #expect(result.failureReason == nil, "\(result)")
    object.set("period.end", "2026-03-30T00:00:00+01:00")
    object.set("period.end_ms", 1_774_825_200_000)
    object.set("period.minutes", 1440)
    let wrong = UplinkValidator.validate(
      topic: Examples.topic("daily-summary"), payload: Examples.bytes(object))
    #expect(wrong.failureReason?.contains("period.end") == true, "\(wrong)")
  }

  @Test func deviceEntriesAreChecked() throws {
    var object = try Examples.object("window-summary")
    var devices = object["devices"]?.arrayValue ?? []
    var first = devices[0].objectValue!
    first["active_min"] = 6  // longer than the 5-minute window
    devices[0] = .object(first)
    object["devices"] = .array(devices)
    let tooLong = UplinkValidator.validate(
      topic: Examples.topic("window-summary"), payload: Examples.bytes(object))
    #expect(tooLong.failureReason?.contains("devices[0].active_min") == true, "\(tooLong)")

    devices[0] = devices[1]
    object["devices"] = .array(devices)
    let twice = UplinkValidator.validate(
      topic: Examples.topic("window-summary"), payload: Examples.bytes(object))
    #expect(twice.failureReason?.contains("appears twice") == true, "\(twice)")
  }

  @Test func metricStatisticsMustBeInOrder() throws {
    var object = try Examples.object("window-summary")
    var devices = object["devices"]?.arrayValue ?? []
    let index = devices.firstIndex { $0.objectValue?["id"]?.stringValue == "env-101" }!
    var env = devices[index].objectValue!
    env.set("metrics.co2.mean", 2000)
    devices[index] = .object(env)
    object["devices"] = .array(devices)
    let result = UplinkValidator.validate(
      topic: Examples.topic("window-summary"), payload: Examples.bytes(object))
    #expect(result.failureReason?.contains("metrics.co2") == true, "\(result)")
  }

  @Test func unknownEventTypesAndInnerFieldsAreAccepted() throws {
    var object = try Examples.object("event-device-status")
    object.set("event.type", "door_opened")
    object.set("event.extra_detail", "v1 may add fields inside")
    let result = UplinkValidator.validate(
      topic: Examples.topic("event-device-status"), payload: Examples.bytes(object))
    guard case .success(.event(let event)) = result else {
      Issue.record("\(result)")
      return
    }
    #expect(event.type == "door_opened")
  }

  @Test(arguments: [
    ("ioc/v1/schools/a/summaries/window", Array("{".utf8), "not valid JSON"),
    ("ioc/v1/schools/a/summaries/window", Array("[1]".utf8), "not a JSON object"),
    ("ioc/v1/schools/a/commands", Array("{}".utf8), "carries no v1 message"),
    ("ioc/v2/schools/a/events", Array("{}".utf8), "not ioc/v1/schools"),
    ("ioc/v1/schools/a/events", [0xFF, 0xFE], "not valid JSON"),
    ("ioc/v1/schools/a/events", Array(#"{"schema":"classgate.event","x":"\u0000"}"#.utf8), "\\u0000"),
  ])
  func garbageIsRefused(topic: String, payload: [UInt8], words: String) {
    let result = UplinkValidator.validate(topic: topic, payload: payload)
    #expect(result.failureReason?.contains(words) == true, "\(result)")
  }

  @Test func theSchoolOfATopicIsOnlyAValidID() {
    #expect(UplinkValidator.school(inTopic: "ioc/v1/schools/hcm-1/events") == "hcm-1")
    #expect(UplinkValidator.school(inTopic: "ioc/v1/schools/../events") == nil)
    #expect(UplinkValidator.school(inTopic: "elsewhere/hcm-1/events") == nil)
  }
}

extension Result where Failure == InvalidMessage {
  var failureReason: String? {
    if case .failure(let invalid) = self { invalid.reason } else { nil }
  }
}
