import Foundation
import TestSupport
import XCTest
@testable import StreamCore
@testable import StreamEngine

/// The archive in segments of time: what goes in which file, when a segment ends, and how a
/// part's number is never taken twice (it names the part on S3).
final class ArchiveSegmentTests: XCTestCase {
    var directory: String!
    let ten = UTCTime(secondsSinceEpoch: 1_795_946_400)  // 2026-11-29T10:00:00Z

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("streamtop-segments-\(UUID().uuidString)").path
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func at(_ seconds: Double) -> UTCTime { UTCTime(secondsSinceEpoch: ten.secondsSinceEpoch + seconds) }

    func testSegmentNamesCarryTheirStartAndSortInTheOrderWritten() {
        let names = ["2026-11-29T000000Z.jsonl", "2026-11-29T100000Z.jsonl", "2026-11-29T100000Z.jsonl.gz",
                     "2026-11-29T100000Z_000001.jsonl", "2026-11-29T235959Z.jsonl", "2026-11-30T000000Z.jsonl"]
        let parts = names.compactMap(ArchivePart.init(name:))
        XCTAssertEqual(parts.map(\.name), names, "a name survives parsing")
        XCTAssertEqual(parts.sorted(), parts)
        XCTAssertEqual(names.sorted(), names)
        // Day-long parts from before segments come first in their day.
        let older = ["2026-11-29.jsonl.gz", "2026-11-29_000001.jsonl"].compactMap(ArchivePart.init(name:))
        XCTAssertEqual((parts + older).sorted().map(\.name), older.map(\.name) + names)
        XCTAssertEqual(parts[3].start, 36_000)
        XCTAssertEqual(parts[3].segmentStart, ten)
        XCTAssertEqual(parts[0].segmentStart.iso8601, "2026-11-29T00:00:00.000Z", "a day-long part starts at midnight")
        XCTAssertEqual(ArchivePart(segmentStart: at(0)).name, "2026-11-29T100000Z.jsonl")
        for other in ["2026-11-29T250000Z.jsonl", "2026-11-29T1000Z.jsonl", "2026-11-29T100000.jsonl",
                      "2026-11-29T106000Z.jsonl", "2026-11-29T10000aZ.jsonl", "2026-11-29T100000Z_1.jsonl"] {
            XCTAssertNil(ArchivePart(name: other), other)
        }
        XCTAssertEqual(UTCTime.day(ofDate: "2026-11-29"), ten.day)
        XCTAssertNil(UTCTime.day(ofDate: "2026-02-29"), "not a leap year")
        XCTAssertEqual(UTCTime.day(ofDate: "2028-02-29").map { UTCTime.date(ofDay: $0) }?.day, 29)
        XCTAssertNil(UTCTime.day(ofDate: "2026-13-01"))
    }

    func testRecordsGoToTheSegmentOfTheirTime() throws {
        let archive = StreamArchive(root: directory, stream: "s", segmentSeconds: 3600)
        try archive.appendEvent(time: at(0), type: "data", id: "1", data: "{}")
        try archive.appendEvent(time: at(3599.999), type: "data", id: "2", data: "{}")
        try archive.appendEvent(time: at(3600), type: "data", id: "3", data: "{}")
        // A clock set back stays in the segment being written.
        try archive.appendEvent(time: at(3000), type: "data", id: "4", data: "{}")
        try archive.appendEvent(time: at(5 * 3600 + 17), type: "data", id: "5", data: "{}")
        try archive.flush()
        XCTAssertEqual(archive.files().map(\.name),
                       ["2026-11-29T100000Z.jsonl", "2026-11-29T110000Z.jsonl", "2026-11-29T150000Z.jsonl"])
        let ids = try archive.files().map { file in
            try JSONLinesReader.readFile(path: "\(archive.directory)/\(file.name)").records.map { $0["id"] }
        }
        XCTAssertEqual(ids, [["1", "2"], ["3", "4"], ["5"]])
    }

    /// A length that does not divide a day: the day's last segment is shorter, and the next
    /// day starts at midnight.
    func testSegmentsNeverCrossMidnight() {
        let archive = StreamArchive(root: directory, stream: "s", segmentSeconds: 7_000)
        let lateEvening = UTCTime(secondsSinceEpoch: Double(ten.day * 86_400 + 85_000))
        let segment = archive.segment(of: lateEvening)
        XCTAssertEqual(segment.start, ten.day * 86_400 + 84_000)
        XCTAssertEqual(segment.end, (ten.day + 1) * 86_400)
        let afterMidnight = archive.segment(of: UTCTime(secondsSinceEpoch: Double((ten.day + 1) * 86_400 + 10)))
        XCTAssertEqual(afterMidnight.start, (ten.day + 1) * 86_400)
    }

