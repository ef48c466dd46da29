import StreamCore

/// `--format table`: aligned columns in human units, every archived string sanitized.
enum ReportTable {
    static func render(_ report: ArchiveReport) -> String {
        var out = [heading(report), ""]
        if !report.groups.isEmpty {
            out.append("GROUPS")
            out += align([[
                "GROUP", "STREAM", "POLLER", "STREAMED", "POLLED", "WOULD-BE", "SAVINGS", "CHANGES S/P", "CHG/H S/P",
                "MISSED/H", "MISSED", "RUNNING S/P",
            ]] + report.groups.map(groupRow))
            out.append("")
        }
        out.append("STREAMS")
        out += align([[
            "ID", "GROUP", "MODE", "RUNNING", "UPTIME", "WIRE", "EVENTS", "SNAPS", "PATCHES", "OPS", "POLLS", "304",
            "ERRORS", "RECONN", "CHANGES", "CHG/H", "CHG FREQ", "SAVINGS",
        ]] + report.streams.map(streamRow))
        out.append("")
        out.append("SIZES (mean / p95 / max)")
        out += align([["ID", "SNAPSHOTS", "PATCHES", "POLL BODIES"]] + report.streams.map { stream in
            [stream.id, sizes(stream.snapshotSizes), sizes(stream.patchSizes), sizes(stream.bodySizes)]
        })
        if report.streams.contains(where: { !$0.hasCounters }) {
            out.append("")
            out.append("(counts are 0 for a stream whose archive holds no counters records)")
        }
        return out.map { Sanitizer.line($0) }.joined(separator: "\n") + "\n"
    }

    static func heading(_ report: ArchiveReport) -> String {
        let seconds = report.period.until.secondsSinceEpoch - report.period.since.secondsSinceEpoch
        var line = "streamtop report: \(report.period.since.iso8601) to \(report.period.until.iso8601)"
        line += " (\(HumanUnits.duration(seconds: seconds))); savings over all: \(percent(report.savings))"
        return line
    }

    private static func groupRow(_ group: GroupReport) -> [String] {
        let streamed = group.streamed
        let polled = group.polled
        func both(_ a: String?, _ b: String?) -> String { "\(a ?? "—")/\(b ?? "—")" }
        return [
            group.name, streamed?.id ?? "—", polled?.id ?? "—",
            streamed.map { HumanUnits.bytes(Int($0.counters[.wireBytes])) } ?? "—",
            polled.map { HumanUnits.bytes(Int($0.counters[.wireBytes])) } ?? "—",
            polled.map { HumanUnits.bytes(Int($0.counters[.wouldBePatchBytes])) } ?? "—",
            percent(group.savings),
            both(streamed.map { String($0.counters[.changes]) }, polled.map { String($0.counters[.changes]) }),
            both(count(streamed?.changesPerHour), count(polled?.changesPerHour)),
            count(group.missedPerHour) ?? "—", count(group.missedChanges) ?? "—",
            both(streamed.map { HumanUnits.span(seconds: $0.counters.running) },
                 polled.map { HumanUnits.span(seconds: $0.counters.running) }),
        ]
    }

    private static func streamRow(_ stream: StreamReport) -> [String] {
        let counters = stream.counters
        func number(_ field: ArchiveCounters.Field) -> String { HumanUnits.count(Double(counters[field])) }
        return [
            stream.id, stream.group ?? "—", stream.mode.rawValue, HumanUnits.span(seconds: counters.running),
            percent(stream.uptimeShare), HumanUnits.bytes(Int(counters[.wireBytes])),
            number(.events), number(.snapshots), number(.patches), number(.operations), number(.polls),
            number(.notModified), number(.errors), number(.reconnects), number(.changes),
            count(stream.changesPerHour) ?? "—", percent(stream.changeFrequency), percent(stream.savings),
        ]
    }

    private static func sizes(_ summary: SizeDistribution.Summary?) -> String {
        guard let summary else { return "—" }
        return "\(HumanUnits.bytes(Int(summary.mean.rounded()))) / \(HumanUnits.bytes(summary.p95)) / "
            + HumanUnits.bytes(summary.max)
    }

    private static func count(_ value: Double?) -> String? { value.map(HumanUnits.count) }

    private static func percent(_ share: Double?) -> String { share == nil ? "—" : HumanUnits.percent(share) }

    /// Pads each column to its widest cell (the last left as it is).
    static func align(_ rows: [[String]]) -> [String] {
        let rows = rows.map { $0.map { Sanitizer.line($0) } }
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { index, cell in index == row.count - 1 ? cell : cell.padding(to: widths[index] + 1) }
                .joined(separator: " ")
        }
    }
}
