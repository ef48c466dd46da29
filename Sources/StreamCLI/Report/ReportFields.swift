import StreamCore

/// One value of a report's row, as CSV and JSON write it: unrounded, nil as empty/null.
enum ReportCell: Equatable {
    case integer(Int64)
    case number(Double?)
    case text(String?)

    var json: JSONValue {
        switch self {
        case .integer(let value): return .number(JSONNumber(Int(value)))
        case .number(let value): return value.flatMap(JSONNumber.init).map(JSONValue.number) ?? .null
        case .text(let value): return value.map(JSONValue.string) ?? .null
        }
    }

    /// The cell's text in CSV, before quoting (numbers as JSON writes them).
    var csv: String {
        switch self {
        case .integer(let value): return String(value)
        case .number(let value): return value.flatMap(JSONNumber.init)?.text ?? ""
        case .text(let value): return value ?? ""
        }
    }
}

/// A column of the report's rows: its key (JSON member and CSV header) and value. One table
/// for the JSON and CSV forms, so they say the same things under the same names.
struct ReportField<Row>: Sendable {
    var key: String
    var value: @Sendable (Row) -> ReportCell
}

enum ReportFields {
    static let groups: [ReportField<GroupReport>] = [
        .init(key: "group") { .text($0.name) },
        .init(key: "streamed") { .text($0.streamed?.id) },
        .init(key: "polled") { .text($0.polled?.id) },
        .init(key: "streamedBytes") { .number($0.streamed.map { Double($0.counters[.wireBytes]) }) },
        .init(key: "polledBytes") { .number($0.polled.map { Double($0.counters[.wireBytes]) }) },
        .init(key: "wouldBePatchBytes") { .number($0.polled.map { Double($0.counters[.wouldBePatchBytes]) }) },
        .init(key: "savings") { .number($0.savings) },
        .init(key: "streamChanges") { .number($0.streamed.map { Double($0.counters[.changes]) }) },
        .init(key: "pollerChanges") { .number($0.polled.map { Double($0.counters[.changes]) }) },
        .init(key: "streamChangesPerHour") { .number($0.streamed?.changesPerHour) },
        .init(key: "pollerChangesPerHour") { .number($0.polled?.changesPerHour) },
        .init(key: "missedChangesPerHour") { .number($0.missedPerHour) },
        .init(key: "missedChanges") { .number($0.missedChanges) },
        .init(key: "streamedRunning") { .number($0.streamed?.counters.running) },
        .init(key: "polledRunning") { .number($0.polled?.counters.running) },
    ]

    static let streams: [ReportField<StreamReport>] = [
        .init(key: "id") { .text($0.id) },
        .init(key: "name") { .text($0.name) },
        .init(key: "group") { .text($0.group) },
        .init(key: "mode") { .text($0.mode.rawValue) },
        .init(key: "running") { .number($0.counters.running) },
        .init(key: "uptime") { .number($0.counters.uptime) },
        .init(key: "uptimeShare") { .number($0.uptimeShare) },
    ] + ArchiveCounters.Field.allCases.map { field in
        .init(key: field.key) { .integer($0.counters[field]) }
    } + [
        .init(key: "changesPerHour") { .number($0.changesPerHour) },
        .init(key: "changeFrequency") { .number($0.changeFrequency) },
        .init(key: "savings") { .number($0.savings) },
    ] + sizes("snapshot") { $0.snapshotSizes } + sizes("patch") { $0.patchSizes } + sizes("body") { $0.bodySizes }

    private static func sizes(
        _ prefix: String, _ summary: @escaping @Sendable (StreamReport) -> SizeDistribution.Summary?
    ) -> [ReportField<StreamReport>] {
        [
            .init(key: prefix + "Count") { .number(summary($0).map { Double($0.count) }) },
            .init(key: prefix + "Mean") { .number(summary($0)?.mean) },
            .init(key: prefix + "P95") { .number(summary($0).map { Double($0.p95) }) },
            .init(key: prefix + "Max") { .number(summary($0).map { Double($0.max) }) },
        ]
    }
}
