import StreamCore

/// Archived records through `tail`'s own consumer and renderer, in order: each event as
/// `tail --jsonl` printed it live, each poll as `tail --poll --jsonl` did (its patch worked out
/// again from the bodies, as the poller did), then tail's summary line.
struct ArchiveReplay {
    let period: ReportPeriod
    private(set) var consumer: TailConsumer
    private let options = JSONParser.Options()
    /// The last polled body: the next poll's patch is against it.
    private var previousBody: JSONValue?

    init(period: ReportPeriod, includeDocument: Bool) {
        self.period = period
        consumer = TailConsumer(renderer: TailRenderer(jsonl: true, includeDocument: includeDocument, quiet: false))
    }

    /// Adds one archive record (only events and polls in the period are shown).
    mutating func add(_ record: JSONValue) {
        guard case .object(let object) = record, let text = object["t"]?.stringValue,
              let time = UTCTime(iso8601: text), period.contains(time) else { return }
        switch object["kind"]?.stringValue {
        case "event":
            let data = object["data"]?.stringValue ?? ""
            let id = object["id"]?.stringValue ?? ""
            let event = SSEEvent(type: object["type"]?.stringValue ?? "message", data: data, lastEventID: id)
            let prepared = Document.prepare(event, options: options)
            var batch = TailBatch(bytesRead: data.utf8.count, lastEventID: id)
            batch.append(prepared)
            consumer.consume(batch)
        case "poll":
            consumer.record(poll(object))
        default:
            break
        }
    }

    /// The poll a record stands for, as `PollConnection` made it: the first body's patch is
    /// the whole snapshot added at the root, a later one's the diff from the previous body, a
    /// 304's (or an unchanged body's) `[]`.
    private mutating func poll(_ object: JSONObject) -> TailPoll {
        let status = object["status"]?.numberValue?.intValue
        let wireBytes = Int64(object["wireBytes"]?.numberValue?.intValue ?? 0)
        guard let body = object["body"] else {
            let patchBytes = object["patchBytes"]?.numberValue?.intValue ?? 2
            return TailPoll(
                status: status, wireBytes: wireBytes, bodyBytes: 0, changed: false, patch: JSONPatch(),
                patchBytes: patchBytes, document: previousBody)
        }
        let patch = previousBody.map { JSONDiff.diff(from: $0, to: body) }
            ?? JSONPatch([.add(path: .root, value: body)])
        previousBody = body
        return TailPoll(
            status: status, wireBytes: wireBytes, bodyBytes: StreamAccumulator.bodyBytes(object, body),
            changed: !patch.isEmpty, patch: patch, patchBytes: patch.encodedSize, document: body)
    }

    /// The rendered lines so far, taken (so that memory holds one part's worth at most).
    mutating func take() -> [UInt8] { consumer.renderer.take() }

    /// Adds tail's summary line.
    mutating func finish() { consumer.finish() }
}
