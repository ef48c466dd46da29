import Foundation
import TestSupport
import XCTest
@testable import StreamCLI
@testable import StreamCore
@testable import StreamEngine

/// `report` and `replay` read the archive back from S3 (moto on loopback, signatures checked),
/// as `run --s3` put it there: the same answers as from the local copy.
final class ReportS3Tests: TemporaryHomeTestCase {
    var moto: MotoServer!
    var state: String { home + "/state" }

    override func setUpWithError() throws {
        try super.setUpWithError()
        moto = try MotoServer(buckets: ["archive"])
        try ArchiveFixture.write(stateDirectory: state)
        try upload()
    }

    override func tearDownWithError() throws {
        moto?.stop()
        try super.tearDownWithError()
    }

    var credentials: [String: String] {
        ["AWS_ACCESS_KEY_ID": moto.accessKeyID, "AWS_SECRET_ACCESS_KEY": moto.secretAccessKey]
    }

    var s3: [String] { ["--s3", "s3://archive/streams", "--s3-endpoint", moto.endpoint, "--s3-region", moto.region] }

    /// Each local part (of `streams`, or all), compressed, under the key `run --s3` gives it;
    /// and a stranger's object. Returns the keys of the parts, by stream, oldest first.
    @discardableResult
    func upload(streams: [String]? = nil) throws -> [String: [String]] {
        let loop = try CurlLoop()
        defer { loop.shutdown() }
        let location = try S3Location("s3://archive/streams", endpoint: moto.endpoint, region: moto.region)
        let client = S3Client(location: location, credentials: AWSCredentials(
            accessKeyID: moto.accessKeyID, secretAccessKey: moto.secretAccessKey, source: "the test"), loop: loop)
        let local = LocalArchiveSource(stateDirectory: state)
        var keys: [String: [String]] = [:]
        for stream in try streams ?? local.streams() {
            for reference in try local.parts(of: stream) {
                var part = try XCTUnwrap(ArchivePart(name: reference.name))
                var path = "\(state)/archive/\(stream)/\(reference.name)"
                if !part.compressed {
                    _ = try GzipFile.compress(path, to: path + ".gz")
                    path += ".gz"
                    part.compressed = true
                }
                let body = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
                let key = part.objectKey(prefix: location.prefix, stream: stream)
                _ = try client.putAndWait(key: key, body: body)
                keys[stream, default: []].append(key)
            }
        }
        _ = try client.putAndWait(key: "streams/README.txt", body: Array("not a segment".utf8))
        return keys
    }

    /// Puts `body` under `key` as it is (a damaged object).
    func put(_ body: [UInt8], key: String) throws {
        let loop = try CurlLoop()
        defer { loop.shutdown() }
        let location = try S3Location("s3://archive", endpoint: moto.endpoint, region: moto.region)
        let client = S3Client(location: location, credentials: AWSCredentials(
            accessKeyID: moto.accessKeyID, secretAccessKey: moto.secretAccessKey, source: "the test"), loop: loop)
        _ = try client.putAndWait(key: key, body: body)
    }

    /// Stream `ticks` as the engine archives it: hourly segments of 10:00 and 11:00 (and one
    /// after the period), each split into parts of 4 KiB, the closed ones compressed: about
    /// twenty parts. An event a minute, counters every ten.
    func writeTicks() throws {
        let archive = StreamArchive(root: state + "/archive", stream: "ticks", partBytes: 4096)
        let start = try XCTUnwrap(UTCTime(iso8601: "2026-12-01T10:00:00Z")).secondsSinceEpoch
        let padding = String(repeating: "x", count: 300)
        for minute in 0...130 {
            let time = UTCTime(secondsSinceEpoch: start + Double(minute * 60) + 1)
            let data = #"{"n":\#(minute),"pad":"\#(padding)"}"#
            let type = minute % 10 == 0 ? "data" : "message"
            try archive.appendEvent(time: time, type: type, id: "\(minute)", data: data)
            guard minute % 10 == 9 else { continue }
            let line = ArchiveFixture.counters(
                UTCTime(secondsSinceEpoch: start + Double(minute * 60) + 30).iso8601, run: "2026-12-01T10:00:00Z",
                name: "Ticks", group: "ticks", mode: "sse", running: minute * 60 + 60, uptime: minute * 60 + 50,
                wire: (minute + 1) * 400, payload: (minute + 1) * 320, events: minute + 1, snapshots: minute / 10 + 1,
                changes: minute + 1)
            guard case .object(let fields) = try JSONParser.parse(line) else { return XCTFail("not an object") }
            try archive.append(kind: "counters", time: UTCTime(secondsSinceEpoch: start + Double(minute * 60) + 30),
                               fields: fields)
        }
        try archive.close()
        let directory = state + "/archive/ticks"
        for name in try FileManager.default.contentsOfDirectory(atPath: directory).sorted().dropLast(3) {
            _ = try GzipFile.compress("\(directory)/\(name)", to: "\(directory)/\(name).gz")
            try FileManager.default.removeItem(atPath: "\(directory)/\(name)")
        }
    }

