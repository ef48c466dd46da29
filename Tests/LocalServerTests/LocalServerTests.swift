import Foundation
import TestSupport
import XCTest
@testable import LocalServer
@testable import StreamCore

final class LocalServerTests: XCTestCase {
    var clock: ManualTimeSource!
    var server: LocalServer!

    override func setUpWithError() throws {
        clock = ManualTimeSource(start: Moment(nanoseconds: 1_000_000_000_000))
        server = try LocalServer(configuration: .init(apis: [
            .init(name: "quotes", kind: "quotes", period: .seconds(1)),
            .init(name: "weather", kind: "weather", period: .seconds(30)),
        ], retryMilliseconds: 2500, heartbeat: .seconds(15)), time: clock)
    }

    override func tearDownWithError() throws {
        server.stop()
    }

    /// Moves simulated time and lets the server push what changed.
    func advance(_ seconds: Int) {
        server.advance(clock, by: .seconds(seconds))
    }

    func testPollServesJSONWithETagsAnd304() throws {
        let first = try RawClient(port: server.port)
        first.get("/poll/quotes")
        first.readToEnd()
        let (head, body) = first.response
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 200 OK"), head)
        XCTAssertTrue(head.contains("Content-Type: application/json"))
        XCTAssertTrue(head.contains("ETag: \"v1\""), head)
        let document = try JSONParser.parse(body)
        XCTAssertEqual(document["version"], 1)
        XCTAssertEqual(document["quotes"]?.arrayValue?.count, 12)

        let again = try RawClient(port: server.port)
        again.get("/poll/quotes", headers: ["If-None-Match: \"v1\""])
        XCTAssertTrue(again.readToEnd().hasPrefix("HTTP/1.1 304 Not Modified"))

        advance(1)
        let changed = try RawClient(port: server.port)
        changed.get("/poll/quotes", headers: ["If-None-Match: \"v1\""])
        changed.readToEnd()
        XCTAssertTrue(changed.response.head.contains("ETag: \"v2\""))
        XCTAssertEqual(try JSONParser.parse(changed.response.body)["version"], 2)
    }

    func testStreamSendsRetrySnapshotThenPatchesThatApply() throws {
        let client = try RawClient(port: server.port)
        client.get("/sse/quotes", headers: ["Accept: text/event-stream"])
        client.read { $0.contains("event: data") && $0.hasSuffix("\n\n") }
        XCTAssertTrue(client.text.contains("Content-Type: text/event-stream"))
        advance(3)  // three periods: three patches
        client.read { $0.components(separatedBy: "event: patch").count == 4 }

        var parser = SSEParser()
        var document = Document()
        var ids: [String] = []
        parser.feed(Array(client.response.body)) { item in
            if case .event(let event) = item {
                if case .failure(let error) = document.consume(event) { XCTFail("\(error)") }
                ids.append(event.lastEventID)
            }
            if case .retry(let ms) = item { XCTAssertEqual(ms, 2500) }
        }
        XCTAssertEqual(ids, ["1", "2", "3", "4"])
        // The streamed document equals what a poll returns now.
        let poll = try RawClient(port: server.port)
        poll.get("/poll/quotes")
        poll.readToEnd()
        XCTAssertEqual(document.current, try JSONParser.parse(poll.response.body))
    }

    func testLastEventIDResumesWithTheMissedPatches() throws {
        advance(5)  // versions 2…6 exist
        let client = try RawClient(port: server.port)
        client.get("/sse/quotes", headers: ["Last-Event-ID: 3"])
        client.read { $0.contains("id: 6\n") }
        XCTAssertFalse(client.text.contains("event: data"), "no snapshot when resuming")
        XCTAssertEqual(client.text.components(separatedBy: "event: patch").count - 1, 3, "versions 4, 5, 6")
        let unknown = try RawClient(port: server.port)
        unknown.get("/sse/quotes", headers: ["Last-Event-ID: 999"])
        unknown.read { $0.contains("event: data") }
        XCTAssertTrue(unknown.text.contains("id: 6\n"))
    }

    func testHeartbeatsAfterQuietPeriods() throws {
        let client = try RawClient(port: server.port)
        client.get("/sse/weather")
        client.read { $0.contains("event: data") && $0.hasSuffix("\n\n") }
        advance(16)
        client.read { $0.contains(": heartbeat") }
        XCTAssertTrue(client.text.contains(": heartbeat\n\n"))
    }

