import Foundation
import XCTest

@testable import StreamCore
@testable import StreamEngine

/// The S3 client's parts that need no server: locations, encoding, credentials, XML, errors.
final class S3UnitTests: XCTestCase {
    func testLocationsAndURLs() throws {
        let aws = try S3Location("s3://my-bucket/q/2026", environment: ["AWS_REGION": "eu-west-3"])
        XCTAssertEqual([aws.bucket, aws.prefix, aws.region], ["my-bucket", "q/2026/", "eu-west-3"])
        XCTAssertNil(aws.endpoint)
        XCTAssertEqual(aws.objectURL(key: "q/a b"), "https://my-bucket.s3.eu-west-3.amazonaws.com/q/a%20b")
        XCTAssertEqual(
            try S3Location("s3://b.with.dots", region: "us-west-2").objectURL(key: "k"),
            "https://s3.us-west-2.amazonaws.com/b.with.dots/k")
        let compatible = try S3Location(
            "S3://bkt/", endpoint: "http://127.0.0.1:9000/",
            environment: [
                "AWS_DEFAULT_REGION": "ap-south-1"
            ])
        XCTAssertEqual(compatible.prefix, "")
        XCTAssertEqual(compatible.region, "ap-south-1")
        XCTAssertEqual(compatible.objectURL(key: "x/y"), "http://127.0.0.1:9000/bkt/x/y")
        XCTAssertEqual(try S3Location("s3://bkt//p").prefix, "p/")
        XCTAssertEqual(try S3Location("s3://bkt").region, "us-east-1")
        XCTAssertEqual(
            compatible.bucketURL(query: [("prefix", "q/"), ("list-type", "2")]),
            "http://127.0.0.1:9000/bkt/?list-type=2&prefix=q%2F")
    }

    func testBadLocationsAreSaidClearly() {
        func message(_ url: String, endpoint: String? = nil, region: String? = nil) -> String {
            do {
                _ = try S3Location(url, endpoint: endpoint, region: region)
                return "accepted"
            } catch {
                return error.description
            }
        }
        XCTAssertEqual(
            message("https://bucket/x"), "'https://bucket/x' is not an S3 URL: give s3://BUCKET or s3://BUCKET/PREFIX")
        XCTAssertEqual(message("s3:///x"), "'s3:///x' names no bucket: give s3://BUCKET or s3://BUCKET/PREFIX")
        XCTAssertEqual(
            message("s3://My_Bucket"),
            "'My_Bucket' is not a valid S3 bucket name (3 to 63 lowercase letters, "
                + "digits, dots and hyphens, starting and ending with a letter or digit)")
        XCTAssertTrue(message("s3://ab").hasPrefix("'ab' is not a valid S3 bucket name"))
        XCTAssertNotEqual(message("s3://a..b"), "accepted")
        XCTAssertNotEqual(message("s3://-ab"), "accepted")
        XCTAssertEqual(
            message("s3://bkt", endpoint: "ftp://host"),
            "'ftp://host' is not an S3 endpoint: give an http:// or https:// URL")
        XCTAssertEqual(
            message("s3://bkt", region: "us east\u{1B}"), "'us east␛' is not an AWS region (like us-east-1)")
    }

    /// What AWS's SDKs send (boto3 quotes keys with safe="/~", query values with safe="~").
    func testEncodingIsSigV4s() {
        XCTAssertEqual(S3Location.encode("q/a b+c=d!ü~._-/x", keepSlash: true), "q/a%20b%2Bc%3Dd%21%C3%BC~._-/x")
        XCTAssertEqual(S3Location.encode("a/b+c=", keepSlash: false), "a%2Fb%2Bc%3D")
        XCTAssertEqual(
            S3Location.canonicalQuery([
                ("prefix", "x/"), ("continuation-token", "1/a+b=="), ("list-type", "2"),
                ("a", "2"), ("a", "1"),
            ]),
            "a=1&a=2&continuation-token=1%2Fa%2Bb%3D%3D&list-type=2&prefix=x%2F")
    }

