import Foundation
import XCTest
@testable import StreamCore
@testable import StreamEngine
@testable import StreamService

/// `/metrics`: Prometheus's text format, read back line by line by a strict parser.
final class MetricsExpositionTests: XCTestCase {
    let now = Moment(nanoseconds: 5_000_000_000_000)
    let wall = UTCTime(secondsSinceEpoch: 1_790_000_000.5)

    func stream(
        _ id: String, _ state: StreamState, mode: StreamSpec.Mode = .sse, group: String? = nil,
        _ measure: (inout MetricsSnapshot) -> Void = { _ in }
    ) -> StreamSnapshot {
        var metrics = MetricsSnapshot(nothingAt: now - .seconds(1))
        metrics.uptime = .seconds(1)
        metrics.runningBefore = .seconds(60)  // a minute of running: savings are measured
        measure(&metrics)
        return StreamSnapshot(
            id: id, name: id, url: "https://example.test/\(id)", mode: mode, group: group,
            status: StreamStatus(state: state, since: now - .seconds(30)), metrics: metrics, version: 1)
    }

    /// Streams in several states, names that need escaping, a group with and without savings.
    func crafted() -> [StreamSnapshot] {
        [
            stream("quotes", .open, group: "q") { metrics in
                metrics.wireBytes = 12_345
                metrics.payloadBytes = 10_000
                metrics.events = 60
                metrics.snapshots = 1
                metrics.patches = 55
                metrics.patchOperations = 140
                metrics.errors = 2
                metrics.reconnects = 1
                metrics.changes = 50
                metrics.lastChangeAt = self.now - .milliseconds(2_250)
            },
            stream("quotes-polled", .failed(nextAttempt: now + .seconds(4), attempt: 3), mode: .poll, group: "q") { m in
                m.events = 9
                m.polls = 12
                m.notModified = 3
                m.wireBytes = 99_000
            },
            stream("odd \"id\" \\ with\nnewline", .stoppedByServer, group: "line\r\nbreak"),
            stream("idle", .idle),
        ]
    }

    func render(_ snapshots: [StreamSnapshot], process: ProcessStats = ProcessStats()) -> String {
        MetricsExposition.render(
            snapshots: snapshots, groupSavings: Engine.groupSavings(snapshots) + [("none", "a", "b", nil)],
            shard: "1/3", process: process, wall: wall, now: now)
    }

    func testTheTextFollowsTheExpositionFormat() throws {
        let text = render(crafted(), process: ProcessStats.current())
        let parsed: ExpositionParser
        do {
            parsed = try ExpositionParser(text)
        } catch {
            return XCTFail("\(error)\n\(text)")
        }
        let expected = [
            "process_cpu_seconds_total", "process_max_fds", "process_open_fds", "process_resident_memory_bytes",
            "process_start_time_seconds", "streamtop_changes_total", "streamtop_errors_total", "streamtop_events_total",
            "streamtop_last_change_timestamp_seconds", "streamtop_not_modified_total",
            "streamtop_patch_operations_total", "streamtop_payload_bytes_total", "streamtop_polls_total",
            "streamtop_reconnects_total", "streamtop_savings_ratio", "streamtop_stream_state", "streamtop_stream_up",
            "streamtop_wire_bytes_total",
        ]
        XCTAssertEqual(parsed.order, expected, "every family, sorted, each in one block")
        // Labels come back as they were, through the escapes.
        let odd = ["stream": "odd \"id\" \\ with\nnewline", "mode": "sse", "group": "line\r\nbreak", "shard": "1/3"]
        XCTAssertEqual(parsed.value("streamtop_stream_up", odd), 0)
        XCTAssertEqual(parsed.value("streamtop_stream_state", odd.merging(["state": "stopped by server"]) { $1 }), 1)
        XCTAssertEqual(parsed.families["streamtop_stream_state"]?.samples.count, 4 * 9, "one series per state")
        // The same text whatever the order of the snapshots; an id twice shows its latest version.
        var stale = crafted()[0]
        stale.version = 0
        stale.metrics.wireBytes = 1
        XCTAssertEqual(render(crafted().reversed() + [stale]), render(crafted()))
    }

