import Foundation
import Synchronization
import TestSupport
import XCTest

@testable import StreamCore
@testable import StreamEngine

/// The S3 client against a real S3-compatible server on loopback (moto, signatures checked).
final class S3MotoTests: XCTestCase {
    var moto: MotoServer!
    var loop: CurlLoop!

    override func setUpWithError() throws {
        moto = try MotoServer(buckets: ["archive"])
        loop = try CurlLoop()
    }

    override func tearDown() {
        loop?.shutdown()
        moto?.stop()
    }

    func client(bucket: String = "archive", secret: String? = nil, session: Bool = false, token: String? = nil)
        throws -> S3Client
    {
        let location = try S3Location("s3://\(bucket)/q", endpoint: moto.endpoint, region: moto.region)
        var credentials = AWSCredentials(
            accessKeyID: moto.accessKeyID, secretAccessKey: secret ?? moto.secretAccessKey, source: "the test")
        if session {
            credentials = AWSCredentials(
                accessKeyID: moto.session.accessKeyID, secretAccessKey: moto.session.secretAccessKey,
                sessionToken: token ?? moto.session.sessionToken, source: "the test")
        }
        return S3Client(location: location, credentials: credentials, loop: loop)
    }

    func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
    }

    /// Keys with spaces, `~` and dot segments survive the encoding and the signature. (moto,
    /// unlike S3 and like boto3 against it, mis-checks keys with `+`, `=`, `!` or non-ASCII:
    /// `S3UnitTests` checks their encoding.)
    func testPutThenGetGivesTheSameBytes() throws {
        let s3 = try client()
        let body = randomBytes(300_000, seed: 1)
        let key = s3.location.prefix + "2026-12-03/a b_c~d/./x.jsonl.gz"
        let stored = try s3.putAndWait(key: key, body: body, contentType: "application/gzip")
        XCTAssertEqual(stored, .init(md5: hexString(MD5.hash(body)), bytes: body.count))
        XCTAssertEqual(try s3.getAndWait(key: key, limit: 1 << 20), body)
        XCTAssertEqual(try s3.listAndWait(prefix: ""), [.init(key: key, size: body.count)])
        let empty = try s3.putAndWait(key: "q/empty", body: [])
        XCTAssertEqual(empty.bytes, 0)
        XCTAssertEqual(try s3.getAndWait(key: "q/empty", limit: 10), [])
    }

    /// The PUT carried the body's MD5 as `Content-MD5`, signed (moto checks the signature). moto
    /// does not compare it with the body (a wrong one is stored all the same: `S3IntegrityTests`
    /// shows S3's refusal on a server that does), but keeps it with the object and sends it back.
    func testPutSendsTheBodysContentMD5() throws {
        let s3 = try client()
        let body = randomBytes(1000, seed: 3)
        try s3.putAndWait(key: "q/md5", body: body, contentType: "application/gzip")
        let request = s3.request(url: s3.location.objectURL(key: "q/md5"), payloadSHA256: AWSSigning.emptyPayloadSHA256)
        let reply = Mutex<Result<S3Client.Reply, S3Error>?>(nil)
        s3.send(request, operation: .get, key: "q/md5", limit: 1 << 20) { result in reply.withLock { $0 = result } }
        waitUntil("the GET's reply") { reply.withLock { $0 != nil } }
        let got = try XCTUnwrap(reply.withLock { $0 }).get()
        XCTAssertEqual(got.body, body)
        XCTAssertEqual(got.headers.last { $0.name == "content-md5" }?.value, base64String(MD5.hash(body)))
    }

    func testGetBeyondTheLimitIsTooLarge() throws {
        let s3 = try client()
        try s3.putAndWait(key: "q/big", body: randomBytes(100_000, seed: 2))
        XCTAssertThrowsError(try s3.getAndWait(key: "q/big", limit: 50_000)) { error in
            XCTAssertEqual(
                "\(error)", "S3 bucket 'archive': GET q/big: the response is larger than the limit of 48.8 KiB")
        }
        XCTAssertThrowsError(try s3.getAndWait(key: "q/none", limit: 50_000)) { error in
            XCTAssertEqual(
                (error as? S3Error)?.kind,
                .http(
                    status: 404, code: "NoSuchKey",
                    message: "The specified key does not exist."))
        }
    }

    /// Seven objects two a page: four pages, every key once, in order. (moto, unlike S3,
    /// mis-checks the signature of a query value holding "/", so this prefix has none.)
    func testListFollowsContinuationTokens() throws {
        let s3 = try client()
        let keys = (1...7).map { "pages-\($0)" }
        for (index, key) in keys.enumerated() { try s3.putAndWait(key: key, body: Array(repeating: 7, count: index)) }
        try s3.putAndWait(key: "other", body: [1])
        let listed = try s3.listAndWait(prefix: "pages-", maxKeys: 2)
        XCTAssertEqual(listed, keys.enumerated().map { .init(key: $0.element, size: $0.offset) })
        XCTAssertEqual(try s3.listAndWait(prefix: "none-"), [])
    }

    func testAWrongSecretIsRefusedNamingTheBucket() throws {
        let s3 = try client(secret: "wrong" + moto.secretAccessKey)
        XCTAssertThrowsError(try s3.putAndWait(key: "q/2026/x.gz", body: [1, 2, 3])) { error in
            XCTAssertEqual(
                "\(error)",
                "S3 bucket 'archive': PUT q/2026/x.gz: SignatureDoesNotMatch (The request "
                    + "signature we calculated does not match the signature you provided. "
                    + "Check your key and signing method.)"
            )
            XCTAssertFalse((error as? S3Error)?.isTransient ?? true)
        }
        let unknown = S3Client(
            location: s3.location,
            credentials: .init(accessKeyID: "AKIAUNKNOWN", secretAccessKey: "unknown-secret", source: "t"),
            loop: loop)
        XCTAssertThrowsError(try unknown.listAndWait(prefix: "")) { error in
            XCTAssertEqual(
                (error as? S3Error)?.kind,
                .http(
                    status: 403, code: "InvalidAccessKeyId",
                    message: "The AWS Access Key Id you provided does not exist in our records."))
        }
    }

    func testAMissingBucketIsSaidSo() throws {
        let s3 = try client(bucket: "no-such-bucket")
        XCTAssertThrowsError(try s3.putAndWait(key: "q/x", body: [1])) { error in
            XCTAssertEqual(
                "\(error)", "S3 bucket 'no-such-bucket': PUT q/x: NoSuchBucket (The specified bucket does not exist)")
        }
    }

    /// A server that is down is a network error, transient; once it is back, the same client works.
    func testServerDownThenBack() throws {
        let s3 = try client()
        moto.stop()
        XCTAssertThrowsError(try s3.putAndWait(key: "q/x", body: [1])) { error in
            XCTAssertEqual("\(error)", "S3 bucket 'archive': PUT q/x: connection refused")
            XCTAssertTrue((error as? S3Error)?.isTransient ?? false)
        }
        try moto.start()  // the same port and, seeded, the same keys
        XCTAssertEqual(try s3.putAndWait(key: "q/x", body: [1]).bytes, 1)
        XCTAssertEqual(try s3.getAndWait(key: "q/x", limit: 10), [1])
    }

    /// Temporary credentials work only with their session token, which goes signed.
    func testSessionTokenIsSent() throws {
        let s3 = try client(session: true)
        try s3.putAndWait(key: "q/session", body: [4, 5])
        XCTAssertEqual(try s3.getAndWait(key: "q/session", limit: 10), [4, 5])
        let wrongToken = try client(session: true, token: "not-the-token")
        XCTAssertThrowsError(try wrongToken.getAndWait(key: "q/session", limit: 10)) { error in
            XCTAssertEqual(
                (error as? S3Error)?.kind,
                .http(
                    status: 400, code: "InvalidToken",
                    message: "The provided token is malformed or otherwise invalid."))
        }
    }

    /// No error, description or dump of a request shows the key, the secret or the token.
    func testCredentialsNeverShow() throws {
        var errors: [String] = []
        let wrong = try client(secret: "wrong-secret-value")
        XCTAssertThrowsError(try wrong.putAndWait(key: "q/x", body: [1])) { errors.append("\($0)") }
        let badToken = try client(session: true, token: "bad-token-value")
        XCTAssertThrowsError(try badToken.getAndWait(key: "q/x", limit: 1)) { errors.append("\($0)") }
        moto.stop()
        let session = try client(session: true)
        XCTAssertThrowsError(try session.listAndWait(prefix: "")) { errors.append("\($0)") }
        let request = session.request(url: session.location.objectURL(key: "k"), payloadSHA256: "0")
        let shown =
            errors + [
                "\(session.credentials)", String(reflecting: session.credentials), "\(request)",
                String(reflecting: request),
                "\(request.awsSigV4!)", String(reflecting: request.awsSigV4!),
            ]
        XCTAssertEqual(errors.count, 3)
        for text in shown {
            for secret in [
                moto.secretAccessKey, moto.session.secretAccessKey, moto.session.sessionToken, "wrong-secret-value",
                "bad-token-value", moto.accessKeyID, moto.session.accessKeyID,
            ] {
                XCTAssertFalse(text.contains(secret), "\(text) shows a credential")
            }
        }
    }
}
