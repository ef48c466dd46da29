import Foundation
import TestSupport
import XCTest
@testable import LocalServer
@testable import StreamCore
@testable import StreamEngine

final class LogAndArchiveTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-engine-\(UUID().uuidString)").path
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    let noon = UTCTime(secondsSinceEpoch: 1_795_953_600)  // 2026-11-29T12:00:00Z

    func testUTCFormatting() {
        XCTAssertEqual(UTCTime(secondsSinceEpoch: 0).iso8601, "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(noon.iso8601, "2026-11-29T12:00:00.000Z")
        XCTAssertEqual(UTCTime(secondsSinceEpoch: 951_782_400.25).iso8601, "2000-02-29T00:00:00.250Z")
        XCTAssertEqual(UTCTime(secondsSinceEpoch: -1).iso8601, "1969-12-31T23:59:59.000Z")
        XCTAssertEqual(UTCTime(secondsSinceEpoch: 4_102_444_799).dateString, "2099-12-31")
        XCTAssertLessThan(abs(SystemWallClock().now().secondsSinceEpoch - Date().timeIntervalSince1970), 5)
    }

    func testLogWritesJSONLinesReadsItsEndBackAndRotatesBySize() throws {
        let log = StreamLog(directory: directory, stream: "quotes", maxFileBytes: 1_000, keptFiles: 2, recentLimit: 5)
        for i in 0..<40 {
            try log.append(LogEntry(time: noon, kind: "event", fields: ["n": .number(JSONNumber(i)), "excerpt": "\u{1B}[2J quote"]))
        }
        XCTAssertEqual(log.recent().map { $0.fields["n"] }, [35, 36, 37, 38, 39].map { JSONValue.number(JSONNumber($0)) })
        XCTAssertEqual(log.recent(limit: 2).map { $0.fields["n"] }, [38, 39].map { JSONValue.number(JSONNumber($0)) })
        XCTAssertEqual(log.recent(limit: 50).count, 5, "never more than the log's limit")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        XCTAssertEqual(files, ["quotes.jsonl", "quotes.jsonl.1", "quotes.jsonl.2"])
        for file in files {
            let size = try FileManager.default.attributesOfItem(atPath: "\(directory!)/\(file)")[.size] as! Int
            XCTAssertLessThanOrEqual(size, 1_000)
        }
        let current = try JSONLinesReader.readFile(path: "\(directory!)/quotes.jsonl")
        XCTAssertTrue(current.warnings.isEmpty)
        XCTAssertEqual(current.records.last?["n"], 39)
        XCTAssertEqual(current.records.last?["time"], "2026-11-29T12:00:00.000Z")
        XCTAssertEqual(current.records.last?["kind"], "event")
        let text = try String(contentsOfFile: "\(directory!)/quotes.jsonl", encoding: .utf8)
        XCTAssertFalse(text.unicodeScalars.contains { $0.value == 0x1B }, "escape sequences never reach the file raw")
    }

    func testRecentEntriesComeBackWholeAcrossARotationAndPastATornLine() throws {
        let log = StreamLog(directory: directory, stream: "s", maxFileBytes: 4_000, keptFiles: 1, recentLimit: 1000)
        let entry = LogEntry(time: UTCTime(secondsSinceEpoch: noon.secondsSinceEpoch + 0.25), level: .error, kind: "error",
                             fields: ["reason": "HTTP 500: ␛[31m", "status": 500, "headers": ["a": "b"], "ok": false])
        try log.append(entry)
        XCTAssertEqual(log.recent(), [entry], "time, level, kind and fields survive the round trip")
        for i in 0..<60 { try log.append(LogEntry(time: noon, kind: "event", fields: ["n": .number(JSONNumber(i))])) }
        // The current file was started by a rotation: the entries before it come from `.1`.
        let current = try JSONLinesReader.readFile(path: directory + "/s.jsonl").records.count
        XCTAssertLessThan(current, 60)
        let all = log.recent()
        XCTAssertEqual(all.dropFirst(all.count - 60).map { $0.fields["n"] }, (0..<60).map { JSONValue.number(JSONNumber($0)) })
        XCTAssertEqual(log.recent(limit: current + 2).map { $0.fields["n"] }, (58 - current..<60).map { JSONValue.number(JSONNumber($0)) })
        // A crash's torn line, then more entries: the torn one is skipped, nothing else is lost.
        let handle = FileHandle(forWritingAtPath: directory + "/s.jsonl")!
        handle.seekToEndOfFile()
        handle.write(Data(#"{"time":"2026-11-29T12:00:00.000Z","kind":"ev"#.utf8))
        try handle.close()
        let reopened = StreamLog(directory: directory, stream: "s", maxFileBytes: 4_000, keptFiles: 1, recentLimit: 1000)
        try reopened.append(LogEntry(time: noon, kind: "event", fields: ["n": 60]))
        XCTAssertEqual(reopened.recent(limit: 3).map { $0.fields["n"] }, [58, 59, 60])
    }

    func testATailTakenEarlierReadsWhatWasWrittenBeforeItEvenAfterRotation() throws {
        let log = StreamLog(directory: directory, stream: "s", maxFileBytes: 2_000, keptFiles: 3, recentLimit: 10)
        for i in 0..<5 { try log.append(LogEntry(time: noon, kind: "event", fields: ["n": .number(JSONNumber(i))])) }
        let tail = log.tail()
        for i in 5..<200 { try log.append(LogEntry(time: noon, kind: "event", fields: ["n": .number(JSONNumber(i))])) }
        XCTAssertEqual(tail.read(limit: 10).map { $0.fields["n"] }, (0..<5).map { JSONValue.number(JSONNumber($0)) })
        XCTAssertEqual(log.recent().map { $0.fields["n"] }, (190..<200).map { JSONValue.number(JSONNumber($0)) })
    }

    func testReadingBackManyEntriesTakesTheLastThousandInOrder() throws {
        let log = StreamLog(directory: directory, stream: "s")
        let excerpt = JSONValue.string(String(repeating: "x", count: 200))
        for i in 0..<2_500 { try log.append(LogEntry(time: noon, kind: "event", fields: ["n": .number(JSONNumber(i)), "excerpt": excerpt])) }
        let recent = log.recent()
        XCTAssertEqual(recent.count, 1000)
        XCTAssertEqual(recent.first?.fields["n"], 1_500)
        XCTAssertEqual(recent.last?.fields["n"], 2_499)
        XCTAssertEqual(log.recent(limit: 1).map { $0.fields["n"] }, [2_499])
        var budget = Int.max
        let fd = open(directory + "/s.jsonl", O_RDONLY)
        defer { close(fd) }
        XCTAssertEqual(LogTail.lastLines(fd: fd, size: 0, count: 5, budget: &budget), [], "an empty file has no lines")
    }

    /// Reading backwards in steps of any size finds the same last lines: every count, with a
    /// torn line at the end and blank lines between.
    func testLastLinesAreTheSameWhateverTheReadSize() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/lines"
        var random = SplitMix64(seed: 21)
        var lines: [String] = []
        for i in 0..<60 { lines.append("line \(i) " + String(repeating: "é", count: Int(random.next() % 40))) }
        for ending in ["\n", "\n\n" + "torn", "\n\n", "\n" + String(repeating: "x", count: 150)] {
            let text = lines.joined(separator: "\n") + ending
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
            let fd = open(path, O_RDONLY)
            defer { close(fd) }
            for _ in 0..<200 {
                let count = Int(random.next() % 70)
                let step = Int(random.next() % 97) + 1
                var budget = Int.max
                let got = LogTail.lastLines(fd: fd, size: text.utf8.count, count: count, budget: &budget, step: step)
                XCTAssertEqual(got.map { String(decoding: $0, as: UTF8.self) }, Array(lines.suffix(count)), "count \(count), step \(step)")
            }
        }
    }

    func testLinesWaitForAFlushThenGoOutTogetherAndNothingIsLostOnClose() throws {
        func lines(_ path: String) -> Int { (try? JSONLinesReader.readFile(path: path).records.count) ?? 0 }
        var log: StreamLog? = StreamLog(directory: directory, stream: "s")
        var archive: StreamArchive? = StreamArchive(root: directory, stream: "s")
        for i in 0..<3 {
            try log?.append(LogEntry(time: noon, kind: "event", fields: ["n": .number(JSONNumber(i))]))
            try archive?.append(kind: "event", time: noon, fields: ["data": "x"])
        }
        let day = directory + "/s/2026-11-29T120000Z.jsonl"
        XCTAssertEqual(lines(directory + "/s.jsonl"), 0, "lines wait for the burst to end")
        XCTAssertEqual(lines(day), 0)
        try log?.flush()
        try archive?.flush()
        XCTAssertEqual(lines(directory + "/s.jsonl"), 3)
        XCTAssertEqual(lines(day), 3)
        // 64 KiB pending are written at once, without waiting for a flush.
        let big = JSONValue.string(String(repeating: "y", count: 1_000))
        for _ in 0..<70 { try archive?.append(kind: "event", time: noon, fields: ["data": big]) }
        XCTAssertGreaterThan(lines(day), 3)
        XCTAssertLessThan(lines(day), 73)
        // Closing writes what is left.
        try log?.append(LogEntry(time: noon, kind: "event", fields: ["n": 3]))
        log = nil
        archive = nil
        XCTAssertEqual(lines(directory + "/s.jsonl"), 4)
        XCTAssertEqual(lines(day), 73)
    }

    /// The event lines written without building an entry are the very bytes the general path
    /// writes, for awkward text too.
    func testEventLinesAreTheSameBytesAsTheGeneralPath() throws {
        let time = UTCTime(secondsSinceEpoch: noon.secondsSinceEpoch + 0.5)
        // Escaped quotes before the excerpt's end, which falls inside a character.
        let long = "\"\"" + String(repeating: "😀\"", count: 50)
        for (type, id, data, changed) in [("patch", "42", #"[{"op":"replace","path":"/a","value":"x\"y"}]"#, true),
                                          ("data", "", "é\u{1B}[2J\u{2028}\n😀", false), ("data", "7", long, true)] {
            let general = StreamLog(directory: directory + "/general", stream: "s")
            let special = StreamLog(directory: directory + "/special", stream: "s")
            try general.append(LogEntry(time: time, kind: "event", fields: [
                "type": .string(type), "id": .string(id), "bytes": .number(JSONNumber(data.utf8.count)),
                "ops": 3, "changed": .bool(changed), "excerpt": .string(StreamRunner.excerpt(data)),
            ]))
            var escaped = EscapedData()
            escaped.set(data)
            try special.appendEvent(
                time: time, type: type, id: id, bytes: data.utf8.count, operations: 3, changed: changed,
                excerpt: escaped)
            try general.flush()
            try special.flush()
            XCTAssertEqual(try String(contentsOfFile: directory + "/special/s.jsonl", encoding: .utf8),
                           try String(contentsOfFile: directory + "/general/s.jsonl", encoding: .utf8))
            let generalArchive = StreamArchive(root: directory + "/general", stream: "a")
            let specialArchive = StreamArchive(root: directory + "/special", stream: "a")
            try generalArchive.append(kind: "event", time: time, fields: ["type": .string(type), "id": .string(id), "data": .string(data)])
            try specialArchive.appendEvent(time: time, type: type, id: id, data: data)
            try generalArchive.flush()
            try specialArchive.flush()
            func text(_ path: String) throws -> String {
                try String(contentsOfFile: directory + path + "/a/2026-11-29T120000Z.jsonl", encoding: .utf8)
            }
            XCTAssertEqual(try text("/special"), try text("/general"))
            try FileManager.default.removeItem(atPath: directory)
        }
    }

    func testExcerptsAreCutByBytesAtACharacterBoundary() {
        let long = "\"\"" + String(repeating: "😀\"", count: 50)
        XCTAssertEqual(StreamRunner.excerpt(long).utf8.count, 197, "the emoji across byte 200 is left out")
        XCTAssertEqual(StreamRunner.excerpt("abc"), "abc")
        XCTAssertEqual(StreamRunner.excerpt(String(repeating: "é", count: 150)), String(repeating: "é", count: 100))
        XCTAssertEqual(StreamRunner.excerpt("a" + String(repeating: "é", count: 150)), "a" + String(repeating: "é", count: 99),
                       "a two-byte character across the limit is left out whole")
        XCTAssertEqual(StreamRunner.excerpt(String(repeating: "😀", count: 60)).utf8.count, 200)
        XCTAssertEqual(StreamRunner.excerpt("ab" + String(repeating: "😀", count: 60)).utf8.count, 198)
    }

    func testArchiveWritesSegmentsAndEnforcesAgeAndSize() throws {
        let archive = StreamArchive(root: directory, stream: "quotes", maxBytes: 2_000, maxAgeDays: 3)
        for day in 0..<6 {
            let time = UTCTime(secondsSinceEpoch: noon.secondsSinceEpoch + Double(day) * 86_400)
            try archive.append(kind: "event", time: time, fields: ["type": "patch", "data": .string(String(repeating: "x", count: 100))])
        }
        XCTAssertEqual(archive.files().map(\.name), ["2026-12-01T120000Z.jsonl", "2026-12-02T120000Z.jsonl",
                                                     "2026-12-03T120000Z.jsonl", "2026-12-04T120000Z.jsonl"],
                       "files older than three days are gone")
        // Past the size limit, the oldest days go first, never today's.
        let today = UTCTime(secondsSinceEpoch: noon.secondsSinceEpoch + 5 * 86_400)
        for _ in 0..<40 { try archive.append(kind: "event", time: today, fields: ["data": .string(String(repeating: "y", count: 100))]) }
        try archive.flush()
        let names = archive.files().map(\.name)
        XCTAssertEqual(names.last, "2026-12-04T120000Z.jsonl")
        XCTAssertFalse(names.contains("2026-12-01T120000Z.jsonl"))
        let records = try JSONLinesReader.readFile(path: "\(archive.directory)/2026-12-04T120000Z.jsonl")
        XCTAssertEqual(records.records.count, 41)
        XCTAssertEqual(records.records.first?["t"], "2026-12-04T12:00:00.000Z")
    }

    /// With S3, the cap (age and size) removes only the parts already uploaded: the others wait
    /// for S3 (the disk budget is the last resort, and says what it removes).
    func testWithUploadsTheCapKeepsWhatS3HasNotConfirmed() throws {
        let archive = StreamArchive(
            root: directory, stream: "quotes", maxBytes: 2_000, maxAgeDays: 3, waitsForUpload: true)
        for day in 0..<3 {
            let time = UTCTime(secondsSinceEpoch: noon.secondsSinceEpoch + Double(day) * 86_400)
            try archive.append(kind: "event", time: time, fields: ["data": .string(String(repeating: "x", count: 100))])
        }
        try UploadedParts.add("2026-11-29T120000Z.jsonl", in: archive.directory)
        for day in 3..<6 {
            let time = UTCTime(secondsSinceEpoch: noon.secondsSinceEpoch + Double(day) * 86_400)
            try archive.append(kind: "event", time: time, fields: ["data": .string(String(repeating: "x", count: 100))])
        }
        let today = UTCTime(secondsSinceEpoch: noon.secondsSinceEpoch + 5 * 86_400)
        let line: JSONValue = .string(String(repeating: "y", count: 100))
        for _ in 0..<40 { try archive.append(kind: "event", time: today, fields: ["data": line]) }
        try archive.flush()
        let names = archive.files().map(\.name)
        XCTAssertFalse(names.contains("2026-11-29T120000Z.jsonl"), "uploaded, and past the cap: removed")
        XCTAssertTrue(names.contains("2026-11-30T120000Z.jsonl"), "not uploaded: kept past its age")
        XCTAssertTrue(names.contains("2026-12-01T120000Z.jsonl"), "not uploaded: kept past the size")
    }

    func testTornLastLineIsSkippedWithAWarningAndNothingBeforeIsLost() {
        let good = #"{"t":"a","kind":"event","data":"1"}"# + "\n" + #"{"t":"b","kind":"event","data":"2"}"# + "\n"
        let result = JSONLinesReader.parse(Array((good + #"{"t":"c","kind":"ev"#).utf8), name: "day.jsonl")
        XCTAssertEqual(result.records.map { $0["data"] }, ["1", "2"])
        XCTAssertEqual(result.warnings, ["day.jsonl: line 3 is incomplete (19 bytes, a write cut short); skipped"])
        let middle = JSONLinesReader.parse(Array(("{\"a\":1}\nnot json\n{\"a\":2}\n").utf8), name: "x")
        XCTAssertEqual(middle.records, [["a": 1], ["a": 2]])
        XCTAssertEqual(middle.warnings, ["x: line 2 is not JSON (invalid literal (expected true, false or null)); skipped"])
    }

    func testAppendingAfterATornLineStartsOnAFreshLine() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/day.jsonl"
        try #"{"a":1}"#.appending("\n").appending(#"{"a":"#).write(toFile: path, atomically: false, encoding: .utf8)
        let file = try AppendOnlyFile(path: path)
        let line = Array(#"{"a":3}"#.utf8) + [0x0A]
        try line.withUnsafeBufferPointer { try file.append($0) }
        let result = try JSONLinesReader.readFile(path: path)
        XCTAssertEqual(result.records, [["a": 1], ["a": 3]])
        XCTAssertEqual(result.warnings, ["\(path): line 2 is not JSON (unexpected end of input); skipped"])
    }
}

/// A log or archive that cannot be written: the failure is said once, the writes are retried,
/// and a line cut short by a full disk costs only itself.
final class StorageFailureTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-storage-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testAnIncidentIsSaidWhenItStartsAndWhenItEnds() {
        var health = StorageHealth()
        let full = FileError(path: "/x", operation: "write", code: ENOSPC)
        XCTAssertNil(health.record(nil))
        XCTAssertEqual(health.record(full), .failed("cannot write /x: No space left on device"))
        XCTAssertNil(health.record(full))
        XCTAssertNil(health.record(FileError(path: "/x", operation: "open", code: EMFILE)))
        XCTAssertEqual(health.problem, "cannot open /x: Too many open files")
        XCTAssertEqual(health.record(nil), .recovered)
        XCTAssertNil(health.problem)
        XCTAssertNil(health.record(nil))
    }

    /// A write that stops mid-line (here at the file-size limit, as a full disk would) leaves a
    /// torn line; the next write ends it first, so the lines after it are whole.
    func testALineCutShortByAFullDiskCostsOnlyItself() throws {
        let path = directory + "/day.jsonl"
        let file = try AppendOnlyFile(path: path)
        let first = Array(#"{"a":1}"#.utf8) + [0x0A]
        try first.withUnsafeBufferPointer { try file.append($0) }
        // Writes past 20 bytes fail (EFBIG, with SIGXFSZ ignored) after a partial write.
        let previousHandler = signal(SIGXFSZ, SIG_IGN)
        var previous = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &previous)
        var small = previous
        small.rlim_cur = 20
        setrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &small)
        let cut = Array(#"{"b":"0123456789"}"#.utf8) + [0x0A]
        XCTAssertThrowsError(try cut.withUnsafeBufferPointer { try file.append($0) })
        setrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &previous)
        signal(SIGXFSZ, previousHandler)
        let last = Array(#"{"c":3}"#.utf8) + [0x0A]
        try last.withUnsafeBufferPointer { try file.append($0) }
        let result = try JSONLinesReader.readFile(path: path)
        XCTAssertEqual(result.records, [["a": 1], ["c": 3]])
        XCTAssertEqual(result.warnings.count, 1, "\(result.warnings)")
    }

    /// A log and an archive that cannot be created (something else sits where they go) do not
    /// stop the stream; once the way is clear they are written again, without a restart.
    func testAStreamWhoseFilesCannotBeWrittenSaysSoAndResumesWriting() throws {
        let server = try LocalServer(configuration: .init(apis: [.init(name: "quotes", kind: "quotes", period: .milliseconds(50))], retryMilliseconds: 50))
        defer { server.stop() }
        let state = directory + "/state"
        try FileManager.default.createDirectory(atPath: state + "/logs/quotes.jsonl", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: state + "/archive", withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: state + "/archive/quotes", contents: Data("in the way".utf8)))
        let engine = try Engine(specs: [StreamSpec(id: "quotes", name: "Quotes", url: server.baseURL + "/sse/quotes", autostart: true)], stateDirectory: state)
        defer { engine.shutdown() }
        engine.startAutostart()
        func snapshot(_ what: String, line: UInt = #line, until condition: (StreamSnapshot) -> Bool) -> StreamSnapshot? {
            var last: StreamSnapshot?
            let reached = waitUntil("\(what); its status was \(String(describing: last?.status))", timeout: 20, line: line) {
                last = engine.store.latest().snapshots.first
                return last.map(condition) ?? false
            }
            return reached ? last : nil
        }
        let failing = snapshot("errors for both files, and three patches") {
            $0.status.storageError?.contains("archive") == true && $0.status.storageError?.contains("log") == true
                && $0.metrics.patches >= 3
        }
        XCTAssertNotNil(failing, "\(String(describing: engine.store.latest().snapshots.first?.status))")
        XCTAssertEqual(failing?.status.state, .open, "the stream goes on")
        let today = SystemWallClock().now().dateString
        let said = try XCTUnwrap(failing?.status.storageError)
        let expected = "log: cannot open \(state)/logs/quotes.jsonl: Is a directory; "
            + "archive: cannot open \(state)/archive/quotes/\(today)T"
        XCTAssertTrue(said.hasPrefix(expected), said)
        XCTAssertTrue(said.hasSuffix("Z.jsonl: Not a directory"), said)
        let alerts = engine.store.alerts(after: 0).map(\.message)
        XCTAssertEqual(alerts.filter { $0.contains("cannot be written") }.count, 2, "once each, not once per event: \(alerts)")

        try FileManager.default.removeItem(atPath: state + "/logs/quotes.jsonl")
        try FileManager.default.removeItem(atPath: state + "/archive/quotes")
        let before = failing?.metrics.events ?? 0
        let recovered = snapshot("both files written again, and three more events") {
            $0.status.storageError == nil && $0.metrics.events > before + 3
        }
        XCTAssertNotNil(recovered)
        let messages = engine.store.alerts(after: 0).map(\.message)
        XCTAssertTrue(messages.contains("Quotes: its log is written again"), "\(messages)")
        XCTAssertTrue(messages.contains("Quotes: its archive is written again"), "\(messages)")
        engine.stop(id: "quotes")
        _ = snapshot("the stream to stop") { $0.status.state == .stopped }
        let log = try JSONLinesReader.readFile(path: state + "/logs/quotes.jsonl")
        XCTAssertTrue(log.records.contains { $0["kind"] == "storage" && $0["file"] == "archive" && $0["problem"] == .null }, "the log tells of the archive's recovery")
        XCTAssertTrue(log.records.contains { $0["kind"] == "event" })
        let days = try FileManager.default.contentsOfDirectory(atPath: state + "/archive/quotes")
        XCTAssertEqual(days.count, 1)
        XCTAssertFalse(try JSONLinesReader.readFile(path: state + "/archive/quotes/" + days[0]).records.isEmpty)
    }
}

/// The archive's size cap holds within a day: a stream that writes far past it in one day
/// (a gzip bomb) keeps its newest parts and loses its oldest, never exceeding the cap by
/// more than one part.
final class ArchivePartTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("streamtop-parts-\(UUID().uuidString)").path
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    let noon = UTCTime(secondsSinceEpoch: 1_795_953_600)  // 2026-11-29T12:00:00Z

    func testTheCapHoldsWithinADayAndTheNewestPartsAreKept() throws {
        let cap = 64 << 10, part = 8 << 10
        let archive = StreamArchive(root: directory, stream: "bomb", maxBytes: cap, partBytes: part)
        let data = String(repeating: "z", count: 300)
        var largest = 0
        for n in 0..<1_200 {  // about 420 KB in one day
            try archive.appendEvent(time: noon, type: "data", id: String(n), data: data)
            if n % 25 == 0 { try archive.flush() }
            largest = max(largest, archive.files().reduce(0) { $0 + $1.bytes })
        }
        try archive.flush()
        XCTAssertLessThanOrEqual(largest, cap + part, "never more than one part past the cap")
        let files = archive.files()
        XCTAssertGreaterThan(files.count, 4, "the day is split into parts: \(files.map(\.name))")
        XCTAssertEqual(files.map(\.name), files.map(\.name).sorted(), "names sort in the order they were written")
        XCTAssertTrue(files.allSatisfy { $0.name.hasPrefix("2026-11-29") })
        XCTAssertFalse(files.contains { $0.name == "2026-11-29.jsonl" }, "the day's first part went first")
        // Read back in name order, the parts hold the newest records, in order, up to the last.
        var ids: [Int] = []
        for file in files {
            let result = try JSONLinesReader.readFile(path: "\(archive.directory)/\(file.name)")
            XCTAssertTrue(result.warnings.isEmpty)
            XCTAssertLessThanOrEqual(file.bytes, part + 400)
            ids += result.records.compactMap { $0["id"]?.stringValue.flatMap { Int($0) } }
        }
        XCTAssertEqual(ids, Array((1_200 - ids.count)..<1_200))
        XCTAssertGreaterThan(ids.count * 350, cap - part, "as much as the cap allows is kept")
    }

    func testPartNamesSortInTheOrderWritten() {
        let names = ["2026-11-29.jsonl", "2026-11-29.jsonl.gz", "2026-11-29_000001.jsonl.gz", "2026-11-29_000002.jsonl",
                     "2026-11-29_000010.jsonl", "2026-11-30.jsonl"]
        let parts = names.compactMap(ArchivePart.init(name:))
        XCTAssertEqual(parts.map(\.name), names, "a name survives parsing")
        XCTAssertEqual(parts.sorted(), parts)
        XCTAssertEqual(names.sorted(), names)
        XCTAssertEqual(parts[2].number, 1)
        XCTAssertEqual(parts[2].uncompressed.name, "2026-11-29_000001.jsonl")
        for other in ["2026-11-29.json", "2026-11-29_1.jsonl", "2026-11-29_00000x.jsonl", "2026-11-29_000000.jsonl",
                      "20261129.jsonl", "2026-11-29_+00001.jsonl", "x.jsonl", ".jsonl.gz", "2026-11-29.jsonl.gz.tmp"] {
            XCTAssertNil(ArchivePart(name: other), other)
        }
    }

    /// A new writer (streamtop started again) appends to the segment's newest part rather than
    /// starting over at the first; the next day starts at its first part.
    func testARestartedWriterContinuesTheNewestPart() throws {
        var archive: StreamArchive? = StreamArchive(root: directory, stream: "s", maxBytes: 1 << 20, partBytes: 4 << 10)
        let data = String(repeating: "a", count: 200)
        for n in 0..<40 { try archive?.appendEvent(time: noon, type: "data", id: String(n), data: data) }
        archive = nil
        let before = StreamArchive(root: directory, stream: "s").files()
        XCTAssertGreaterThan(before.count, 1)
        archive = StreamArchive(root: directory, stream: "s", maxBytes: 1 << 20, partBytes: 4 << 10)
        try archive?.appendEvent(time: noon, type: "data", id: "40", data: "b")
        let tomorrow = UTCTime(secondsSinceEpoch: noon.secondsSinceEpoch + 86_400)
        try archive?.appendEvent(time: tomorrow, type: "data", id: "41", data: "c")
        try archive?.flush()
        let after = archive!.files()
        XCTAssertEqual(after.map(\.name), before.map(\.name) + ["2026-11-30T120000Z.jsonl"])
        let newest = try JSONLinesReader.readFile(path: "\(directory!)/s/\(before.last!.name)").records
        XCTAssertEqual(newest.last?["id"], "40")
    }
}