    func testValuesOfACraftedCase() throws {
        let snapshots = crafted()
        let process = ProcessStats(
            residentBytes: 50 << 20, cpuSeconds: 1.25, openFDs: 17, maxFDs: 1024, startTime: 1.79e9)
        let parsed = try ExpositionParser(render(snapshots, process: process))
        let quotes = ["stream": "quotes", "mode": "sse", "group": "q", "shard": "1/3"]
        let polled = ["stream": "quotes-polled", "mode": "poll", "group": "q", "shard": "1/3"]
        let idle = ["stream": "idle", "mode": "sse", "group": "", "shard": "1/3"]
        XCTAssertEqual(parsed.value("streamtop_stream_up", quotes), 1)
        XCTAssertEqual(parsed.value("streamtop_stream_up", polled), 0)
        XCTAssertEqual(parsed.value("streamtop_stream_state", polled.merging(["state": "failed"]) { $1 }), 1)
        XCTAssertEqual(parsed.value("streamtop_stream_state", polled.merging(["state": "open"]) { $1 }), 0)
        XCTAssertEqual(parsed.value("streamtop_stream_state", idle.merging(["state": "idle"]) { $1 }), 1)
        XCTAssertEqual(parsed.value("streamtop_wire_bytes_total", quotes), 12_345)
        XCTAssertEqual(parsed.value("streamtop_payload_bytes_total", quotes), 10_000)
        for (kind, count) in [("snapshot", 1.0), ("patch", 55), ("text", 4)] {
            XCTAssertEqual(parsed.value("streamtop_events_total", quotes.merging(["kind": kind]) { $1 }), count, kind)
        }
        // A poller's nine bodies are polls, not events of any kind.
        XCTAssertEqual(parsed.value("streamtop_events_total", polled.merging(["kind": "text"]) { $1 }), 0)
        XCTAssertEqual(parsed.value("streamtop_polls_total", polled), 12)
        XCTAssertEqual(parsed.value("streamtop_not_modified_total", polled), 3)
        XCTAssertEqual(parsed.value("streamtop_patch_operations_total", quotes), 140)
        XCTAssertEqual(parsed.value("streamtop_errors_total", quotes), 2)
        XCTAssertEqual(parsed.value("streamtop_reconnects_total", quotes), 1)
        XCTAssertEqual(parsed.value("streamtop_changes_total", quotes), 50)
        XCTAssertEqual(parsed.value("streamtop_last_change_timestamp_seconds", quotes), 1_789_999_998.25)
        XCTAssertNil(parsed.value("streamtop_last_change_timestamp_seconds", idle), "no change, no series")
        // quotes: 12,345 bytes over a minute of running; quotes-polled: 99,000 over the same.
        let savings = 1 - 12_345.0 / 99_000
        let group = ["group": "q", "streamed": "quotes", "polled": "quotes-polled", "shard": "1/3"]
        XCTAssertEqual(parsed.value("streamtop_savings_ratio", group), savings)
        XCTAssertEqual(
            parsed.families["streamtop_savings_ratio"]?.samples.map(\.labels), [group],
            "a group not measured yet has no series")
        XCTAssertEqual(parsed.value("process_resident_memory_bytes"), 52_428_800)
        XCTAssertEqual(parsed.value("process_cpu_seconds_total"), 1.25)
        XCTAssertEqual(parsed.value("process_open_fds"), 17)
        XCTAssertEqual(parsed.value("process_max_fds"), 1024)
        XCTAssertEqual(parsed.value("process_start_time_seconds"), 1.79e9)
        XCTAssertEqual(parsed.families["streamtop_stream_up"]?.type, "gauge")
        XCTAssertEqual(parsed.families["streamtop_wire_bytes_total"]?.type, "counter")
    }

