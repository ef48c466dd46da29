import Foundation
import XCTest
@testable import StreamCLI
@testable import StreamCore

/// `streamtop report` over `ArchiveFixture`'s archive, with the right answers worked out by
/// hand below; each format; bad options; an empty period.
///
/// quotes (counters, per run: last at or before until − last before since):
///   run A (began 09:00, before): 10:40 − 09:59 → wire 18000−10000 = 8000, running 6000−3540 = 2460,
///     uptime 5850−3500 = 2350, events 80, snapshots 1, patches 79, ops 158, changes 60, errors 1,
///     reconnects 1, payload 6400.
///   run B (began 11:00, inside: from zero; the 12:10 counters are after until): 11:45 →
///     wire 4600, running 2700, uptime 2600, events 40, snapshots 1, patches 39, ops 78,
///     changes 30, errors 0, reconnects 1, payload 3600.
///   total: wire 12600, running 5160, uptime 4950, events 120, snapshots 2, patches 118, ops 236,
///     changes 90, errors 1, reconnects 2. Hourly wire: 10h 8000, 11h 4600; changes 60, 30.
///   Five counter intervals, one without a change (11:30→11:45): change frequency 4/5.
///   changes/h = 90 / 5160 s × 3600 = 62.790697…
///   sizes: snapshots 13 ("data") and 9 (a "quote" event whose data is JSON) → mean 11, p95 13,
///     max 13; the text event is neither; patches 42, 38, 31 → mean 37, p95 42, max 42.
/// quotes-polled (run began at since: from zero): 11:30 → wire 90000, running 5400, uptime 5300,
///   polls 90, 304s 30, errors 2, changes 40, would-be 6000, bodies 75000.
///   changes/h = 40 / 5400 × 3600 = 26.666…; bodies 13, 13, 15 → mean 41/3, p95 15, max 15.
/// group quotes: savings = 1 − (12600/5160) / (90000/5400) = 0.853488…; missed/h = 62.7907 − 26.6667
///   = 36.124031…; missed = that × 5400/3600 h = 54.186046….
/// weather (lone poller of group weather): 11:59 − 09:59:30 → running 7170, uptime 7000,
///   wire 14000, polls 20, changes 2, would-be 1500, bodies 10000: savings 1 − 1500/10000 = 0.85.
/// over all: 1 − (12600/5160 + 1500/7170) / (90000/5400 + 10000/7170) = 0.853218…
final class ReportCommandTests: TemporaryHomeTestCase {
    var state: String { home + "/state" }

    override func setUpWithError() throws {
        try super.setUpWithError()
        try ArchiveFixture.write(stateDirectory: state)
    }

    func report(_ extra: [String]) -> (status: Int32, out: String, err: String) {
        run(["report", "--state-dir", state, "--since", ArchiveFixture.since, "--until", ArchiveFixture.until] + extra)
    }

    func json() throws -> JSONValue {
        let result = report(["--format", "json"])
        XCTAssertEqual(result.status, 0, result.err)
        return try JSONParser.parse(result.out)
    }