    func testCredentialsFromTheEnvironment() throws {
        let full = try AWSCredentials.resolve(environment: [
            "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEKEY123", "AWS_SECRET_ACCESS_KEY": "secret/value+1",
            "AWS_SESSION_TOKEN": "tok",
        ])
        XCTAssertEqual(
            full,
            .init(
                accessKeyID: "AKIAEXAMPLEKEY123", secretAccessKey: "secret/value+1", sessionToken: "tok",
                source: "the environment"))
        XCTAssertEqual("\(full)", "AWS credentials (access key AKIA…, session token from the environment)")
        XCTAssertEqual(String(reflecting: full), "\(full)")
        XCTAssertThrowsError(try AWSCredentials.resolve(environment: ["AWS_ACCESS_KEY_ID": "AKIA"])) { error in
            XCTAssertEqual("\(error)", "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        }
    }

    func testCredentialsFromTheSharedFile() throws {
        let directory = NSTemporaryDirectory() + "streamtop-aws-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/.aws", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/.aws/credentials"
        try """
        # streamtop's test credentials
        [default]
        aws_access_key_id=AKIADEFAULT00001
        aws_secret_access_key = default/secret

        ; another profile
          [ ci ]
          AWS_ACCESS_KEY_ID   =   AKIACI0000000002\r
          aws_secret_access_key=ci+secret=with=equals
          aws_session_token = ci-token
        [empty]
        aws_access_key_id =
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let home = ["HOME": directory]
        XCTAssertEqual(
            try AWSCredentials.resolve(environment: home),
            .init(accessKeyID: "AKIADEFAULT00001", secretAccessKey: "default/secret", source: "\(path) [default]"))
        XCTAssertEqual(
            try AWSCredentials.resolve(environment: home.merging(["AWS_PROFILE": "ci"]) { $1 }),
            .init(
                accessKeyID: "AKIACI0000000002", secretAccessKey: "ci+secret=with=equals", sessionToken: "ci-token",
                source: "\(path) [ci]"))
        XCTAssertEqual(
            try AWSCredentials.resolve(environment: ["AWS_SHARED_CREDENTIALS_FILE": path]).accessKeyID,
            "AKIADEFAULT00001")
        XCTAssertThrowsError(try AWSCredentials.resolve(environment: home.merging(["AWS_PROFILE": "prod"]) { $1 })) {
            XCTAssertEqual(
                "\($0)",
                "no AWS credentials: AWS_ACCESS_KEY_ID is not set, and \(path) has no profile 'prod' "
                    + "(set AWS_PROFILE to choose another)")
        }
        XCTAssertThrowsError(try AWSCredentials.resolve(environment: home.merging(["AWS_PROFILE": "empty"]) { $1 })) {
            XCTAssertEqual("\($0)", "the profile 'empty' in \(path) lacks aws_access_key_id or aws_secret_access_key")
        }
        XCTAssertThrowsError(try AWSCredentials.resolve(environment: ["HOME": "/nonexistent"])) {
            XCTAssertEqual(
                "\($0)",
                "no AWS credentials: AWS_ACCESS_KEY_ID is not set, and /nonexistent/.aws/credentials "
                    + "has no profile 'default' (set AWS_PROFILE to choose another)")
        }
    }

    func testXMLTextsAndEntities() {
        let xml =
            "<R><Key>a&amp;b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#65;&#x42; &bogus; & x</Key><KeyCount>1</KeyCount>"
            + "<Prefix/><Key attr=\"1\">second</Key></R>"
        XCTAssertEqual(S3XML.texts("Key", in: xml[...]), ["a&b <c> \"d\" 'e' AB &bogus; & x", "second"])
        XCTAssertEqual(S3XML.text("Prefix", in: xml[...]), "")
        XCTAssertEqual(S3XML.text("KeyCount", in: xml[...]), "1")
        XCTAssertNil(S3XML.text("Missing", in: xml[...]))
        XCTAssertEqual(S3XML.texts("Key", in: "<Key>unterminated"[...]), [])
    }

    func testListPages() {
        let page = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>q/</Prefix>
            <KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>
            <Contents><Key>q/a&amp;b</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified>
            <ETag>"x"</ETag><Size>12</Size>
            <StorageClass>STANDARD</StorageClass></Contents>
            <Contents><Key>q/c</Key><Size>0</Size></Contents>
            <NextContinuationToken>1/ab+c==</NextContinuationToken></ListBucketResult>
            """
        XCTAssertEqual(
            ListPage.parse(Array(page.utf8)),
            ListPage(objects: [.init(key: "q/a&b", size: 12), .init(key: "q/c", size: 0)], nextToken: "1/ab+c=="))
        let last =
            "<ListBucketResult><IsTruncated>false</IsTruncated><NextContinuationToken>t</NextContinuationToken>"
            + "</ListBucketResult>"
        XCTAssertEqual(ListPage.parse(Array(last.utf8)), ListPage(objects: [], nextToken: nil))
        XCTAssertNil(ListPage.parse(Array("<Error><Code>x</Code></Error>".utf8)))
        XCTAssertNil(ListPage.parse(Array("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>".utf8)))
        XCTAssertNil(
            ListPage.parse(Array("<ListBucketResult><Contents><Key>k</Key></Contents></ListBucketResult>".utf8)))
    }

    /// The ETag is compared only where it is the body's MD5: 32 hex digits (quotes, case and a
    /// weak `W/` aside) on an object stored unencrypted or with SSE-S3. A multipart ETag, an
    /// SSE-KMS one (32 hex digits too) or none is accepted: S3 checked the Content-MD5.
    func testETagCheck() {
        let md5 = hexString(MD5.hash(Array("hello".utf8)))
        func verdict(_ etag: String?, _ encryption: String? = nil) -> ETagVerdict {
            S3Client.etagVerdict(etag, serverSideEncryption: encryption, md5: md5)
        }
        XCTAssertEqual(verdict("\"5d41402abc4b2a76b9719d911017c592\""), .matches)
        XCTAssertEqual(verdict("5D41402ABC4B2A76B9719D911017C592"), .matches)
        XCTAssertEqual(verdict("W/\"5d41402abc4b2a76b9719d911017c592\""), .matches)
        XCTAssertEqual(verdict(" \"5d41402abc4b2a76b9719d911017c592\" ", "AES256"), .matches)
        XCTAssertEqual(verdict("\"5d41402abc4b2a76b9719d911017c593\""), .differs)
        XCTAssertEqual(verdict("\"5d41402abc4b2a76b9719d911017c593\"", "AES256"), .differs)
        XCTAssertEqual(verdict("\"5d41402abc4b2a76b9719d911017c592-2\""), .notAnMD5)
        XCTAssertEqual(verdict("\"0123456789abcdef0123456789abcdef\"", "aws:kms"), .notAnMD5)
        XCTAssertEqual(verdict("\"0123456789abcdef0123456789abcdef\"", "aws:kms:dsse"), .notAnMD5)
        XCTAssertEqual(verdict("\"5d41402abc4b2a76b9719d911017c59\""), .notAnMD5, "31 digits")
        XCTAssertEqual(verdict("\"5d41402abc4b2a76b9719d911017c5922\""), .notAnMD5, "33 digits")
        XCTAssertEqual(verdict("\"5d41402abc4b2a76b9719d911017c59g\""), .notAnMD5, "not hex")
        XCTAssertEqual(verdict(nil), .notAnMD5)
        let mismatch = S3Error(
            bucket: "b", operation: .put, key: "q/x", kind: .etagMismatch(expected: md5, received: "\"abc\""))
        XCTAssertEqual(
            "\(mismatch)",
            "S3 bucket 'b': PUT q/x: the stored object's ETag '\"abc\"' is not the MD5 of the body "
                + "sent (5d41402abc4b2a76b9719d911017c592): the upload may be corrupt")
        XCTAssertTrue(mismatch.isTransient)
    }

    /// Every PUT carries the body's MD5 in base64 as `Content-MD5` (RFC 1864), and signs it.
    func testEveryPutSendsContentMD5() throws {
        XCTAssertEqual(base64String(MD5.hash(Array("hello".utf8))), "XUFAKrxLKna5cZ2REBfFkg==")
        XCTAssertEqual(base64String(MD5.hash([UInt8]())), "1B2M2Y8AsgTpgAmY7PhCfg==")
        XCTAssertEqual(base64String(Array("ab".utf8)), "YWI=")
        let loop = try CurlLoop()
        defer { loop.shutdown() }
        let client = S3Client(
            location: try S3Location("s3://bucket/q", endpoint: "http://127.0.0.1:1"),
            credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret", source: "t"), loop: loop)
        let body = Array("hello".utf8)
        let request = client.putRequest(key: "q/x", body: body, contentType: "application/gzip", md5: MD5.hash(body))
        XCTAssertEqual(request.method, "PUT")
        XCTAssertEqual(request.headers.filter { $0.name == "Content-MD5" }.map(\.value), ["XUFAKrxLKna5cZ2REBfFkg=="])
        XCTAssertNotNil(request.awsSigV4, "signed, with every header the request sets")
    }

    /// A body damaged on the way: S3's 400 BadDigest, said for a person, and worth retrying.
    func testBadDigestIsSaidClearlyAndRetried() {
        let error = S3Error(bucket: "b", operation: .put, key: "q/x", kind: .http(
            status: 400, code: "BadDigest", message: "The Content-MD5 you specified did not match what was received."))
        XCTAssertEqual(
            "\(error)",
            "S3 bucket 'b': PUT q/x: BadDigest (The Content-MD5 you specified did not match what was received.): "
                + "the body S3 received is not the one sent (damaged on the way); nothing was stored")
        XCTAssertTrue(error.isTransient)
        let invalid = S3Error(bucket: "b", operation: .put, key: "q/x", kind: .http(
            status: 400, code: "InvalidDigest", message: "The Content-MD5 you specified is not valid."))
        XCTAssertFalse(invalid.isTransient, "a header we got wrong: sending it again will not help")
    }

    /// S3's words, but never a credential, never a control character, never without end.
    func testErrorBodiesAreScrubbedSanitizedAndBounded() {
        let secrets = ["AKIASECRETKEYID0001", "very/secret+key", "short"]
        let body =
            "<Error><Code>AccessDenied</Code><Message>key AKIASECRETKEYID0001 with very/secret+key \u{1B}[31m"
            + "short</Message><StringToSign>AWS4 very/secret+key</StringToSign></Error>"
        let parsed = S3Error.parseErrorBody(Array(body.utf8), secrets: secrets)
        XCTAssertEqual(parsed.code, "AccessDenied")
        XCTAssertEqual(parsed.message, "key [redacted] with [redacted] ␛[31mshort")
        let long = "<Error><Code>X</Code><Message>" + String(repeating: "m", count: 1000) + "</Message></Error>"
        XCTAssertEqual(S3Error.parseErrorBody(Array(long.utf8), secrets: []).message?.count, 301)
        XCTAssertTrue(S3Error.parseErrorBody(Array("<html>oops</html>".utf8), secrets: []) == (nil, nil))
        XCTAssertEqual(
            "\(S3Error(bucket: "b", operation: .get, key: "k", kind: .http(status: 502, code: nil, message: nil)))",
            "S3 bucket 'b': GET k: HTTP 502")
        XCTAssertEqual(
            "\(S3Error(bucket: "b", operation: .list, key: "", kind: .http(status: 403, code: "X", message: nil)))",
            "S3 bucket 'b': LIST (whole bucket): X (HTTP 403)")
    }
}
