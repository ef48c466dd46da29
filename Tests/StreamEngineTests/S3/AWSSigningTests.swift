import Foundation
import XCTest

@testable import LocalServer
@testable import StreamCore
@testable import StreamEngine

/// What libcurl signs and sends for a SigV4 request, as a real server (LocalServer's
/// `/echo-credentials`, which quotes a request back) sees it.
final class AWSSigningTests: XCTestCase {
    var server: LocalServer!
    var loop: CurlLoop!

    override func setUpWithError() throws {
        server = try LocalServer(configuration: .init())
        loop = try CurlLoop()
    }

    override func tearDown() {
        loop.shutdown()
        server.stop()
    }

    let credentials = AWSCredentials(
        accessKeyID: "AKIAEXAMPLE0000001", secretAccessKey: "wJalrXUtnFEMI/K7MDENG", sessionToken: "session-token-1",
        source: "the test")

    /// Runs a request; returns its status, response headers and body.
    func run(_ request: HTTPTransfer.Request) -> (Int, [(name: String, value: String)], String) {
        let transfer = HTTPTransfer(request)
        let done = expectation(description: "completed")
        nonisolated(unsafe) var body: [UInt8] = []
        nonisolated(unsafe) var status = 0
        transfer.onData = {
            body.append(contentsOf: $0)
            return .accept
        }
        transfer.onComplete = { _, response, _ in
            status = response?.status ?? 0
            done.fulfill()
        }
        loop.start(transfer)
        wait(for: [done], timeout: 30)
        return (status, transfer.responseHeaders, String(decoding: body, as: UTF8.self))
    }

    /// The payload hash and the session token go as headers, both signed; the secret never
    /// goes at all.
    func testTheSignatureCoversThePayloadHashAndTheToken() {
        var request = HTTPTransfer.Request(url: server.baseURL + "/echo-credentials")
        request.awsSigV4 = AWSSigning(
            credentials: credentials, region: "eu-west-3",
            payloadSHA256: AWSSigning.emptyPayloadSHA256)
        let (status, headers, body) = run(request)
        XCTAssertEqual(status, 401)
        let authorization = headers.first { $0.name == "x-echo-authorization" }?.value ?? ""
        XCTAssertTrue(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE0000001/"), authorization)
        XCTAssertTrue(
            authorization.contains(
                "/eu-west-3/s3/aws4_request, "
                    + "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature="),
            authorization)
        XCTAssertTrue(body.contains("x-amz-content-sha256: \(AWSSigning.emptyPayloadSHA256)"), body)
        XCTAssertTrue(body.contains("x-amz-security-token: session-token-1"), body)
        XCTAssertFalse(
            body.contains(credentials.secretAccessKey) || authorization.contains(credentials.secretAccessKey))
    }

    /// A signed request follows no redirect: the credentials would go with it.
    func testASignedRequestFollowsNoRedirect() {
        var request = HTTPTransfer.Request(url: server.baseURL + "/redirect/poll/quotes")
        request.awsSigV4 = AWSSigning(
            credentials: credentials, region: "us-east-1",
            payloadSHA256: AWSSigning.emptyPayloadSHA256)
        let (status, headers, _) = run(request)
        XCTAssertEqual(status, 301)
        XCTAssertNotNil(headers.first { $0.name == "location" })
    }
}