    func testNumbersMatchTheOnesWorkedOutByHand() throws {
        let report = try json()
        func number(_ value: JSONValue?) -> Double? { value?.numberValue?.doubleValue }
        let streams = report["streams"]?.arrayValue ?? []
        XCTAssertEqual(streams.compactMap { $0["id"]?.stringValue }, ["quotes", "quotes-polled", "weather"])
        let quotes = streams[0]
        let expected: [String: Double] = [
            "wireBytes": 12600, "running": 5160, "uptime": 4950, "events": 120, "snapshots": 2, "patches": 118,
            "operations": 236, "changes": 90, "errors": 1, "reconnects": 2, "payloadBytes": 10000,
            "changeFrequency": 0.8, "snapshotCount": 2, "snapshotMean": 11, "snapshotP95": 13, "snapshotMax": 13,
            "patchCount": 3, "patchMean": 37, "patchP95": 42, "patchMax": 42,
        ]
        for (key, value) in expected { XCTAssertEqual(number(quotes[key]), value, key) }
        XCTAssertEqual(number(quotes["changesPerHour"])!, 90.0 / 5160 * 3600, accuracy: 1e-9)
        XCTAssertEqual(number(quotes["uptimeShare"])!, 4950.0 / 5160, accuracy: 1e-12)
        XCTAssertEqual(quotes["name"]?.stringValue, "Quotes, live")
        XCTAssertEqual(quotes["hourly"]?["wireBytes"], [8000, 4600])
        XCTAssertEqual(quotes["hourly"]?["changes"], [60, 30])
        XCTAssertEqual(quotes["bodyCount"], .null)

        let polled = streams[1]
        let polledExpected: [String: Double] = [
            "wireBytes": 90000, "running": 5400, "uptime": 5300, "polls": 90, "notModified": 30, "errors": 2,
            "changes": 40, "wouldBePatchBytes": 6000, "pollBodyBytes": 75000, "bodyCount": 3, "bodyP95": 15,
            "bodyMax": 15, "changeFrequency": 1,
        ]
        for (key, value) in polledExpected { XCTAssertEqual(number(polled[key]), value, key) }
        XCTAssertEqual(number(polled["bodyMean"])!, 41.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(polled["hourly"]?["wireBytes"], [30000, 60000])

        let weather = streams[2]
        for (key, value) in ["running": 7170.0, "wireBytes": 14000, "polls": 20, "changes": 2, "bodyMax": 15] {
            XCTAssertEqual(number(weather[key]), value, key)
        }
        XCTAssertEqual(number(weather["savings"])!, 0.85, accuracy: 1e-12)
        XCTAssertEqual(weather["hourly"]?["wireBytes"], [0, 14000])

        let groups = report["groups"]?.arrayValue ?? []
        XCTAssertEqual(groups.compactMap { $0["group"]?.stringValue }, ["quotes", "weather"])
        let group = groups[0]
        XCTAssertEqual(group["streamed"], "quotes")
        XCTAssertEqual(group["polled"], "quotes-polled")
        XCTAssertEqual(number(group["streamedBytes"]), 12600)
        XCTAssertEqual(number(group["polledBytes"]), 90000)
        XCTAssertEqual(number(group["wouldBePatchBytes"]), 6000)
        XCTAssertEqual(number(group["savings"])!, 1 - (12600.0 / 5160) / (90000.0 / 5400), accuracy: 1e-12)
        XCTAssertEqual(number(group["savings"])!, 0.853488, accuracy: 1e-6)
        XCTAssertEqual(number(group["missedChangesPerHour"])!, 36.124031, accuracy: 1e-6)
        XCTAssertEqual(number(group["missedChanges"])!, 54.186046, accuracy: 1e-6)
        XCTAssertEqual(number(group["streamedRunning"]), 5160)
        XCTAssertEqual(number(group["polledRunning"]), 5400)
        XCTAssertEqual(number(streams[0]["savings"]), number(group["savings"]))
        XCTAssertEqual(groups[1]["streamed"], .null)
        XCTAssertEqual(number(groups[1]["savings"])!, 0.85, accuracy: 1e-12)
        XCTAssertEqual(number(report["savings"])!, 0.853218, accuracy: 1e-6)
        XCTAssertEqual(report["hours"], ["2026-12-01T10:00:00.000Z", "2026-12-01T11:00:00.000Z"])
    }

    func testTornLineAndPrunedDaysOnlyWarn() {
        let result = report([])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.err.contains("2026-12-01_000001.jsonl: line 8 is incomplete"), result.err)
        XCTAssertFalse(result.err.contains("2026-11-29"), "a day before the period's last is not read: \(result.err)")
        XCTAssertFalse(result.out.contains("99999"))
    }