    /// A quiet stream's segment ends on time: closed, handed to the keeper to compress, and the
    /// next record begins the next segment.
    func testASegmentEndsOnTimeAndGoesToTheKeeper() throws {
        let ledger = DiskLedger(collectsClosedParts: true)
        let archive = StreamArchive(root: directory, stream: "s", segmentSeconds: 600, ledger: ledger)
        try archive.appendEvent(time: at(10), type: "data", id: "1", data: "{}")
        try archive.endSegmentIfDue(at: at(599))
        XCTAssertEqual(ledger.takeClosed(), [], "not yet over")
        try archive.endSegmentIfDue(at: at(600))
        XCTAssertEqual(ledger.takeClosed(), ["\(archive.directory)/2026-11-29T100000Z.jsonl"])
        let first = try JSONLinesReader.readFile(path: "\(archive.directory)/2026-11-29T100000Z.jsonl")
        XCTAssertEqual(first.records.count, 1)
        try archive.endSegmentIfDue(at: at(1200))
        XCTAssertEqual(ledger.takeClosed(), [], "nothing open: nothing to end")
        try archive.appendEvent(time: at(700), type: "data", id: "2", data: "{}")
        try archive.close()
        XCTAssertEqual(ledger.takeClosed(), ["\(archive.directory)/2026-11-29T101000Z.jsonl"])
    }

    /// A stream stopped and started again within its segment goes on with its part until the
    /// part is compressed; then, or once the part was uploaded and removed, it begins the next
    /// one: a number, and so an S3 key, is never reused.
    func testAPartNumberIsNeverTakenTwice() throws {
        var archive: StreamArchive? = StreamArchive(root: directory, stream: "s")
        try archive?.appendEvent(time: at(1), type: "data", id: "1", data: "{}")
        try archive?.close()
        // Started again before the keeper compressed it: the part goes on.
        try archive?.appendEvent(time: at(2), type: "data", id: "2", data: "{}")
        try archive?.close()
        let streamDirectory = directory + "/s"
        XCTAssertEqual(archive?.files().map(\.name), ["2026-11-29T100000Z.jsonl"])
        // Compressed: the next record begins another part.
        _ = try GzipFile.compress("\(streamDirectory)/2026-11-29T100000Z.jsonl",
                                  to: "\(streamDirectory)/2026-11-29T100000Z.jsonl.gz")
        unlink("\(streamDirectory)/2026-11-29T100000Z.jsonl")
        try archive?.appendEvent(time: at(2.5), type: "data", id: "2.5", data: "{}")
        try archive?.close()
        XCTAssertEqual(archive?.files().map(\.name), ["2026-11-29T100000Z.jsonl.gz", "2026-11-29T100000Z_000001.jsonl"])
        // Both went to S3 (compressed) and were removed locally.
        try UploadedParts.add("2026-11-29T100000Z.jsonl.gz", in: streamDirectory)
        try UploadedParts.add("2026-11-29T100000Z_000001.jsonl.gz", in: streamDirectory)
        for file in archive!.files() { unlink("\(streamDirectory)/\(file.name)") }
        archive = StreamArchive(root: directory, stream: "s")
        try archive?.appendEvent(time: at(3), type: "data", id: "3", data: "{}")
        try archive?.flush()
        XCTAssertEqual(archive?.files().map(\.name), ["2026-11-29T100000Z_000002.jsonl"])
        XCTAssertEqual(UploadedParts.names(in: streamDirectory).count, 2)
        // A torn line in the list names nothing.
        let list = try XCTUnwrap(FileHandle(forWritingAtPath: "\(streamDirectory)/uploaded"))
        list.seekToEndOfFile()
        list.write(Data("2026-11-29T100000Z_0000".utf8))
        list.closeFile()
        XCTAssertEqual(UploadedParts.names(in: streamDirectory).count, 2)
    }

