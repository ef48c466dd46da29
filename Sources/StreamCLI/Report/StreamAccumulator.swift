import StreamCore
import StreamEngine

/// One stream's records in, its part of a report out: pure (no I/O), fed in archive order.
///
/// Counts, bytes, running time, uptime, errors and reconnects come from the `counters` records
/// (cumulative since their runner started, `run`): a run's amount in the period is its last
/// counters at or before `until` less its last counters before `since`, or less zero when the
/// run began inside the period; the report sums its runs. (A run that began before the period
/// whose earlier counters are not in the archive counts from its first counters inside it.)
/// Hourly figures are the same differences, each in the hour of the later record. Sizes come
/// from the raw `event` and `poll` records, classified as `Document` does.
struct StreamAccumulator {
    let id: String
    let period: ReportPeriod
    private(set) var name: String?
    private(set) var group: String?
    private(set) var mode: ArchiveMode?
    private(set) var totals = ArchiveCounters.zero
    private(set) var hasCounters = false
    /// Records inside the period, of any kind.
    private(set) var recordsInPeriod = 0
    /// Counter intervals (from one counters record to the next of its run) ending in the
    /// period, and those in which the document changed: the change frequency.
    private(set) var intervals = 0
    private(set) var changedIntervals = 0
    private(set) var hourlyWireBytes: [Int64]
    private(set) var hourlyChanges: [Int64]
    private(set) var snapshotSizes = SizeDistribution()
    private(set) var patchSizes = SizeDistribution()
    private(set) var bodySizes = SizeDistribution()
    private var sawPolls = false
    /// Each run's last counters so far (before the period: its baseline).
    private var runs: [String: ArchiveCounters] = [:]

    init(id: String, period: ReportPeriod) {
        self.id = id
        self.period = period
        hourlyWireBytes = Array(repeating: 0, count: period.hourCount)
        hourlyChanges = Array(repeating: 0, count: period.hourCount)
    }

    /// Adds one archive record (records of unknown kinds, or without a time, are passed over).
    mutating func add(_ record: JSONValue) {
        guard case .object(let object) = record, let text = object["t"]?.stringValue,
              let time = UTCTime(iso8601: text) else { return }
        guard time <= period.until else { return }
        let inside = time >= period.since
        if inside { recordsInPeriod += 1 }
        switch object["kind"]?.stringValue {
        case "counters":
            addCounters(object, at: time, inside: inside)
        case "event" where inside:
            addEvent(type: object["type"]?.stringValue ?? "message", data: object["data"]?.stringValue ?? "")
        case "poll":
            sawPolls = true
            if inside, let body = object["body"] { bodySizes.record(StreamAccumulator.bodyBytes(object, body)) }
        default:
            break
        }
    }

