import StreamCore
import StreamEngine

/// Reads a stream's archive part by part, handing each record inside the period, and those
/// before it that a report needs, to `body` (one part's records in memory at a time); a report
/// from a source that reads lines (`ArchiveLineSource`) holds a chunk of a part instead, and
/// reads most records in place.
struct ArchiveScan {
    let source: any ArchiveSource
    let period: ReportPeriod
    /// Said for each torn or unreadable line (and part): never a reason to stop.
    let warn: (String) -> Void

    /// The parts that may hold records of the period: none of a day after it, and of the days
    /// before it only the last part (a part may run past midnight, and it holds the counters a
    /// run had reached before the period began).
    func parts(of stream: String) throws -> [ArchivePartReference] {
        let all = try source.parts(of: stream)
        let firstDay = period.since.dateString
        let lastDay = period.until.dateString
        let lastBefore = all.lastIndex { $0.date.map { $0 < firstDay } ?? false }
        return all.enumerated().compactMap { index, part in
            guard let date = part.date else { return part }
            if date > lastDay { return nil }
            if date < firstDay && index != lastBefore { return nil }
            return part
        }
    }

    /// Each record of the stream's parts that may matter, in archive order; `body` returns
    /// false to stop.
    func forEachRecord(of stream: String, _ body: (JSONValue) -> Bool) throws {
        for part in try parts(of: stream) {
            let result: JSONLinesReader.Result
            do {
                result = try source.read(part, of: stream)
            } catch {
                warn("\(error); skipped")
                continue
            }
            for warning in result.warnings { warn(warning) }
            for record in result.records where !body(record) { return }
        }
    }

    /// The reports of the streams `streamFilter` names (all when nil); streams with nothing in
    /// the period are left out.
    func streamReports(stream streamFilter: String?) throws -> [StreamReport] {
        var reports: [StreamReport] = []
        for stream in try source.streams() where streamFilter == nil || stream == streamFilter {
            var accumulator = StreamAccumulator(id: stream, period: period)
            if let lines = source as? any ArchiveLineSource {
                try addLines(of: stream, from: lines, to: &accumulator)
            } else {
                try forEachRecord(of: stream) { record in
                    accumulator.add(record)
                    return true
                }
            }
            if let report = accumulator.report() { reports.append(report) }
        }
        return reports
    }

    /// Adds the stream's parts to `accumulator` line by line (most read in place, the others
    /// parsed), as `forEachRecord` would record by record: a part that cannot be read to its
    /// end adds nothing and says only why (its lines' warnings are said once it was read).
    private func addLines(
        of stream: String, from source: any ArchiveLineSource, to accumulator: inout StreamAccumulator
    ) throws {
        for part in try parts(of: stream) {
            let before = accumulator
            let name = source.name(of: part, of: stream)
            var warnings: [String] = []
            do {
                let torn = try source.forEachLine(part, of: stream) { line, number in
                    guard !line.isEmpty, !accumulator.add(line: line) else { return }
                    do throws(JSONParseError) {
                        accumulator.add(try JSONParser.parse(line))
                    } catch {
                        warnings.append(JSONLinesReader.notJSONWarning(name: name, line: number, error: error))
                    }
                }
                if let torn { warnings.append(torn) }
            } catch {
                accumulator = before
                warn("\(error); skipped")
                continue
            }
            for warning in warnings { warn(warning) }
        }
    }
}