    /// A segment's S3 key names its stream, day, start and number, and reads back.
    func testObjectKeysNameTheStreamTheStartAndTheNumber() throws {
        let part = ArchivePart(date: "2026-12-02", start: 36_000, number: 3, compressed: true)
        let key = part.objectKey(prefix: "archive/eu/", stream: "quotes-eu")
        XCTAssertEqual(key, "archive/eu/quotes-eu/2026/12/02/quotes-eu-20261202T100000Z-000003.jsonl.gz")
        XCTAssertEqual(ArchivePart(objectKey: key), part)
        XCTAssertEqual(part.objectKey(prefix: "", stream: "q"), "q/2026/12/02/q-20261202T100000Z-000003.jsonl.gz")
        let older = try XCTUnwrap(ArchivePart(name: "2026-12-02_000001.jsonl.gz"))
        XCTAssertEqual(older.objectKey(prefix: "p", stream: "q"), "p/q/2026/12/02/q-20261202-000001.jsonl.gz")
        XCTAssertEqual(ArchivePart(objectKey: "p/q/2026/12/02/q-20261202-000001.jsonl.gz"), older)
        for other in ["p/q/2026/12/02/q-20261202T100000Z-000003.jsonl",
                      "p/q/2026/12/02/q-2026120-000001.jsonl.gz", "p/q/2026/12/02/q-20261202X100000Z-000001.jsonl.gz",
                      "p/q/2026/12/03/q-20261202-000001.jsonl.gz",
                      "p/q/2026/12/03/q-20261202T100000Z-000003.jsonl.gz",
                      "p/q/2026/12/02/r-20261202T100000Z-000003.jsonl.gz", "q-20261202T100000Z-000003.jsonl.gz",
                      "p/q/2026/12/02/q-20261202T100000Z.jsonl.gz",
                      "p/q/2026/12/02/q-20261202T250000Z-000001.jsonl.gz"] {
            XCTAssertNil(ArchivePart(objectKey: other), other)
        }
    }

    /// An archive from before segments has day-long parts (`2026-11-29.jsonl`, `…_000001`),
    /// read as starting at midnight; the segment that starts at midnight of the same day counts
    /// its parts from 0 too. Their file names differ, and so do their S3 keys: a day part keeps
    /// its day form, so neither object replaces the other, and each key reads back as its part.
    func testAnOldDayPartAndTheMidnightSegmentOfItsDayNeverShareANameOrAKey() throws {
        let streamDirectory = directory + "/s"
        try FileManager.default.createDirectory(atPath: streamDirectory, withIntermediateDirectories: true)
        for name in ["2026-11-29.jsonl.gz", "2026-11-29_000001.jsonl.gz"] {
            XCTAssertTrue(FileManager.default.createFile(atPath: "\(streamDirectory)/\(name)", contents: Data()))
        }
        // The new writer, at 00:30 the same day: the midnight segment, number 0.
        let archive = StreamArchive(root: directory, stream: "s", segmentSeconds: 3600)
        try archive.appendEvent(time: at(-9.5 * 3600), type: "data", id: "1", data: "{}")
        try archive.close()
        XCTAssertEqual(archive.files().map(\.name),
                       ["2026-11-29.jsonl.gz", "2026-11-29_000001.jsonl.gz", "2026-11-29T000000Z.jsonl"])
        let names = ["2026-11-29.jsonl.gz", "2026-11-29_000001.jsonl.gz", "2026-11-29T000000Z.jsonl.gz",
                     "2026-11-29T000000Z_000001.jsonl.gz"]
        let parts = try names.map { try XCTUnwrap(ArchivePart(name: $0)) }
        XCTAssertEqual(Set(parts).count, 4)
        XCTAssertEqual(parts.map(\.segmentStart), Array(repeating: at(-10 * 3600), count: 4), "all from midnight")
        let keys = parts.map { $0.objectKey(prefix: "archive", stream: "s") }
        XCTAssertEqual(keys, [
            "archive/s/2026/11/29/s-20261129-000000.jsonl.gz", "archive/s/2026/11/29/s-20261129-000001.jsonl.gz",
            "archive/s/2026/11/29/s-20261129T000000Z-000000.jsonl.gz",
            "archive/s/2026/11/29/s-20261129T000000Z-000001.jsonl.gz",
        ])
        XCTAssertEqual(keys.map { ArchivePart(objectKey: $0) }, parts, "each key reads back as its own part")
        XCTAssertEqual(keys.sorted(), keys, "keys sort as the parts do: the day's old parts first")
        XCTAssertEqual(parts.sorted(), parts)
        // A stream whose id has dashes and digits reads back too.
        let key = parts[1].objectKey(prefix: "", stream: "eu-20261129-1")
        XCTAssertEqual(key, "eu-20261129-1/2026/11/29/eu-20261129-1-20261129-000001.jsonl.gz")
        XCTAssertEqual(ArchivePart(objectKey: key), parts[1])
    }

    /// A segment is at most 64 MiB whatever the cap, so that it goes to S3 in one PUT.
    func testAPartIsAtMostSixtyFourMiB() {
        XCTAssertEqual(StreamArchive(root: directory, stream: "s", maxBytes: 10 << 30).partBytes, 64 << 20)
        XCTAssertEqual(StreamArchive(root: directory, stream: "s", maxBytes: 64 << 20).partBytes, 8 << 20)
    }
}