    /// Adds one archive record from its JSON line, read in place (`ArchiveRecordScanner`):
    /// what `add(_:)` would do with the line parsed. False (nothing added) for a line it leaves
    /// to `add(_:)`: one the scanner declines, a counters record, a poll without `bodyBytes`.
    mutating func add(line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let fields = ArchiveRecordScanner.scan(line) else { return false }
        func slice(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: line[range]) }
        let kind = fields.kind.map { RecordKind(slice($0)) }
        guard kind != .counters, kind != .poll || !fields.hasBody || fields.bodyBytes != nil else { return false }
        guard let text = fields.time, let time = UTCTime(iso8601Bytes: slice(text)) else { return true }
        guard time <= period.until else { return true }
        let inside = time >= period.since
        if inside { recordsInPeriod += 1 }
        switch kind {
        case .event where inside:
            let bytes = fields.data?.utf8Count ?? 0
            switch fields.type.map({ EventType(slice($0)) }) ?? .other {
            case .data: snapshotSizes.record(bytes)
            case .patch: patchSizes.record(bytes)
            case .other:
                // Only the rare other types need the text: whether it is JSON.
                guard let data = fields.data,
                      let string = (try? JSONParser.parse(slice(data.token)))?.stringValue else { break }
                if StreamAccumulator.isJSON(string) { snapshotSizes.record(bytes) }
            }
        case .poll:
            sawPolls = true
            if inside, fields.hasBody, let bytes = fields.bodyBytes { bodySizes.record(bytes) }
        default:
            break
        }
        return true
    }

    /// The kinds of record `add(line:)` tells apart, by their bytes.
    private enum RecordKind {
        case event, poll, counters, other

        init(_ bytes: UnsafeBufferPointer<UInt8>) {
            self = bytes.elementsEqual("event".utf8) ? .event : bytes.elementsEqual("poll".utf8) ? .poll
                : bytes.elementsEqual("counters".utf8) ? .counters : .other
        }
    }

    private enum EventType {
        case data, patch, other

        init(_ bytes: UnsafeBufferPointer<UInt8>) {
            self = bytes.elementsEqual("data".utf8) ? .data : bytes.elementsEqual("patch".utf8) ? .patch : .other
        }
    }

    private mutating func addCounters(_ object: JSONObject, at time: UTCTime, inside: Bool) {
        let counters = ArchiveCounters(record: object)
        let run = object["run"]?.stringValue ?? ""
        name = object["name"]?.stringValue ?? name
        if let value = object["group"] { group = value.stringValue }
        mode = object["mode"]?.stringValue.flatMap(ArchiveMode.init(rawValue:)) ?? mode
        hasCounters = true
        guard inside else {
            runs[run] = counters
            return
        }
        let baseline: ArchiveCounters
        if let last = runs[run], counters.follows(last) {
            baseline = last
        } else if runs[run] != nil || StreamAccumulator.began(run, since: period.since) {
            baseline = .zero  // the run began inside the period (or its counters restarted)
        } else {
            runs[run] = counters  // began before, its earlier counters are not archived
            return
        }
        runs[run] = counters
        let difference = counters - baseline
        totals += difference
        intervals += 1
        if difference[.changes] > 0 { changedIntervals += 1 }
        let hour = min(max(0, UTCTime.hour(of: time) - period.firstHour), period.hourCount - 1)
        hourlyWireBytes[hour] += difference[.wireBytes]
        hourlyChanges[hour] += difference[.changes]
    }

    /// Whether run `run` (its ISO start) began at or after `since`; a run without a readable
    /// start counts as begun inside.
    private static func began(_ run: String, since: UTCTime) -> Bool {
        guard let start = UTCTime(iso8601: run) else { return true }
        return start >= since
    }

    /// As `Document` classifies events: `data` a snapshot, `patch` a patch, other JSON a
    /// snapshot, anything else text (not a size of either).
    private mutating func addEvent(type: String, data: String) {
        let bytes = data.utf8.count
        switch type {
        case "data": snapshotSizes.record(bytes)
        case "patch": patchSizes.record(bytes)
        default: if StreamAccumulator.isJSON(data) { snapshotSizes.record(bytes) }
        }
    }

    /// Whether an event's data is JSON; text that cannot start a JSON value is not parsed.
    static func isJSON(_ data: String) -> Bool {
        guard let first = data.utf8.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }),
              "{[\"-0123456789tfn".utf8.contains(first) else { return false }
        return (try? JSONParser.parse(data)) != nil
    }

    /// A poll body's size: the record's `bodyBytes` (the bytes that came), else (an archive
    /// from before they were recorded) the body as compact JSON.
    static func bodyBytes(_ record: JSONObject, _ body: JSONValue) -> Int {
        record["bodyBytes"]?.numberValue?.intValue ?? JSONWriter.data(body).count
    }

    /// What the period's records say of the stream (nil: nothing in the period).
    func report() -> StreamReport? {
        guard recordsInPeriod > 0 else { return nil }
        let running = Duration.seconds(totals.running)
        return StreamReport(
            id: id, name: name, group: group, mode: mode ?? (sawPolls ? .poll : .sse),
            counters: totals, hasCounters: hasCounters,
            uptimeShare: totals.running > 0 ? min(1, max(0, totals.uptime / totals.running)) : nil,
            changeFrequency: intervals > 0 ? Double(changedIntervals) / Double(intervals) : nil,
            changesPerHour: Savings.perHour(Double(totals[.changes]), running: running),
            snapshotSizes: snapshotSizes.summary, patchSizes: patchSizes.summary, bodySizes: bodySizes.summary,
            hourlyWireBytes: hourlyWireBytes, hourlyChanges: hourlyChanges)
    }
}
