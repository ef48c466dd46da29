import Foundation
import TestSupport
import XCTest
@testable import StreamCore
@testable import StreamEngine

/// Closed archive parts are gzip files that the system's gzip, which shares no code with
/// ours, decompresses to the very bytes written; the archive's reader reads them back.
final class GzipFileTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("streamtop-gzip-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }


    func testCompressedFilesDecompressToTheSameBytesWithTheSystemsGzip() throws {
        var random = SplitMix64(seed: 7)
        let lines = (0..<3_000).map { n in
            #"{"t":"2026-11-29T12:00:00.000Z","kind":"event","id":"\#(n)","data":"\#(random.next() % 1000)"}"#
        }
        let text = Array((lines.joined(separator: "\n") + "\n").utf8)
        // Incompressible, and more than one chunk.
        let noise = (0..<200_000).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        for (name, bytes) in [("text", text), ("noise", noise), ("empty", [])] {
            let source = "\(directory!)/\(name).jsonl"
            XCTAssertTrue(FileManager.default.createFile(atPath: source, contents: Data(bytes)))
            let past = Date(timeIntervalSince1970: 1_795_953_600)
            try FileManager.default.setAttributes([.modificationDate: past], ofItemAtPath: source)
            let size = try GzipFile.compress(source, to: source + ".gz")
            let attributes = try FileManager.default.attributesOfItem(atPath: source + ".gz")
            XCTAssertEqual(attributes[.size] as? Int, size, name)
            XCTAssertEqual(attributes[.modificationDate] as? Date, past, "\(name): keeps the time its data was written")
            XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600, name)
            let system = try systemGunzip(source + ".gz")
            XCTAssertEqual(system.status, 0, name)
            XCTAssertEqual(system.bytes, bytes, name)
            XCTAssertEqual(try GzipFile.contents(of: source + ".gz", limit: 1 << 20), bytes, name)
        }
        let textSize = try FileManager.default.attributesOfItem(atPath: "\(directory!)/text.jsonl.gz")[.size] as! Int
        XCTAssertLessThan(textSize * 4, text.count, "JSON lines compress")
        // The archive's reader reads a compressed part as it would the plain one.
        let read = try JSONLinesReader.readFile(path: "\(directory!)/text.jsonl.gz")
        XCTAssertEqual(read.records.count, 3_000)
        XCTAssertEqual(read.records.last?["id"], "2999")
    }

    func testAFileThatIsNotGzipOrTooLargeIsAClearError() throws {
        let path = "\(directory!)/x.jsonl.gz"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data("not gzip".utf8)))
        XCTAssertThrowsError(try GzipFile.contents(of: path, limit: 1 << 20)) { error in
            XCTAssertEqual("\(error)", "cannot decompress \(path): Bad message")
        }
        let source = "\(directory!)/big"
        XCTAssertTrue(FileManager.default.createFile(atPath: source, contents: Data(repeating: 0x41, count: 300_000)))
        _ = try GzipFile.compress(source, to: path)
        XCTAssertThrowsError(try GzipFile.contents(of: path, limit: 100_000)) { error in
            XCTAssertEqual(error as? FileError, FileError(path: path, operation: "decompress", code: EFBIG))
        }
        // Cut short, as a torn copy would be.
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try GzipFile.contents(of: path, limit: 1 << 20))
        XCTAssertThrowsError(try GzipFile.compress(directory + "/missing", to: directory + "/missing.gz"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/missing.gz"))
    }

    /// Bytes held in memory (an object downloaded from S3) go through the same inflate as a
    /// file: the same chunks of output, the same lines, the same errors, named as asked.
    func testBytesInMemoryInflateAsTheFileDoes() throws {
        var random = SplitMix64(seed: 11)
        let text = (0..<20_000).map { #"{"n":\#($0),"r":\#(random.next() % 100_000)}"# }.joined(separator: "\n")
        let source = "\(directory!)/part.jsonl"
        XCTAssertTrue(FileManager.default.createFile(atPath: source, contents: Data((text + "\n{\"torn").utf8)))
        _ = try GzipFile.compress(source, to: source + ".gz")
        let compressed = Array(try Data(contentsOf: URL(fileURLWithPath: source + ".gz")))
        XCTAssertGreaterThan(compressed.count, GzipFile.chunk, "more than one piece of input")
        var fromFile: [[UInt8]] = []
        var fromMemory: [[UInt8]] = []
        try GzipFile.inflate(source + ".gz", limit: 1 << 24) { fromFile.append(Array($0)) }
        try GzipFile.inflate(compressed, name: "s3 k", limit: 1 << 24) { fromMemory.append(Array($0)) }
        XCTAssertEqual(fromMemory, fromFile)
        XCTAssertEqual(fromMemory.flatMap { $0 }, Array((text + "\n{\"torn").utf8))
        var lines = 0
        let torn = try JSONLinesReader.forEachLine(gzip: compressed, name: "s3 k") { _, number in lines = number }
        XCTAssertEqual(lines, 20_000)
        XCTAssertEqual(torn, "s3 k: line 20001 is incomplete (6 bytes, a write cut short); skipped")
        let cut = Array(compressed.prefix(compressed.count / 2))
        var before = 0
        XCTAssertThrowsError(try GzipFile.inflate(cut, name: "s3 k", limit: 1 << 24) { before += $0.count }) { error in
            XCTAssertEqual("\(error)", "cannot decompress s3 k: Bad message")
        }
        XCTAssertGreaterThan(before, 0, "what came before the cut was handed on")
        XCTAssertThrowsError(try GzipFile.inflate(compressed, name: "s3 k", limit: 100_000) { _ in }) { error in
            XCTAssertEqual(error as? FileError, FileError(path: "s3 k", operation: "decompress", code: EFBIG))
        }
        XCTAssertThrowsError(try GzipFile.inflate([], name: "s3 k", limit: 1) { _ in }) { error in
            XCTAssertEqual(error as? FileError, FileError(path: "s3 k", operation: "decompress", code: EBADMSG))
        }
    }
}
