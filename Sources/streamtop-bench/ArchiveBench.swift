import Foundation
import StreamCLI
import StreamCore
import StreamEngine

/// `streamtop report` over an archive written as the engine writes it, against
/// `gzip -dc <segments> | wc -l` over the same segments in the same run.
enum ArchiveBench {
    /// The archive the benchmark wrote: its state directory, its compressed segments, and
    /// what they hold uncompressed.
    struct Archive {
        var state: String
        var segments: [String]
        var bytes: Int
        var lines: Int
        var streams: [String: Int]
    }

    /// Discards what a command writes (counting it).
    final class DiscardSink: OutputSink {
        private(set) var count = 0
        func write(_ bytes: [UInt8]) { count += bytes.count }
        func flush() {}
        var isClosed: Bool { false }
    }

    static let start = UTCTime(secondsSinceEpoch: 1_795_132_800)  // 2026-11-20T00:00:00Z

    /// Writes about `megabytes` MB (uncompressed) of archive under a new temporary state
    /// directory: three SSE quote streams (a 47 KB snapshot every 2,000 patches, a text
    /// `message` now and then), two pollers (a body every 10 s, a 304 between), counters every
    /// minute; hourly segments in 16 MiB parts, then each part gzipped as the disk keeper does.
    static func generate(megabytes: Int, state: String? = nil) -> Archive {
        let state = state
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-archive-\(getpid())").path
        let root = state + "/archive"
        let budget = megabytes * 1_000_000
        var streams: [String: Int] = [:]
        var lines = 0
        for (index, id) in ["quotes-a", "quotes-b", "quotes-c"].enumerated() {
            let written = writeStream(
                root: root, id: id, budget: budget * 3 / 15, seed: UInt64(10 + index), poll: false)
            streams[id] = written.bytes
            lines += written.lines
        }
        for (index, id) in ["poll-a", "poll-b"].enumerated() {
            let written = writeStream(root: root, id: id, budget: budget * 3 / 15, seed: UInt64(20 + index), poll: true)
            streams[id] = written.bytes
            lines += written.lines
        }
        var plain: [String] = []
        for id in streams.keys.sorted() {
            let names = StreamArchive(root: root, stream: id).files().map(\.name)
            plain += names.map { "\(root)/\(id)/\($0)" }
        }
        let files = plain
        DispatchQueue.concurrentPerform(iterations: files.count) { index in
            _ = try! GzipFile.compress(files[index], to: files[index] + ".gz")
            unlink(files[index])
        }
        return Archive(
            state: state, segments: plain.map { $0 + ".gz" }, bytes: streams.values.reduce(0, +), lines: lines,
            streams: streams)
    }

    private static func writeStream(
        root: String, id: String, budget: Int, seed: UInt64, poll: Bool
    ) -> (bytes: Int, lines: Int) {
        let archive = StreamArchive(root: root, stream: id, maxBytes: 1 << 40, partBytes: 16 << 20)
        var feed = QuoteFeed(seed: seed)
        var bytes = 0
        var lines = 0
        var time = start.secondsSinceEpoch
        var nextCounters = time
        var counters = (events: 0, snapshots: 0, patches: 0, polls: 0, notModified: 0, wire: 0, changes: 0)
        let run = UTCTime(secondsSinceEpoch: time).iso8601
        while bytes < budget {
            if time >= nextCounters {
                let running = time - start.secondsSinceEpoch
                let fields: JSONObject = [
                    "run": .string(run), "name": .string(id), "group": .string("quotes"),
                    "mode": .string(poll ? "poll" : "sse"), "running": .number(JSONNumber(running)!),
                    "uptime": .number(JSONNumber(running)!), "wireBytes": .number(JSONNumber(counters.wire)),
                    "payloadBytes": .number(JSONNumber(counters.wire)), "events": .number(JSONNumber(counters.events)),
                    "snapshots": .number(JSONNumber(counters.snapshots)),
                    "patches": .number(JSONNumber(counters.patches)),
                    "operations": .number(JSONNumber(counters.patches * 5)),
                    "polls": .number(JSONNumber(counters.polls)),
                    "notModified": .number(JSONNumber(counters.notModified)), "errors": 0, "reconnects": 0,
                    "changes": .number(JSONNumber(counters.changes)), "changeFrequency": .null,
                    "wouldBePatchBytes": .number(JSONNumber(counters.changes * 300)),
                    "pollBodyBytes": .number(JSONNumber(poll ? counters.wire : 0)),
                ]
                try! archive.append(kind: "counters", time: UTCTime(secondsSinceEpoch: time), fields: fields)
                bytes += 700
                lines += 1
                nextCounters += 60
            }
            if poll {
                // A 200 with the whole body, then a 304.
                for _ in 0..<20 { _ = feed.nextPatch() }
                let text = feed.documentText
                let body = try! JSONParser.parse(text)
                try! archive.append(kind: "poll", time: UTCTime(secondsSinceEpoch: time), fields: [
                    "status": 200, "wireBytes": .number(JSONNumber(text.utf8.count + 300)),
                    "bodyBytes": .number(JSONNumber(text.utf8.count)), "patchBytes": 1200, "changed": true,
                    "body": body,
                ])
                try! archive.append(kind: "poll", time: UTCTime(secondsSinceEpoch: time + 5), fields: [
                    "status": 304, "wireBytes": 310, "patchBytes": 2,
                ])
                bytes += text.utf8.count + 220
                lines += 2
                counters.polls += 2
                counters.notModified += 1
                counters.wire += text.utf8.count + 610
                counters.changes += 1
                time += 10
            } else {
                let event: (type: String, data: String)
                if counters.events % 2_000 == 0 {
                    event = ("data", feed.documentText)
                    counters.snapshots += 1
                } else if counters.events % 997 == 0 {
                    event = ("message", "heartbeat \(counters.events)")
                } else {
                    event = ("patch", feed.nextPatch())
                    counters.patches += 1
                }
                try! archive.appendEvent(
                    time: UTCTime(secondsSinceEpoch: time), type: event.type, id: String(counters.events),
                    data: event.data)
                let size = event.data.utf8.count + 80
                bytes += size
                lines += 1
                counters.events += 1
                counters.wire += size
                counters.changes += 1
                time += 0.05
            }
        }
        try! archive.close()
        // What the files hold, exactly.
        let written = StreamArchive(root: root, stream: id).files().reduce(0) { $0 + $1.bytes }
        return (written, lines)
    }

