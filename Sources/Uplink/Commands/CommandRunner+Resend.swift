import Buffer
import DeviceModel
import JSON
import Rollup

/// `resend`: a span re-summarised through the late-data path, or seqs put back in the queue.
extension CommandRunner {
  func resend(_ request: CommandRequest, _ span: CommandRequest.ResendSpan, nowMs: EpochMillis) throws
    -> CommandResponse
  {
    if let range = requeuedRange, try outbox.pendingCount(from: range.lowerBound, to: range.upperBound) > 0 {
      return refusal(
        request, "rate_limited: seqs \(range.lowerBound)–\(range.upperBound) are still being re-sent")
    }
    requeuedRange = nil
    if resendNoted, try lateRanges.noted() != nil {
      return refusal(request, "rate_limited: the previous resend is still being re-summarised")
    }
    resendNoted = false
    switch span {
    case .seqs(let from, let to): return try resendSeqs(request, from: from, to: to)
    case .period(let from, let to): return try resendPeriod(request, from: from, to: to, nowMs: nowMs)
    case .day(let label):
      guard let day = day(labelled: label) else {
        return refusal(request, "bad_args: no such local day \(label)")
      }
      return try resendPeriod(request, from: day.start, to: day.end, nowMs: nowMs)
    }
  }

  /// The delivered rows still held go back to pending, to be published again as they were.
  private func resendSeqs(_ request: CommandRequest, from: Int64, to: Int64) throws -> CommandResponse {
    let lastSeq = try Meta.readInt(MetaKey.outboxLastSeq, in: connection) ?? 0
    guard to <= lastSeq else { return refusal(request, "future: the last seq is \(lastSeq)") }
    guard let oldest = try outbox.oldestHeldSeq(), to >= oldest else {
      return refusal(
        request,
        "not_held: delivered messages are kept 1 day; the oldest held seq is \(try outbox.oldestHeldSeq().map(String.init) ?? "none")"
      )
    }
    let found = try outbox.requeue(from: from, to: to)
    requeuedRange = from...to
    rewind()
    var result: JSONObject = [
      "seq_from": .number(Double(from)), "seq_to": .number(Double(to)),
      "requeued": .number(Double(found.requeued)), "pending": .number(Double(found.pending)),
    ]
    // Below the oldest row held, the range was purged; gaps inside it were set aside or purged.
    if from < oldest {
      result["not_held"] = ["seq_from": .number(Double(from)), "seq_to": .number(Double(oldest - 1))]
    }
    result["missing"] = .number(Double(to - from + 1) - Double(found.requeued + found.pending))
    return CommandResponse(requestID: request.requestID, command: "resend", status: .ok, result: result)
  }

  /// Noted like late data: the summariser re-summarises the windows, then the days (and their
  /// lessons), each as the next revision with a new seq. No second path to keep in step.
  private func resendPeriod(_ request: CommandRequest, from: EpochMillis, to: EpochMillis, nowMs: EpochMillis)
    throws -> CommandResponse
  {
    let usage = UsageStore(connection: connection)
    guard let summarised = try Meta.readInt(MetaKey.windowsSummarisedUntil, in: connection), from < summarised
    else { return refusal(request, "future: nothing in that span is summarised yet") }
    guard let oldest = try usage.oldestStart(.window), to > oldest else {
      return refusal(
        request,
        "not_held: the store's oldest window starts \(try usage.oldestStart(.window).map { calendar.localISO($0) } ?? "nowhere")"
      )
    }
    let start = max(from, oldest)
    // Raw readings deleted to keep the store under its cap cannot be summarised again: a
    // revision from what is left would replace the IOC's fuller summary with an emptier one.
    let history = HistoryReader(connection: connection)
    if (try StoreCap.evictedCounts(in: connection))["readings"] ?? 0 > 0 {
      let firstData = try history.firstDataTime(from: 0, to: .max) ?? .max
      if calendar.window(containing: start).start < firstData {
        return refusal(
          request,
          "not_held: raw readings before \(calendar.localISO(firstData)) were deleted for the store cap")
      }
    }
    // Up to what is summarised: today gets its windows so far; its day summary comes as usual.
    let end = min(to, summarised)
    try lateRanges.request(from: start, to: end - 1, at: nowMs)
    resendNoted = true
    wake()
    let windows = calendar.windows(in: Period(start: start, end: end)).count
    return CommandResponse(
      requestID: request.requestID, command: "resend", status: .ok,
      result: [
        "from_ms": .number(Double(start)), "to_ms": .number(Double(end)), "windows": .number(Double(windows)),
      ])
  }

  /// The local day `YYYY-MM-DD` as a period of the school's calendar.
  private func day(labelled label: String) -> Period? {
    guard let (year, month, dayOfMonth) = CommandParser.date(label) else { return nil }
    let midnightUTC = Int64(EpochTime.daysFromCivil(year: year, month: month, day: dayOfMonth)) * 86_400_000
    // The zone's offset moves local midnight up to 14 h either way: look at the neighbours too.
    for guess in [midnightUTC, midnightUTC - 43_200_000, midnightUTC + 43_200_000] {
      let day = calendar.day(containing: guess)
      if calendar.dayLabel(day.start) == label { return day }
    }
    return nil
  }
}
