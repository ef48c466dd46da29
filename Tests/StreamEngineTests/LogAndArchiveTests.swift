import Foundation
import XCTest
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

    func testLogWritesJSONLinesKeepsARingAndRotatesBySize() throws {
        let log = try StreamLog(directory: directory, stream: "quotes", maxFileBytes: 1_000, keptFiles: 2, ringCapacity: 5)
        for i in 0..<40 {
            try log.append(LogEntry(time: noon, kind: "event", fields: ["n": .number(JSONNumber(i)), "excerpt": "\u{1B}[2J quote"]))
        }
        XCTAssertEqual(log.recent.map { $0.fields["n"] }, [35, 36, 37, 38, 39].map { JSONValue.number(JSONNumber($0)) })
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

    func testArchiveWritesDailyFilesAndEnforcesAgeAndSize() throws {
        let archive = try StreamArchive(root: directory, stream: "quotes", maxBytes: 2_000, maxAgeDays: 3)
        for day in 0..<6 {
            let time = UTCTime(secondsSinceEpoch: noon.secondsSinceEpoch + Double(day) * 86_400)
            try archive.append(kind: "event", time: time, fields: ["type": "patch", "data": .string(String(repeating: "x", count: 100))])
        }
        XCTAssertEqual(archive.files().map(\.name), ["2026-12-01.jsonl", "2026-12-02.jsonl", "2026-12-03.jsonl", "2026-12-04.jsonl"],
                       "files older than three days are gone")
        // Past the size limit, the oldest days go first, never today's.
        let today = UTCTime(secondsSinceEpoch: noon.secondsSinceEpoch + 5 * 86_400)
        for _ in 0..<40 { try archive.append(kind: "event", time: today, fields: ["data": .string(String(repeating: "y", count: 100))]) }
        let names = archive.files().map(\.name)
        XCTAssertEqual(names.last, "2026-12-04.jsonl")
        XCTAssertFalse(names.contains("2026-12-01.jsonl"))
        let records = try JSONLinesReader.readFile(path: "\(archive.directory)/2026-12-04.jsonl")
        XCTAssertEqual(records.records.count, 41)
        XCTAssertEqual(records.records.first?["t"], "2026-12-04T12:00:00.000Z")
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
