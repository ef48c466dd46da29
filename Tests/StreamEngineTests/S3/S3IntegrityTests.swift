import Foundation
import TestSupport
import XCTest
@testable import LocalServer
@testable import StreamCore
@testable import StreamEngine

/// An upload's integrity without trusting the ETag to be an MD5, against LocalServer's S3
/// probe (a real loopback server that checks `Content-MD5` as S3 does and answers with the
/// ETags S3 gives: see `routeS3Probe`; moto stores a `Content-MD5` without checking it).
final class S3IntegrityTests: XCTestCase {
    var server: LocalServer!
    var loop: CurlLoop!
    var directory: String!

    override func setUpWithError() throws {
        server = try LocalServer(configuration: .init(apis: []))
        loop = try CurlLoop()
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("streamtop-integrity-\(UUID().uuidString)").path
    }

    override func tearDown() {
        loop?.shutdown()
        server?.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    var credentials: AWSCredentials {
        AWSCredentials(accessKeyID: "AKIDPROBE", secretAccessKey: "probe-secret", source: "the test")
    }

    func client(prefix: String = "") throws -> S3Client {
        let location = try S3Location("s3://s3-probe/\(prefix)", endpoint: server.baseURL)
        return S3Client(location: location, credentials: credentials, loop: loop)
    }

    let body = Array(#"{"t":"2026-12-02T10:00:00Z","kind":"event"}"#.utf8)

    /// SSE-KMS ETags (32 hex digits, not the MD5) and multipart ones are accepted; a plain
    /// object's MD5 ETag is compared, and one of another body is a mismatch.
    func testOnlyAnMD5ETagOfAPlainObjectIsCompared() throws {
        let s3 = try client()
        let md5 = hexString(MD5.hash(body))
        for mode in ["plain", "kms", "multipart"] {
            XCTAssertEqual(try s3.putAndWait(key: "\(mode)/x", body: body), .init(md5: md5, bytes: body.count), mode)
        }
        XCTAssertThrowsError(try s3.putAndWait(key: "wrong/x", body: body)) { error in
            guard case .etagMismatch(md5, _)? = (error as? S3Error)?.kind else { return XCTFail("\(error)") }
        }
    }

    /// A body damaged on the way does not match its Content-MD5: S3 stores nothing and says
    /// BadDigest, which the error says plainly, as worth another try.
    func testADamagedBodyIsRefusedAsBadDigest() throws {
        let s3 = try client()
        XCTAssertThrowsError(try s3.putAndWait(key: "corrupt/x", body: body)) { error in
            XCTAssertEqual(
                "\(error)",
                "S3 bucket 's3-probe': PUT corrupt/x: BadDigest (The Content-MD5 you specified did not match what "
                    + "was received.): the body S3 received is not the one sent (damaged on the way); "
                    + "nothing was stored")
            XCTAssertTrue((error as? S3Error)?.isTransient ?? false)
        }
    }

    /// The uploader says the BadDigest once, keeps the segment, and the retry sends it whole.
    func testTheUploaderRetriesABadDigest() throws {
        let streamDirectory = directory + "/archive/quotes"
        try FileManager.default.createDirectory(atPath: streamDirectory, withIntermediateDirectories: true)
        let archive = StreamArchive(root: directory + "/archive", stream: "quotes")
        try archive.appendEvent(time: UTCTime(secondsSinceEpoch: 1_795_946_400), type: "data", id: "1", data: "{}")
        try archive.close()
        let part = "\(streamDirectory)/2026-11-29T100000Z.jsonl"
        _ = try GzipFile.compress(part, to: part + ".gz")
        unlink(part)
        let location = try S3Location("s3://s3-probe/corrupt-once", endpoint: server.baseURL)
        let credentials = self.credentials
        let upload = ArchiveUploadSettings(keepLocal: false) { loop in
            S3Client(location: location, credentials: credentials, loop: loop)
        }
        let time = ManualScheduler()
        let engine = try Engine(specs: [], stateDirectory: directory, time: time, upload: upload)
        defer { engine.shutdown() }
        let uploader = try XCTUnwrap(engine.uploader)
        waitUntil("the failure") { uploader.current.lastError != nil }
        XCTAssertTrue(uploader.current.lastError?.contains("BadDigest") == true, uploader.current.lastError ?? "")
        XCTAssertTrue(FileManager.default.fileExists(atPath: part + ".gz"), "kept until confirmed")
        waitUntil("the retry's upload") {
            time.advance(by: .seconds(1))
            return uploader.current.uploadedSegments == 1
        }
        XCTAssertNil(uploader.current.lastError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: part + ".gz"), "removed once confirmed")
        let alerts = engine.store.alerts(after: 0).filter { $0.stream == "" }.map(\.message)
        let failures = alerts.filter { $0.hasPrefix("S3: uploads fail") }
        XCTAssertEqual(failures.count, 1, "\(alerts)")
        XCTAssertTrue(failures.first?.contains("BadDigest") == true && failures.first?.hasSuffix("retrying") == true,
                      "\(alerts)")
        XCTAssertEqual(alerts.filter { $0.contains("work again") }.count, 1, "\(alerts)")
    }
}
