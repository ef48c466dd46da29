import Dispatch
import Foundation
import XCTest
@testable import LocalServer
@testable import StreamCore
@testable import StreamEngine

/// Redirects, against two LocalServers (two origins: same host, other port): the headers a
/// person registered stay on their origin, and only http and https are followed.
final class RedirectTests: XCTestCase {
    var first: LocalServer!
    var other: LocalServer!
    var loop: CurlLoop!

    override func setUpWithError() throws {
        first = try LocalServer(configuration: .init(apis: []))
        other = try LocalServer(configuration: .init(apis: []))
        loop = try CurlLoop()
    }

    override func tearDownWithError() throws {
        loop.shutdown()
        first.stop()
        other.stop()
    }

    let registered = [
        ("Authorization", "Bearer secret-1"), ("Cookie", "session=secret-2"),
        ("X-Api-Key", "secret-3"), ("X-Auth-Token", "secret-4"),
    ]

    /// One poll of `url` with the registered headers, as a stream in the registry does it.
    func poll(_ url: String) -> PollConnection.Poll? {
        var options = PollConnection.Options(url: url)
        options.headers = registered
        return firstPoll(options, loop: loop)
    }

    /// The request headers `/headers` reported, by lowercased name.
    func headersSeen(_ poll: PollConnection.Poll?, file: StaticString = #filePath, line: UInt = #line)
        -> [String: String]
    {
        guard let poll, poll.error == nil, case .object(let object)? = poll.document?.value else {
            XCTFail("no headers came back: \(String(describing: poll?.error))", file: file, line: line)
            return [:]
        }
        var seen: [String: String] = [:]
        for member in object { if case .string(let value) = member.value { seen[member.key] = value } }
        return seen
    }

    func redirect(from server: LocalServer, to location: String) -> String {
        let encoded = location.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        return server.baseURL + "/redirect-to?location=" + encoded
    }

    func testRegisteredHeadersNeverReachAnotherOrigin() {
        let seen = headersSeen(poll(redirect(from: first, to: other.baseURL + "/headers")))
        for (name, _) in registered { XCTAssertNil(seen[name.lowercased()], "\(name) crossed to another port") }
        XCTAssertEqual(seen["accept"], "application/json", "the engine's own headers still go")
    }

    func testASameOriginRedirectKeepsThem() {
        for location in ["/headers", first.baseURL + "/headers"] {
            let seen = headersSeen(poll(redirect(from: first, to: location)))
            for (name, value) in registered {
                XCTAssertEqual(seen[name.lowercased()], value, "\(name) after a redirect to \(location)")
            }
        }
    }

    /// Once a redirect has left the origin, a redirect back does not bring the headers back:
    /// the other origin chose that URL.
    func testTheyStayOffOnceTheRedirectsLeftTheOrigin() {
        let back = redirect(from: other, to: first.baseURL + "/headers")
        let seen = headersSeen(poll(redirect(from: first, to: back)))
        for (name, _) in registered { XCTAssertNil(seen[name.lowercased()], "\(name) came back with the redirect") }
    }

    func testOnlyHTTPAndHTTPSAreFollowed() {
        let ftp = poll(redirect(from: first, to: "ftp://127.0.0.1:\(other.port)/pub/file.txt"))
        XCTAssertEqual(ftp?.error, "redirect to ftp:// refused: only http and https are followed")
        XCTAssertNil(ftp?.status, "no response is reported for a refused redirect")
        let file = poll(redirect(from: first, to: "file:///etc/passwd"))
        XCTAssertEqual(file?.error, "redirect to file:// refused: only http and https are followed")
    }

    func testOnlyHTTPAndHTTPSAreFetched() {
        XCTAssertEqual(poll("ftp://127.0.0.1:\(other.port)/pub/file.txt")?.error,
                       "ftp:// refused: only http and https URLs are fetched")
        XCTAssertEqual(poll("file:///etc/passwd")?.error, "file:// refused: only http and https URLs are fetched")
    }

    /// Origins compare scheme, host (in any case) and port (the scheme's default when none is given).
    func testOrigins() {
        typealias Origin = CurlLoop.Origin
        XCTAssertEqual(Origin("http://Example.COM/a"), Origin("http://example.com:80/b?c"))
        XCTAssertEqual(Origin("https://example.com/a"), Origin("HTTPS://example.com:443"))
        XCTAssertNotEqual(Origin("http://example.com/"), Origin("https://example.com/"))
        XCTAssertNotEqual(Origin("http://example.com/"), Origin("http://example.com:8080/"))
        XCTAssertNotEqual(Origin("http://example.com/"), Origin("http://api.example.com/"))
        XCTAssertEqual(Origin("http://user:secret@example.com/"), Origin("http://example.com/"))
    }

    /// A webhook's POST is repeated by 307 and 308, and becomes a GET after 301, 302 or 303,
    /// as libcurl did when it followed.
    func testAPostIsRepeatedOnlyBy307And308() {
        for status in [307, 308, 303] {
            var request = HTTPTransfer.Request(url: first.baseURL + "/redirect-to?status=\(status)&location=/hook")
            request.postBody = Array("{\"text\":\"\(status)\"}".utf8)
            request.headers = [("Content-Type", "application/json")]
            let transfer = HTTPTransfer(request)
            let done = expectation(description: "done")
            final class Box: @unchecked Sendable { var status: Int? }  // written before `done`
            let box = Box()
            transfer.onComplete = { _, response, _ in
                box.status = response?.status
                done.fulfill()
            }
            loop.start(transfer)
            wait(for: [done], timeout: 20)
            XCTAssertEqual(box.status, status == 303 ? 404 : 200, "after \(status)")
        }
        XCTAssertEqual(first.receivedHooks().map(\.body), [#"{"text":"307"}"#, #"{"text":"308"}"#])
    }
}