    func testTheReportFromS3IsTheReportFromHere() throws {
        let period = ["--since", ArchiveFixture.since, "--until", ArchiveFixture.until, "--format", "json"]
        let local = run(["report", "--state-dir", state] + period)
        XCTAssertEqual(local.status, 0, local.err)
        let empty = home + "/elsewhere"
        let remote = run(["report", "--state-dir", empty] + s3 + period, environment: credentials)
        XCTAssertEqual(remote.status, 0, remote.err)
        XCTAssertEqual(try JSONParser.parse(remote.out), try JSONParser.parse(local.out))
        // The torn line is said for the object it is in.
        XCTAssertTrue(remote.err.contains("s3 streams/"), remote.err)
    }

    /// A stream in many parts of several segments, new-style names: the same report and the
    /// same replay from S3 as from here.
    func testAMultiPartStreamFromS3() throws {
        try writeTicks()
        let keys = try XCTUnwrap(try upload(streams: ["ticks"])["ticks"])
        XCTAssertGreaterThan(keys.count, 10, "\(keys)")
        XCTAssertEqual(Set(keys.compactMap { ArchivePart(objectKey: $0)?.start }), [36_000, 39_600, 43_200])
        let period = ["--since", ArchiveFixture.since, "--until", ArchiveFixture.until]
        let local = run(["report", "--state-dir", state, "--stream", "ticks", "--format", "json"] + period)
        XCTAssertEqual(local.status, 0, local.err)
        let remote = run(["report", "--state-dir", home + "/elsewhere", "--stream", "ticks", "--format", "json"]
                         + s3 + period, environment: credentials)
        XCTAssertEqual(remote.status, 0, remote.err)
        XCTAssertEqual(remote.err, "")
        XCTAssertEqual(try JSONParser.parse(remote.out), try JSONParser.parse(local.out))
        XCTAssertTrue(remote.out.contains("\"ticks\""), remote.out)
        let localReplay = run(["replay", "ticks", "--state-dir", state])
        let remoteReplay = run(["replay", "ticks", "--state-dir", home + "/elsewhere"] + s3, environment: credentials)
        XCTAssertEqual(remoteReplay.status, 0, remoteReplay.err)
        XCTAssertEqual(remoteReplay.out, localReplay.out)
        XCTAssertEqual(remoteReplay.out.split(separator: "\n").count, 131 + 1, "every event and the summary")
    }

    /// A segment cut short on S3 (a truncated gzip object) is said, naming its key, and
    /// skipped: the rest of the report is the report of the archive without it.
    func testATruncatedSegmentOnS3IsSaidAndSkipped() throws {
        try writeTicks()
        let keys = try XCTUnwrap(try upload(streams: ["ticks"])["ticks"])
        let broken = keys[keys.count / 2]
        let part = try XCTUnwrap(ArchivePart(objectKey: broken))
        let path = state + "/archive/ticks/" + part.name
        let whole = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        try put(Array(whole.prefix(whole.count / 2)), key: broken)
        let period = ["--since", ArchiveFixture.since, "--until", ArchiveFixture.until]
        let remote = run(["report", "--state-dir", home + "/elsewhere", "--stream", "ticks", "--format", "json"]
                         + s3 + period, environment: credentials)
        XCTAssertEqual(remote.status, 0, remote.err)
        XCTAssertEqual(remote.err, "streamtop: warning: cannot decompress s3 \(broken): Bad message; skipped\n")
        try FileManager.default.removeItem(atPath: path)
        let local = run(["report", "--state-dir", state, "--stream", "ticks", "--format", "json"] + period)
        XCTAssertEqual(local.status, 0, local.err)
        XCTAssertEqual(try JSONParser.parse(remote.out), try JSONParser.parse(local.out))
        XCTAssertTrue(remote.out.contains("\"ticks\""), "the other parts are reported: \(remote.out)")
        let replay = run(["replay", "ticks", "--state-dir", home + "/elsewhere"] + s3, environment: credentials)
        XCTAssertEqual(replay.status, 0, replay.err)
        XCTAssertEqual(replay.err, "streamtop: warning: cannot decompress s3 \(broken): Bad message; skipped\n")
    }

    func testReplayFromS3() throws {
        let local = run(["replay", "quotes", "--state-dir", state])
        XCTAssertEqual(local.status, 0, local.err)
        let remote = run(["replay", "quotes", "--state-dir", home + "/elsewhere"] + s3, environment: credentials)
        XCTAssertEqual(remote.status, 0, remote.err)
        XCTAssertEqual(remote.out, local.out)
        let unknown = run(["replay", "nosuch", "--state-dir", home + "/elsewhere"] + s3, environment: credentials)
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.err.contains("archived: quotes"), unknown.err)
    }

    func testWrongCredentialsAreAClearError() {
        let result = run(["report", "--state-dir", state] + s3, environment: [
            "AWS_ACCESS_KEY_ID": moto.accessKeyID, "AWS_SECRET_ACCESS_KEY": "wrong",
        ])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.err.contains("S3 bucket 'archive'"), result.err)
        XCTAssertTrue(result.err.contains("SignatureDoesNotMatch"), result.err)
        XCTAssertFalse(result.err.contains("wrong"), result.err)
        let none = run(["report", "--state-dir", state] + s3)
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.err.contains("AWS"), none.err)
    }
}
