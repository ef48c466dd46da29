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

    /// Each local part, compressed, under the key `run --s3` gives it; and a stranger's object.
    func upload() throws {
        let loop = try CurlLoop()
        defer { loop.shutdown() }
        let location = try S3Location("s3://archive/streams", endpoint: moto.endpoint, region: moto.region)
        let client = S3Client(location: location, credentials: AWSCredentials(
            accessKeyID: moto.accessKeyID, secretAccessKey: moto.secretAccessKey, source: "the test"), loop: loop)
        let local = LocalArchiveSource(stateDirectory: state)
        for stream in try local.streams() {
            for reference in try local.parts(of: stream) {
                var part = try XCTUnwrap(ArchivePart(name: reference.name))
                var path = "\(state)/archive/\(stream)/\(reference.name)"
                if !part.compressed {
                    _ = try GzipFile.compress(path, to: path + ".gz")
                    path += ".gz"
                    part.compressed = true
                }
                let body = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
                _ = try client.putAndWait(key: part.objectKey(prefix: location.prefix, stream: stream), body: body)
            }
        }
        _ = try client.putAndWait(key: "streams/README.txt", body: Array("not a segment".utf8))
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
