import Foundation
import XCTest
@testable import StreamCore
@testable import StreamEngine

/// Archive parts read a chunk at a time: the same lines, numbers and warnings wherever the
/// chunks end, from plain and gzip files alike.
final class LineSplitterTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("streamtop-lines-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Lines of 0 to 3,000 bytes (some empty), with or without a torn last line.
    func randomText(_ random: inout SplitMix64, torn: Bool) -> [UInt8] {
        var bytes: [UInt8] = []
        for n in 0..<Int(random.next() % 200) {
            let length = random.next() % 5 == 0 ? 0 : Int(random.next() % 3_000)
            bytes += Array(#"{"n":\#(n),"s":""#.utf8) + Array(repeating: 0x61, count: length) + Array(#""}"#.utf8)
            bytes.append(0x0A)
            if random.next() % 7 == 0 { bytes.append(0x0A) }
        }
        if torn { bytes += Array(#"{"t":"2026-12-02T10:00:00.000Z","kind":"ev"#.utf8) }
        return bytes
    }

    /// The lines `bytes` holds, split the plain way: (number, text) of each ended line.
    func expectedLines(_ bytes: [UInt8]) -> [(Int, [UInt8])] {
        var pieces = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        pieces.removeLast()  // after the last newline: torn, or nothing
        return pieces.enumerated().map { ($0 + 1, $1) }
    }

    func testRandomChunkingsGiveTheSameLinesNumbersAndTornLine() {
        var random = SplitMix64(seed: 11)
        for round in 0..<200 {
            let torn = round % 3 == 0
            let bytes = randomText(&random, torn: torn)
            var splitter = LineSplitter()
            var lines: [(Int, [UInt8])] = []
            var offset = 0
            while offset < bytes.count {
                // Chunks of 1 byte to 8 KB, so that lines are split anywhere, some many times.
                let size = random.next() % 4 == 0 ? 1 + Int(random.next() % 16) : 1 + Int(random.next() % 8_192)
                let end = min(bytes.count, offset + size)
                bytes[offset..<end].withUnsafeBufferPointer { chunk in
                    splitter.feed(chunk) { line, number in lines.append((number, Array(line))) }
                }
                offset = end
            }
            let expected = expectedLines(bytes)
            XCTAssertEqual(lines.map(\.0), expected.map(\.0), "round \(round)")
            XCTAssertEqual(lines.map(\.1), expected.map(\.1), "round \(round)")
            let tail = bytes.count - (bytes.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0)
            XCTAssertEqual(splitter.pendingBytes, tail)
            XCTAssertEqual(
                splitter.tornLineWarning(name: "p"),
                torn ? "p: line \(expected.count + 1) is incomplete (\(tail) bytes, a write cut short); skipped" : nil)
        }
    }

    /// `readFile` (now read a chunk at a time) and `forEachLine` say what `parse` says of the
    /// whole bytes, for a plain file and its gzip copy, with a torn line and lines that are not
    /// JSON; lines longer than a read or inflate chunk come whole.
    func testFilesPlainAndGzipReadAsTheirBytesParse() throws {
        var random = SplitMix64(seed: 5)
        var bytes = randomText(&random, torn: false)
        bytes += Array("not json\n".utf8)
        bytes += Array(#"{"long":""#.utf8) + Array(repeating: 0x62, count: 700_000) + Array("\"}\n".utf8)
        bytes += Array("\n{\"a\":1}\n".utf8) + Array(#"{"a":"#.utf8)
        let plain = "\(directory!)/2026-12-02T100000Z.jsonl"
        XCTAssertTrue(FileManager.default.createFile(atPath: plain, contents: Data(bytes)))
        _ = try GzipFile.compress(plain, to: plain + ".gz")
        let expected = JSONLinesReader.parse(bytes, name: plain)
        XCTAssertEqual(expected.warnings.count, 2)
        for path in [plain, plain + ".gz"] {
            let read = try JSONLinesReader.readFile(path: path)
            XCTAssertEqual(read.records, expected.records, path)
            XCTAssertEqual(read.warnings, expected.warnings.map { $0.replacingOccurrences(of: plain, with: path) })
            var lines: [(Int, [UInt8])] = []
            let torn = try JSONLinesReader.forEachLine(path: path) { line, number in
                lines.append((number, Array(line)))
            }
            let all = expectedLines(bytes)
            XCTAssertEqual(lines.map(\.0), all.map(\.0), path)
            XCTAssertEqual(lines.map(\.1), all.map(\.1), path)
            XCTAssertEqual(torn, "\(path): line \(all.count + 1) is incomplete (5 bytes, a write cut short); skipped")
        }
    }

    /// A gzip file cut short is an error once reached, after the lines before it were handed on.
    func testATruncatedGzipPartIsAnErrorAfterItsFirstLines() throws {
        var random = SplitMix64(seed: 9)
        var bytes: [UInt8] = []
        while bytes.count < 2_000_000 {
            bytes += Array(#"{"n":\#(random.next()),"pad":"\#(String(repeating: "x", count: 200))"}"#.utf8) + [0x0A]
        }
        let plain = "\(directory!)/p.jsonl"
        XCTAssertTrue(FileManager.default.createFile(atPath: plain, contents: Data(bytes)))
        let size = try GzipFile.compress(plain, to: plain + ".gz")
        XCTAssertEqual(truncate(plain + ".gz", off_t(size / 2)), 0)
        var count = 0
        XCTAssertThrowsError(try JSONLinesReader.forEachLine(path: plain + ".gz") { _, _ in count += 1 }) { error in
            XCTAssertEqual(error as? FileError, FileError(path: plain + ".gz", operation: "decompress", code: EBADMSG))
        }
        XCTAssertGreaterThan(count, 0)
        XCTAssertThrowsError(try JSONLinesReader.readFile(path: plain + ".gz"))
    }
}