    func testValuesAndEscapesAreWrittenAsPrometheusReadsThem() throws {
        XCTAssertEqual(ExpositionWriter.value(.infinity), "+Inf")
        XCTAssertEqual(ExpositionWriter.value(-.infinity), "-Inf")
        XCTAssertEqual(ExpositionWriter.value(.nan), "NaN")
        XCTAssertEqual(ExpositionWriter.value(0.1), "0.1")
        XCTAssertEqual(ExpositionWriter.value(1e-7), "1e-07")
        XCTAssertEqual(ExpositionWriter.value(3.0), "3")
        for value in [Double.infinity, -.infinity, 0.1, 1e-7, 1e300, -2.5] {
            XCTAssertEqual(try ExpositionParser.number(ExpositionWriter.value(value)), value)
        }
        XCTAssertTrue(try ExpositionParser.number(ExpositionWriter.value(.nan)).isNaN)
        XCTAssertEqual(ExpositionWriter.escapeLabel("a\\b\"c\nd\r\ne"), "a\\\\b\\\"c\\nd\r\\ne")
        XCTAssertEqual(ExpositionWriter.escapeHelp("a\\b\"c\nd"), "a\\\\b\"c\\nd")
    }

    /// The parser itself refuses what Prometheus would (so that its passing means something).
    func testTheParserRefusesBrokenExpositions() {
        let family = "# HELP a_total A.\n# TYPE a_total counter\n"
        let broken = [
            "a_total 1\n": "without HELP and TYPE",
            family + "a_total{x=\"1\"} 1\na_total{x=\"1\"} 2\n": "twice",
            family + "a_total{x=\"\\t\"} 1\n": "bad escape",
            family + "a_total{x=\"1} 1\n": "unterminated",
            family + "a_total one\n": "bad value",
            "# HELP b B.\n# TYPE b counter\n": "does not end in _total",
            family + "a_total 1\n# HELP c C.\n# TYPE c gauge\nc 1\na_total{x=\"2\"} 1\n": "not in one block",
            family + "a_total{__x=\"1\"} 1\n": "reserved",
            family + "9a 1\n": "expected a name",
            family + "a_total 1": "final line feed",
            family + "# HELP a_total again\n": "HELP of a_total twice",
        ]
        for (text, reason) in broken {
            XCTAssertThrowsError(try ExpositionParser(text), reason) { error in
                XCTAssertTrue("\(error)".contains(reason), "\(error) for \(text)")
            }
        }
        XCTAssertNoThrow(try ExpositionParser(family + "a_total{x=\"1\",y=\"a\\\\\\\"\\n\",} 1 1790000000000\n"))
    }

    func testProcessStatsAreThisProcesss() throws {
        let before = ProcessStats.current()
        var pipes: [[Int32]] = []
        for _ in 0..<5 {
            var ends: [Int32] = [0, 0]
            XCTAssertEqual(pipe(&ends), 0)
            pipes.append(ends)
        }
        defer { for ends in pipes { close(ends[0]); close(ends[1]) } }
        let stats = ProcessStats.current()
        XCTAssertEqual(try XCTUnwrap(stats.openFDs) - XCTUnwrap(before.openFDs), 10, "five pipes, two ends each")
        XCTAssertEqual(stats.maxFDs, OpenFileLimit.current)
        let resident = try XCTUnwrap(stats.residentBytes)
        XCTAssertTrue((1 << 20)...(24 << 30) ~= resident, "\(resident) bytes resident")
        XCTAssertGreaterThan(try XCTUnwrap(stats.cpuSeconds), 0)
        let started = try XCTUnwrap(stats.startTime)
        let wall = Date().timeIntervalSince1970
        XCTAssertTrue(started <= wall + 1 && started > wall - 86_400, "started at \(started), now \(wall)")
    }

    /// /proc/self/stat's command may hold spaces and parentheses: fields count from the last ")".
    func testProcStatTextIsReadPastTheCommandName() {
        var fields = Array(repeating: "0", count: 50)
        fields[14] = "250"  // utime
        fields[15] = "125"  // stime
        fields[22] = "1000"  // starttime, in ticks after boot
        let stat = "4242 (a (b) c) " + fields[3...].joined(separator: " ") + "\n"
        let stats = ProcessStats.parse(
            stat: stat, statm: "9000 2500 300 1 0 700 0\n",
            systemStat: "cpu 1 2 3\nbtime 1790000000\nprocesses 5\n", ticksPerSecond: 100, pageSize: 4096)
        XCTAssertEqual(stats, ProcessStats(residentBytes: 2500 * 4096, cpuSeconds: 3.75, startTime: 1_790_000_010))
    }
}
