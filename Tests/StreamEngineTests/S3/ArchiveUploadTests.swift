import Foundation
import TestSupport
import XCTest
@testable import LocalServer
@testable import StreamCore
@testable import StreamEngine

/// The archive's segments going to a real S3-compatible server on loopback (moto, signatures
/// checked): an upload, the server down and back, a wrong secret, a missing bucket, segments
/// left by a killed run, and shutdown sending the open segment. The engine runs on a manual
/// clock: every retry is one the test allowed.
final class ArchiveUploadTests: XCTestCase {
    var moto: MotoServer!
    var server: LocalServer!
    var directory: String!

    override func setUpWithError() throws {
        moto = try MotoServer(buckets: ["archive"])
        server = try LocalServer(configuration: .init(apis: [
            .init(name: "quotes", kind: "quotes", period: .milliseconds(20)),
        ], retryMilliseconds: 50))
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("streamtop-upload-\(UUID().uuidString)").path
    }

    override func tearDown() {
        server?.stop()
        moto?.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    func settings(bucket: String = "archive", secret: String? = nil, keepLocal: Bool = false) throws
        -> ArchiveUploadSettings {
        let location = try S3Location("s3://\(bucket)/streams", endpoint: moto.endpoint, region: moto.region)
        let credentials = AWSCredentials(
            accessKeyID: moto.accessKeyID, secretAccessKey: secret ?? moto.secretAccessKey, source: "the test")
        return ArchiveUploadSettings(keepLocal: keepLocal) { loop in
            S3Client(location: location, credentials: credentials, loop: loop)
        }
    }

    func engine(_ upload: ArchiveUploadSettings, time: ManualScheduler) throws -> Engine {
        try Engine(specs: [
            StreamSpec(id: "quotes", name: "Quotes", url: server.baseURL + "/sse/quotes", autostart: true),
        ], stateDirectory: directory, time: time, upload: upload)
    }

    /// Runs the stream until it archived a few events, then stops it: its segment ends.
    func runThenStop(_ engine: Engine, _ time: ManualScheduler) {
        engine.startAutostart()
        waitUntil("a few events") {
            time.advance(by: .milliseconds(10))
            return (engine.store.snapshot(id: "quotes")?.metrics.events ?? 0) >= 5
        }
        XCTAssertNil(engine.stop(id: "quotes"))
        waitUntil("the stream to stop") {
            time.advance(by: .milliseconds(10))
            return engine.store.snapshot(id: "quotes")?.status.state == .stopped
        }
    }

    func objects(secret: String? = nil) throws -> [S3Client.Object] {
        let loop = try CurlLoop()
        defer { loop.shutdown() }
        let location = try S3Location("s3://archive", endpoint: moto.endpoint, region: moto.region)
        let credentials = AWSCredentials(
            accessKeyID: moto.accessKeyID, secretAccessKey: moto.secretAccessKey, source: "the test")
        let client = S3Client(location: location, credentials: credentials, loop: loop)
        return try client.listAndWait(prefix: "")
    }

    func object(_ key: String) throws -> [UInt8] {
        let loop = try CurlLoop()
        defer { loop.shutdown() }
        let location = try S3Location("s3://archive", endpoint: moto.endpoint, region: moto.region)
        let credentials = AWSCredentials(
            accessKeyID: moto.accessKeyID, secretAccessKey: moto.secretAccessKey, source: "the test")
        let client = S3Client(location: location, credentials: credentials, loop: loop)
        return try client.getAndWait(key: key, limit: 1 << 26)
    }

    var archiveDirectory: String { directory + "/archive/quotes" }

    func localParts() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: archiveDirectory)) ?? [])
            .filter { ArchivePart(name: $0) != nil }.sorted()
    }

    func testAStoppedStreamsSegmentGoesToS3AndIsRemovedHere() throws {
        let time = ManualScheduler()
        let engine = try engine(try settings(), time: time)
        defer { engine.shutdown() }
        runThenStop(engine, time)
        let uploader = try XCTUnwrap(engine.uploader)
        waitUntil("the segment uploaded") { uploader.current.uploadedSegments == 1 }
        let listed = try objects()
        XCTAssertEqual(listed.count, 1)
        let key = try XCTUnwrap(listed.first?.key)
        XCTAssertTrue(key.hasPrefix("streams/quotes/"), key)
        let part = try XCTUnwrap(ArchivePart(objectKey: key))
        XCTAssertTrue(key.hasSuffix("-000000.jsonl.gz"), key)
        XCTAssertEqual(UploadedParts.names(in: archiveDirectory), [part.name], "listed as uploaded")
        XCTAssertEqual(localParts(), [], "and removed here")
        // The object is the segment: the run's counters, its events, its counters at the stop.
        let path = NSTemporaryDirectory() + "streamtop-object-\(UUID().uuidString).jsonl.gz"
        defer { unlink(path) }
        try Data(try object(key)).write(to: URL(fileURLWithPath: path))
        let records = try JSONLinesReader.readFile(path: path).records
        XCTAssertEqual(records.first?["kind"], "counters")
        XCTAssertEqual(records.last?["kind"], "counters")
        XCTAssertGreaterThanOrEqual(records.filter { $0["kind"] == "event" }.count, 5)
        let status = uploader.current
        XCTAssertEqual(status.waitingSegments, 0)
        XCTAssertEqual(status.uploadedBytes, listed.first?.size)
        XCTAssertNil(status.lastError)
        XCTAssertEqual(engine.store.disk?.upload?.uploadedSegments, 1, "in the status the monitor and API show")
    }

    /// With --s3-keep-local the segment stays, listed as uploaded; the next run's segment takes
    /// the next number.
    func testKeptSegmentsStayAndAreNotSentTwice() throws {
        let time = ManualScheduler()
        var engine: Engine? = try engine(try settings(keepLocal: true), time: time)
        runThenStop(engine!, time)
        waitUntil("the segment uploaded") { engine!.uploader!.current.uploadedSegments == 1 }
        XCTAssertEqual(localParts().count, 1)
        XCTAssertTrue(localParts()[0].hasSuffix(".jsonl.gz"))
        engine!.shutdown()
        engine = try self.engine(try settings(keepLocal: true), time: time)
        defer { engine!.shutdown() }
        engine!.uploader!.drainForTests()
        XCTAssertEqual(engine!.uploader!.current.uploadedSegments, 0, "nothing sent again")
        XCTAssertEqual(try objects().count, 1)
    }

    /// The server goes away: the upload fails, is said once, and waits; back, the retry sends
    /// it, nothing lost, and the recovery is said.
    func testTheServerDownThenBackLosesNothing() throws {
        let time = ManualScheduler()
        let engine = try engine(try settings(), time: time)
        defer { engine.shutdown() }
        moto.stop()
        runThenStop(engine, time)
        let uploader = try XCTUnwrap(engine.uploader)
        waitUntil("the failure") { uploader.current.lastError != nil }
        let failing = uploader.current
        XCTAssertTrue(failing.lastError?.contains("S3 bucket 'archive'") == true, failing.lastError ?? "")
        XCTAssertEqual(failing.waitingSegments, 1)
        XCTAssertEqual(localParts().count, 1, "kept until confirmed")
        try moto.start()
        waitUntil("the retry's upload") {
            time.advance(by: .seconds(1))
            return uploader.current.uploadedSegments == 1
        }
        XCTAssertNil(uploader.current.lastError)
        XCTAssertEqual(try objects().count, 1)
        let alerts = engine.store.alerts(after: 0).filter { $0.stream == "" }.map(\.message)
        XCTAssertEqual(alerts.filter { $0.hasPrefix("S3: uploads fail") }.count, 1, "\(alerts)")
        XCTAssertEqual(alerts.filter { $0.contains("work again") }.count, 1, "\(alerts)")
    }

    func testAWrongSecretIsAClearErrorNamingTheBucket() throws {
        let time = ManualScheduler()
        let engine = try engine(try settings(secret: "not-the-secret"), time: time)
        defer { engine.shutdown() }
        runThenStop(engine, time)
        let uploader = try XCTUnwrap(engine.uploader)
        waitUntil("the failure") { uploader.current.lastError != nil }
        let error = uploader.current.lastError ?? ""
        XCTAssertTrue(error.contains("S3 bucket 'archive'") && error.contains("SignatureDoesNotMatch"), error)
        XCTAssertFalse(error.contains("not-the-secret"), error)
        XCTAssertEqual(localParts().count, 1, "nothing removed")
    }

    func testAMissingBucketIsSaidSo() throws {
        let time = ManualScheduler()
        let engine = try engine(try settings(bucket: "no-such-bucket"), time: time)
        defer { engine.shutdown() }
        runThenStop(engine, time)
        let uploader = try XCTUnwrap(engine.uploader)
        waitUntil("the failure") { uploader.current.lastError != nil }
        let error = uploader.current.lastError ?? ""
        XCTAssertTrue(error.contains("S3 bucket 'no-such-bucket'") && error.contains("NoSuchBucket"), error)
    }

    /// A run killed in the middle of an upload leaves its segment compressed and not listed as
    /// uploaded: the next start sends it.
    func testSegmentsLeftByAKilledRunGoOnTheNextStart() throws {
        try FileManager.default.createDirectory(atPath: archiveDirectory, withIntermediateDirectories: true)
        let archive = StreamArchive(root: directory + "/archive", stream: "quotes")
        try archive.appendEvent(time: UTCTime(secondsSinceEpoch: 1_795_946_400), type: "data", id: "1", data: "{}")
        try archive.close()
        let part = "\(archiveDirectory)/2026-11-29T100000Z.jsonl"
        _ = try GzipFile.compress(part, to: part + ".gz")
        unlink(part)
        try UploadedParts.add("2026-11-29T090000Z.jsonl.gz", in: archiveDirectory)  // an earlier one, gone
        let time = ManualScheduler()
        let engine = try Engine(specs: [], stateDirectory: directory, time: time, upload: try settings())
        defer { engine.shutdown() }
        waitUntil("the left segment uploaded") { engine.uploader!.current.uploadedSegments == 1 }
        XCTAssertEqual(try objects().map(\.key), ["streams/quotes/2026/11/29/quotes-20261129T100000Z-000000.jsonl.gz"])
    }

    /// A segment that cannot be sent (larger than any the archive writes) is said, stays here,
    /// and does not hold up the others.
    func testASegmentThatCannotBeSentIsSaidAndKept() throws {
        try FileManager.default.createDirectory(atPath: archiveDirectory, withIntermediateDirectories: true)
        let huge = "\(archiveDirectory)/2026-11-29T090000Z.jsonl.gz"
        XCTAssertTrue(FileManager.default.createFile(atPath: huge, contents: nil))
        XCTAssertEqual(truncate(huge, off_t(ArchiveUploader.maxSegmentBytes + 1)), 0)  // sparse
        let archive = StreamArchive(root: directory + "/archive", stream: "quotes")
        try archive.appendEvent(time: UTCTime(secondsSinceEpoch: 1_795_946_400), type: "data", id: "1", data: "{}")
        try archive.close()
        let part = "\(archiveDirectory)/2026-11-29T100000Z.jsonl"
        _ = try GzipFile.compress(part, to: part + ".gz")
        unlink(part)
        let engine = try Engine(specs: [], stateDirectory: directory, time: ManualScheduler(), upload: try settings())
        defer { engine.shutdown() }
        waitUntil("the other segment uploaded") { engine.uploader!.current.uploadedSegments == 1 }
        let alerts = engine.store.alerts(after: 0).map(\.message)
        XCTAssertTrue(alerts.contains {
            $0.contains("2026-11-29T090000Z.jsonl.gz") && $0.contains("cannot be sent") && $0.contains("kept in")
        }, "\(alerts)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: huge))
    }

    /// An old day-long part and the segment that starts at midnight of its day, both waiting:
    /// two objects, neither replacing the other, each the bytes of its part.
    func testAnOldDayPartAndAMidnightSegmentAreTwoObjects() throws {
        try FileManager.default.createDirectory(atPath: archiveDirectory, withIntermediateDirectories: true)
        var bodies: [String: [UInt8]] = [:]
        for (name, id) in [("2026-11-29.jsonl", "old"), ("2026-11-29T000000Z.jsonl", "new")] {
            let path = "\(archiveDirectory)/\(name)"
            let line = #"{"t":"2026-11-29T00:00:01.000Z","kind":"event","type":"data","id":"\#(id)","data":"{}"}"#
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data((line + "\n").utf8)))
            _ = try GzipFile.compress(path, to: path + ".gz")
            unlink(path)
            bodies[name + ".gz"] = Array(try Data(contentsOf: URL(fileURLWithPath: path + ".gz")))
        }
        let time = ManualScheduler()
        let engine = try Engine(specs: [], stateDirectory: directory, time: time, upload: try settings())
        defer { engine.shutdown() }
        waitUntil("both uploaded") { engine.uploader!.current.uploadedSegments == 2 }
        let keys = try objects().map(\.key)
        XCTAssertEqual(keys, [
            "streams/quotes/2026/11/29/quotes-20261129-000000.jsonl.gz",
            "streams/quotes/2026/11/29/quotes-20261129T000000Z-000000.jsonl.gz",
        ])
        XCTAssertEqual(try object(keys[0]), bodies["2026-11-29.jsonl.gz"])
        XCTAssertEqual(try object(keys[1]), bodies["2026-11-29T000000Z.jsonl.gz"])
    }

    /// Shutdown ends the open segment and sends it before the loop stops.
    func testShutdownSendsTheOpenSegment() throws {
        let time = ManualScheduler()
        let engine = try engine(try settings(), time: time)
        engine.startAutostart()
        waitUntil("a few events") {
            time.advance(by: .milliseconds(10))
            return (engine.store.snapshot(id: "quotes")?.metrics.events ?? 0) >= 5
        }
        engine.shutdown()
        XCTAssertEqual(engine.uploader?.current.uploadedSegments, 1)
        XCTAssertEqual(try objects().count, 1)
        XCTAssertEqual(localParts(), [])
    }
}
