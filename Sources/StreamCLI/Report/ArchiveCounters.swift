import StreamCore

/// The cumulative counts a stream's `counters` record holds (`MetricsSnapshot`'s fields,
/// since its runner started), and the differences between two of them.
struct ArchiveCounters: Sendable, Equatable {
    /// The counts of a counters record, by the keys it writes them under.
    enum Field: Int, CaseIterable, Sendable {
        case wireBytes, payloadBytes, events, snapshots, patches, operations, polls, notModified, errors,
            reconnects, changes, wouldBePatchBytes, pollBodyBytes

        var key: String {
            switch self {
            case .wireBytes: "wireBytes"
            case .payloadBytes: "payloadBytes"
            case .events: "events"
            case .snapshots: "snapshots"
            case .patches: "patches"
            case .operations: "operations"
            case .polls: "polls"
            case .notModified: "notModified"
            case .errors: "errors"
            case .reconnects: "reconnects"
            case .changes: "changes"
            case .wouldBePatchBytes: "wouldBePatchBytes"
            case .pollBodyBytes: "pollBodyBytes"
            }
        }
    }

    /// Seconds the stream was meant to run, and seconds it was open.
    var running: Double = 0
    var uptime: Double = 0
    private var counts = [Int64](repeating: 0, count: Field.allCases.count)

    static let zero = ArchiveCounters()

    subscript(field: Field) -> Int64 {
        get { counts[field.rawValue] }
        set { counts[field.rawValue] = newValue }
    }

    /// Reads the counts of a `counters` record (missing ones are 0).
    init(record: JSONObject) {
        running = record["running"]?.numberValue?.doubleValue ?? 0
        uptime = record["uptime"]?.numberValue?.doubleValue ?? 0
        for field in Field.allCases {
            guard let number = record[field.key]?.numberValue else { continue }
            counts[field.rawValue] = Int64(number.intValue ?? Int(number.doubleValue.rounded()))
        }
    }

    init() {}

    /// Whether `self` can follow `earlier` in one run: no count went down.
    func follows(_ earlier: ArchiveCounters) -> Bool {
        running >= earlier.running && zip(counts, earlier.counts).allSatisfy { $0 >= $1 }
    }

    static func - (later: ArchiveCounters, earlier: ArchiveCounters) -> ArchiveCounters {
        var difference = ArchiveCounters()
        difference.running = later.running - earlier.running
        difference.uptime = later.uptime - earlier.uptime
        for index in difference.counts.indices {
            difference.counts[index] = later.counts[index] - earlier.counts[index]
        }
        return difference
    }

    static func += (total: inout ArchiveCounters, more: ArchiveCounters) {
        total.running += more.running
        total.uptime += more.uptime
        for index in total.counts.indices { total.counts[index] += more.counts[index] }
    }
}