    func testTableIsAlignedInHumanUnits() {
        let result = report(["--format", "table"])
        XCTAssertEqual(result.status, 0, result.err)
        let lines = result.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "streamtop report: 2026-12-01T10:00:00.000Z to 2026-12-01T11:59:59.000Z (1h); "
                       + "savings over all: 85%")
        let group = lines.first { $0.hasPrefix("quotes ") && $0.contains("quotes-polled") }
        XCTAssertNotNil(group, result.out)
        for cell in ["12.3 KiB", "87.9 KiB", "5.9 KiB", "85%", "90/40", "36.1"] {
            XCTAssertTrue(group?.contains(cell) == true, "\(cell) in \(group ?? "")")
        }
        // Columns line up: every row of the streams table starts its GROUP column at one place.
        guard let header = lines.firstIndex(where: { $0.hasPrefix("ID ") }) else { return XCTFail(result.out) }
        let column = lines[header].range(of: "GROUP")!.lowerBound.utf16Offset(in: lines[header])
        for row in lines[(header + 1)...(header + 3)] {
            XCTAssertEqual(Array(row.utf16)[column - 1], UInt16(UInt8(ascii: " ")), row)
        }
        XCTAssertTrue(lines[header + 1].contains("80%"), "change frequency: \(lines[header + 1])")
        XCTAssertTrue(result.out.contains("11 B / 13 B / 13 B"), result.out)
    }

    func testCSVHasOneHeaderAndQuotesPerRFC4180() {
        let result = report(["--format", "csv"])
        XCTAssertEqual(result.status, 0, result.err)
        let lines = result.out.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        XCTAssertEqual(lines.count, 1 + 2 + 3)
        XCTAssertTrue(lines[0].hasPrefix("scope,id,name,group,mode,running,"), lines[0])
        XCTAssertTrue(lines[1].hasPrefix("group,quotes,,quotes,"), lines[1])
        XCTAssertTrue(lines[3].hasPrefix(#"stream,quotes,"Quotes, live",quotes,sse,5160,4950,"#), lines[3])
        let header = lines[0].split(separator: ",").map(String.init)
        let savings = header.firstIndex(of: "savings")!
        XCTAssertEqual(Double(lines[1].split(separator: ",", omittingEmptySubsequences: false)[savings])!,
                       1 - (12600.0 / 5160) / (90000.0 / 5400), accuracy: 1e-12)
    }

    func testHTMLIsSelfContainedWithChartsAndEscapes() {
        let result = report(["--format", "html"])
        XCTAssertEqual(result.status, 0, result.err)
        let html = result.out
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        for fetch in ["http", "src=", "href=", "url(", "@import", "<script", "<link", "<iframe", "<img"] {
            XCTAssertFalse(html.lowercased().contains(fetch), "\(fetch) in the page")
        }
        XCTAssertEqual(html.components(separatedBy: "<svg").count - 1, 3, "bytes per group (2) and changes (1)")
        XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        XCTAssertTrue(html.contains("<rect"), "bars")
        XCTAssertTrue(html.contains("<polyline"), "lines")
        XCTAssertTrue(html.contains("streamed (quotes)") && html.contains("polled (quotes-polled)"), "legend")
        XCTAssertTrue(html.contains("12-01 10h"), "hour labels")
        XCTAssertTrue(html.contains("<table>"))
    }

    func testOutputFileIsReplacedWholeAndFiltersApply() throws {
        let path = home + "/report.json"
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        let written = report(["--format", "json", "--output", path])
        XCTAssertEqual(written.status, 0, written.err)
        XCTAssertEqual(written.out, "")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), report(["--format", "json"]).out)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: home).filter { $0.contains("tmp") }, [])

        let group = try JSONParser.parse(report(["--format", "json", "--group", "weather"]).out)
        XCTAssertEqual(group["streams"]?.arrayValue?.compactMap { $0["id"]?.stringValue }, ["weather"])
        let stream = try JSONParser.parse(report(["--format", "json", "--stream", "quotes"]).out)
        XCTAssertEqual(stream["streams"]?.arrayValue?.compactMap { $0["id"]?.stringValue }, ["quotes"])
        // Alone, quotes has no poller: its group is said without savings.
        XCTAssertEqual(stream["groups"]?[0]?["savings"], .null)
    }

    func testEmptyPeriodSaysSoAndExitsOne() {
        let result = run(["report", "--state-dir", state, "--since", "2025-01-01", "--until", "2025-01-02"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.out, "")
        XCTAssertTrue(result.err.contains(
            "no archived data between 2025-01-01T00:00:00.000Z and 2025-01-02T23:59:59.999Z"), result.err)
    }

    func testBadOptionsAreUsageErrors() {
        let cases: [([String], String)] = [
            (["--since", "yesterday"], "--since takes 24h, 7d, 90m"),
            (["--until", "5x"], "--until takes"),
            (["--since", "2026-12-02", "--until", "2026-12-01"], "is after --until"),
            (["--format", "xml"], "--format takes table, csv, json or html, not 'xml'"),
            (["--source", "ftp"], "--source takes local or s3"),
            (["--source", "local", "--s3", "s3://bucket/prefix"], "go with --source s3"),
            (["--s3", "https://bucket/prefix"], "--s3 takes s3://BUCKET/PREFIX"),
            (["--s3-region", "eu-west-1"], "go with --s3 s3://BUCKET/PREFIX"),
            (["--formt", "csv"], "did you mean '--format'?"),
            (["extra"], "unexpected argument 'extra'"),
        ]
        for (arguments, message) in cases {
            let result = run(["report"] + arguments)
            XCTAssertEqual(result.status, 2, "\(arguments)")
            XCTAssertTrue(result.err.contains(message), "\(arguments): \(result.err)")
        }
        // Where S3 is, and with which credentials, is checked when the report runs.
        for (arguments, message) in [
            (["--source", "s3"], "--source s3 needs --s3 s3://BUCKET/PREFIX"),
            (["--s3", "s3://Bad_Bucket/prefix"], "--s3:"),
        ] {
            let result = run(["report"] + arguments)
            XCTAssertEqual(result.status, 1, "\(arguments)")
            XCTAssertTrue(result.err.contains(message), "\(arguments): \(result.err)")
        }
        let help = run(["report", "--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.out.contains("  --format FORMAT"), help.out)
    }

    func testPeriodForms() {
        let now = UTCTime(iso8601: "2026-12-02T12:00:00Z")!
        XCTAssertEqual(ReportPeriod.parseTime("24h", now: now)?.iso8601, "2026-12-01T12:00:00.000Z")
        XCTAssertEqual(ReportPeriod.parseTime("7d", now: now)?.iso8601, "2026-11-25T12:00:00.000Z")
        XCTAssertEqual(ReportPeriod.parseTime("90m", now: now)?.iso8601, "2026-12-02T10:30:00.000Z")
        XCTAssertEqual(ReportPeriod.parseTime("2026-12-01", now: now)?.iso8601, "2026-12-01T00:00:00.000Z")
        XCTAssertEqual(ReportPeriod.parseTime("2026-12-01T10:00:00Z", now: now)?.iso8601, "2026-12-01T10:00:00.000Z")
        XCTAssertNil(ReportPeriod.parseTime("-1h", now: now))
        XCTAssertNil(ReportPeriod.parseTime("h", now: now))
        XCTAssertNil(ReportPeriod.parseTime("2026-13-01", now: now))
        let period = try? ReportPeriod.parse(since: nil, until: nil, now: now)
        XCTAssertEqual(period?.since.iso8601, "2026-12-01T12:00:00.000Z")
    }

    /// Counters that go down within one run (a runner restarted without a new `run`) count
    /// from zero, never negative.
    func testCountersThatRestartCountFromZero() {
        let period = ReportPeriod(
            since: UTCTime(iso8601: "2026-12-01T10:00:00Z")!, until: UTCTime(iso8601: "2026-12-01T11:00:00Z")!)
        var accumulator = StreamAccumulator(id: "s", period: period)
        let samples = [("2026-12-01T09:50:00Z", 100), ("2026-12-01T10:10:00Z", 300), ("2026-12-01T10:20:00Z", 50)]
        for (time, wire) in samples {
            let line = ArchiveFixture.counters(
                time, run: "2026-12-01T09:00:00Z", name: "s", group: "g", mode: "sse", running: 60, uptime: 60,
                wire: wire, changes: 0)
            accumulator.add(try! JSONParser.parse(line))
        }
        XCTAssertEqual(accumulator.report()?.counters[.wireBytes], 200 + 50)
    }
}