    func testFaultModes() throws {
        func fetch(_ path: String) throws -> RawClient {
            let client = try RawClient(port: server.port)
            client.get(path)
            return client
        }
        XCTAssertTrue(try fetch("/sse/quotes?fault=500").readToEnd().hasPrefix("HTTP/1.1 500 Internal Server Error"))
        XCTAssertTrue(try fetch("/sse/quotes?fault=204").readToEnd().hasPrefix("HTTP/1.1 204 No Content"))
        XCTAssertTrue(try fetch("/nope").readToEnd().hasPrefix("HTTP/1.1 404 Not Found"))
        let wrongType = try fetch("/sse/quotes?fault=content-type")
        XCTAssertTrue(wrongType.read { $0.contains("event: data") }.contains("Content-Type: application/json"))
        let nonJSON = try fetch("/sse/quotes?fault=non-json")
        XCTAssertTrue(nonJSON.read { $0.contains("plain text") }.contains("data: plain text, version 1"))

        let malformed = try fetch("/sse/quotes?fault=malformed-patch")
        malformed.read { $0.contains("event: data") }
        let dropped = try fetch("/sse/quotes?fault=drop")
        dropped.read { $0.contains("event: data") && $0.hasSuffix("\n\n") }
        let stalled = try fetch("/sse/quotes?fault=stall")
        stalled.read { $0.contains("retry:") }
        advance(1)
        XCTAssertTrue(malformed.read { $0.contains("/does-not-exist") }.contains(#"[{"op":"remove","path":"/does-not-exist"}]"#))
        let droppedText = dropped.readToEnd()
        XCTAssertFalse(droppedText.hasSuffix("\n\n"), "the connection closed in the middle of an event")
        XCTAssertTrue(droppedText.contains("event: patch"))
        advance(20)  // returns once the loop has written everything the move caused
        stalled.readAvailable()
        XCTAssertFalse(stalled.text.contains("event:") || stalled.text.contains("heartbeat"), "a stalled stream sends nothing after its headers")

        let oversize = try fetch("/sse/quotes?fault=oversize&size=100000")
        let big = oversize.read { $0.utf8.count > 100_000 && $0.hasSuffix("]\n\n") }
        XCTAssertTrue(big.contains("data: [   "))
    }

    /// The demo's failing stream: `fault=flaky` works for 20 s, then drops its streams and
    /// answers 503 for 10 s, every 40 s of the server's time; and its hostile one.
    func testFlakyOutagesComeAndGoAndEscapeBodiesAreServedRaw() throws {
        func status(_ path: String) throws -> String {
            let client = try RawClient(port: server.port)
            client.get(path)
            // The status line is all this needs (an open event stream would not end).
            return String(client.read { $0.contains("\r\n") }.split(separator: "\r\n").first ?? "")
        }
        XCTAssertEqual(try status("/poll/quotes?fault=flaky"), "HTTP/1.1 200 OK")
        let stream = try RawClient(port: server.port)
        stream.get("/sse/quotes?fault=flaky")
        stream.read { $0.contains("event: data") }
        advance(20)
        XCTAssertEqual(try status("/poll/quotes?fault=flaky"), "HTTP/1.1 503 Service Unavailable")
        XCTAssertEqual(try status("/sse/quotes?fault=flaky"), "HTTP/1.1 503 Service Unavailable")
        XCTAssertFalse(stream.readToEnd().isEmpty, "the open stream was dropped (the read ended)")
        advance(10)
        XCTAssertEqual(try status("/sse/quotes?fault=flaky"), "HTTP/1.1 200 OK")
        let hostile = try RawClient(port: server.port)
        hostile.get("/sse/quotes?fault=escape")
        XCTAssertTrue(hostile.readToEnd().contains("\u{1B}]0;pwned\u{07}"), "the server sends escape sequences; the client must defuse them")
    }

    func testMarketIsALargeDocumentWithSmallChanges() throws {
        let market = try LocalServer(configuration: .init(apis: [.init(name: "market", kind: "market", period: .seconds(1))]), time: clock)
        defer { market.stop() }
        let client = try RawClient(port: market.port)
        client.get("/poll/market")
        client.readToEnd()
        let document = try JSONParser.parse(client.response.body)
        XCTAssertEqual(document["quotes"]?.arrayValue?.count, 150)
        XCTAssertGreaterThan(client.response.body.count, 5_000)
    }

    func testGzipWhenOffered() throws {
        let client = try RawClient(port: server.port)
        client.get("/poll/weather", headers: ["Accept-Encoding: gzip"])
        client.readToEnd()
        XCTAssertTrue(client.response.head.contains("Content-Encoding: gzip"))
        // Decoded by the system's gzip, which shares no code with ours.
        let decoded = try gunzip(client.response.body)
        XCTAssertEqual(try JSONParser.parse(decoded)["station"], "demo-airport")
    }

    func testGzipStreamDecodesIncrementally() throws {
        let client = try RawClient(port: server.port)
        client.get("/sse/quotes", headers: ["Accept-Encoding: gzip"])
        client.read { $0.contains("\r\n\r\n") && $0.utf8.count > 300 }
        advance(1)
        client.read { _ in client.received.count > 600 }
        server.stop()  // ends the body without the final block: what a stream cut off looks like
        let decoded = try gunzip(client.response.body)
        XCTAssertTrue(String(decoding: decoded, as: UTF8.self).hasPrefix("retry: 2500\n\nevent: data\nid: 1\n"))
    }

    /// The system's gzip decodes what it can (a cut-off stream decodes up to the cut).
    func gunzip(_ data: [UInt8]) throws -> [UInt8] {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("gz-\(UUID().uuidString).gz")
        try Data(data).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        return try systemGunzip(input.path).bytes
    }

    func testStopClosesEverything() throws {
        let client = try RawClient(port: server.port)
        client.get("/sse/quotes")
        client.read { $0.contains("event: data") }
        XCTAssertEqual(server.connectionCount(), 1)
        server.stop()
        client.readToEnd()  // returns because the server closed the connection
        server.stop()  // idempotent
        server.tick()  // answered, not waited on forever
        XCTAssertEqual(server.connectionCount(), 0)
    }
}