    /// Seconds for `gzip -dc <segments> | wc -l`, and the lines it counted.
    static func gzipBaseline(_ archive: Archive) -> (seconds: Double, lines: Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", #"gzip -dc "$@" | wc -l"#, "sh"] + archive.segments
        let pipe = Pipe()
        process.standardOutput = pipe
        let clock = ContinuousClock()
        let began = clock.now
        try! process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let seconds = Measure.seconds(clock.now - began)
        let lines = Int(String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        return (seconds, lines)
    }

    /// Seconds for `streamtop report --format json` over the whole archive, in process.
    static func runReport(_ archive: Archive) -> (seconds: Double, status: Int32, output: Int) {
        let sink = DiscardSink()
        let errors = MemorySink()
        let clock = ContinuousClock()
        let began = clock.now
        let status = Streamtop.main(
            ["report", "--state-dir", archive.state, "--since", "2026-11-19", "--until", "2026-11-22",
             "--format", "json"], output: sink, errors: errors)
        return (Measure.seconds(clock.now - began), status, sink.count)
    }

    /// Seconds for `streamtop replay ID` over the whole archive of one stream, in process.
    static func replay(_ archive: Archive, stream: String) -> (seconds: Double, status: Int32) {
        let sink = DiscardSink()
        let errors = MemorySink()
        let clock = ContinuousClock()
        let began = clock.now
        let status = Streamtop.main(["replay", stream, "--state-dir", archive.state], output: sink, errors: errors)
        return (Measure.seconds(clock.now - began), status)
    }

    /// The section: best of three of each, interleaved. True when the figures are right (gzip
    /// counted every line, report and replay succeeded).
    @MainActor static func run(megabytes: Int, withReplay: Bool) -> Bool {
        let clock = ContinuousClock()
        let began = clock.now
        let archive = generate(megabytes: megabytes)
        defer { try? FileManager.default.removeItem(atPath: archive.state) }
        let compressed = archive.segments.reduce(0) { total, path in
            total + ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
        }
        print(String(format: "  (archive: %d streams, %d segments, %.0f MB of JSON lines, %.0f MB gzipped, %d lines; "
                     + "written in %.0f s)", archive.streams.count, archive.segments.count, Double(archive.bytes) / 1e6,
                     Double(compressed) / 1e6, archive.lines, Measure.seconds(clock.now - began)))
        var gzipBest = Double.infinity
        var reportBest = Double.infinity
        var right = true
        for _ in 0..<3 {
            let baseline = gzipBaseline(archive)
            gzipBest = min(gzipBest, baseline.seconds)
            right = right && baseline.lines == archive.lines
            let run = runReport(archive)
            reportBest = min(reportBest, run.seconds)
            right = right && run.status == 0 && run.output > 0
        }
        let size = Double(archive.bytes)
        // The target: within 3× of decompressing and counting lines.
        report(BenchResult(name: "report --format json, \(archive.bytes / 1_000_000) MB", value: size / reportBest,
                           unit: "B/s", target: size / gzipBest / 3, baselineName: "gzip -dc | wc -l",
                           baselineValue: size / gzipBest))
        if withReplay, let bytes = archive.streams["quotes-a"] {
            let run = replay(archive, stream: "quotes-a")
            right = right && run.status == 0
            print(String(format: "  replay quotes-a (%.0f MB, SSE, once): %.1f s = %.0f MB/s",
                         Double(bytes) / 1e6, run.seconds, Double(bytes) / run.seconds / 1e6))
        }
        print("  gzip counted every line, report and replay succeeded: \(right ? "yes" : "NO")")
        return right
    }
}
