import Foundation
import TestSupport
import XCTest
@testable import HTTPServer

/// Request bodies on the wire: declared lengths, chunked coding, `Expect: 100-continue`, from a
/// raw client and from curl.
final class BodyTests: ServerTestCase {
    func testChunkedBodyInPiecesThenAnotherRequest() throws {
        try start()
        let client = try TestClient(port: port)
        client.send("POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel")
        client.send("lo\r\n6\r\n world\r\n0\r\n\r\n")
        let response = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(response.text, "POST /c 11")
        XCTAssertEqual(response.headers["x-body"], "hello world")
        XCTAssertEqual(client.request("/next")?.text, "GET /next 0")
    }

    func testExpectContinueIsAnsweredWhenTheLengthFits() throws {
        try start()
        let client = try TestClient(port: port)
        client.send("POST /e HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        let interim = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(interim.status, 100)
        XCTAssertEqual(requestCount, 0)
        client.send("abcde")
        XCTAssertEqual(client.readResponse()?.headers["x-body"], "abcde")

        // A body sent with the head needs no 100.
        client.send("POST /f HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\nxy")
        let direct = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(direct.status, 200)
        XCTAssertEqual(direct.headers["x-body"], "xy")
    }

    func testExpectContinueWithTooLargeALengthIs413AtOnce() throws {
        try start()
        let client = try TestClient(port: port)
        let length = HTTPServer.Limits().maxBody + 1
        client.send("POST /e HTTP/1.1\r\nHost: t\r\nContent-Length: \(length)\r\nExpect: 100-continue\r\n\r\n")
        XCTAssertEqual(client.readResponse()?.status, 413)
        XCTAssertTrue(client.waitForEnd())
    }

    func testCurlChunkedAndContinueUploadsOverTheUnixSocket() throws {
        let path = socketPath()
        try start(listeners: [.unix(path: path, allowedUID: getuid())])
        let file = NSTemporaryDirectory() + "upload-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: file) }
        _ = FileManager.default.createFile(atPath: file, contents: Data(repeating: 97, count: 300_000))

        let chunked = try Curl.run([
            "--unix-socket", path, "-H", "Transfer-Encoding: chunked", "--data-binary", "@\(file)",
            "http://localhost/chunked",
        ])
        XCTAssertEqual(chunked.status, 0, chunked.stderr)
        XCTAssertEqual(chunked.stdout, "POST /chunked 300000")
        XCTAssertEqual(seen.withLock { $0.last?.header("transfer-encoding") }, "chunked")

        let continued = try Curl.run([
            "--verbose", "--unix-socket", path, "-H", "Expect: 100-continue", "--expect100-timeout", "20",
            "--data-binary", "@\(file)", "http://localhost/continued",
        ])
        XCTAssertEqual(continued.stdout, "POST /continued 300000")
        XCTAssertTrue(continued.stderr.contains("< HTTP/1.1 100 Continue"), continued.stderr)

        // Too large: refused before curl sends the body.
        _ = FileManager.default.createFile(atPath: file, contents: Data(repeating: 97, count: 2 << 20))
        let refused = try Curl.run([
            "--unix-socket", path, "-H", "Expect: 100-continue", "--expect100-timeout", "20",
            "--data-binary", "@\(file)", "-o", "/dev/null", "-w", "%{http_code} %{size_upload}",
            "http://localhost/large",
        ])
        let parts = refused.stdout.split(separator: " ")
        XCTAssertEqual(parts.first, "413", refused.stdout + refused.stderr)
        XCTAssertLessThan(Int(parts.last ?? "") ?? .max, 1 << 20, "curl sent the body anyway")
    }
}
