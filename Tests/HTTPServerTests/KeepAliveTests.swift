import Foundation
import Synchronization
import TestSupport
import XCTest
@testable import HTTPServer

/// Connections: keep-alive, closing, pipelining, HEAD, decoding, and how responders answer.
final class KeepAliveTests: ServerTestCase {
    func testTwoRequestsOnOneKeptAliveConnection() throws {
        try start()
        let client = try TestClient(port: port)
        let first = try XCTUnwrap(client.request("/one"))
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.text, "GET /one 0")
        XCTAssertEqual(first.headers["connection"], "keep-alive")
        let second = try XCTUnwrap(client.request("/two"))
        XCTAssertEqual(second.text, "GET /two 0")
        XCTAssertEqual(server.statistics().accepted, 1)
        XCTAssertEqual(seen.withLock { $0.map(\.peer) }.count, 2)
        guard case .tcp(let peer) = seen.withLock({ $0[0].peer }) else { return XCTFail("not a TCP peer") }
        XCTAssertTrue(peer.hasPrefix("127.0.0.1:"), peer)
    }

    func testHTTP10AndConnectionCloseEndTheConnectionAfterTheResponse() throws {
        try start()
        var old: TestClient? = try TestClient(port: port)
        old?.send("GET /old HTTP/1.0\r\n\r\n")
        let response = try XCTUnwrap(old?.readResponse())
        XCTAssertEqual(response.text, "GET /old 0")
        XCTAssertEqual(response.headers["connection"], "close")
        XCTAssertEqual(old?.waitForEnd(), true)

        let closing = try TestClient(port: port)
        XCTAssertEqual(closing.request("/c", headers: ["Connection: close"])?.headers["connection"], "close")
        XCTAssertTrue(closing.waitForEnd())
        // The server lingers, reading what a client still sends, until the client closes...
        XCTAssertEqual(server.statistics().connections, 2)
        old = nil
        waitForStatistics("the closed client's connection is gone") { $0.connections == 1 }
        // ... or the linger time is up.
        scheduler.advance(by: HTTPServer.Limits().lingerTimeout)
        waitForStatistics("the lingering connection is gone") { $0.connections == 0 }
    }

    func testPipelinedRequestsWaitUntilTheAnswerBeforeThemIsOut() throws {
        let release = DispatchSemaphore(value: 0)
        try start { request, responder in
            if request.path == "/slow" { release.wait() }
            ServerTestCase.echo(request, responder)
        }
        let client = try TestClient(port: port)
        client.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\nGET /fast HTTP/1.1\r\nHost: t\r\n\r\n")
        waitUntil("the first request reached the handler") { requestCount == 1 }
        // Both requests came in one read: had the server parsed the second, it would be in now.
        let statistics = server.statistics()
        XCTAssertEqual(statistics.requests, 1)
        XCTAssertEqual(statistics.awaitingAnswers, 1)
        release.signal()
        XCTAssertEqual(client.readResponse()?.text, "GET /slow 0")
        XCTAssertEqual(client.readResponse()?.text, "GET /fast 0")
    }

    func testHeadGetsTheHeadersOnly() throws {
        try start()
        let client = try TestClient(port: port)
        client.send("HEAD /h HTTP/1.1\r\nHost: t\r\n\r\n")
        let head = try XCTUnwrap(client.readHeadOnly())
        XCTAssertEqual(head.status, 200)
        XCTAssertTrue(head.head.contains("Content-Length: 9"), head.head)  // "HEAD /h 0"'s length
        // No body bytes followed: the next response starts right away.
        XCTAssertEqual(client.request("/after")?.text, "GET /after 0")
    }

    func testPathAndQueryArePercentDecoded() throws {
        try start()
        let client = try TestClient(port: port)
        XCTAssertEqual(client.request("/v1/streams/a%20b?limit=1+0&x=%41&limit=5")?.status, 200)
        let request = try XCTUnwrap(seen.withLock { $0.first })
        XCTAssertEqual(request.path, "/v1/streams/a b")
        XCTAssertEqual(request.target, "/v1/streams/a%20b?limit=1+0&x=%41&limit=5")
        XCTAssertEqual(request.query, ["limit": "5", "x": "A"])
        XCTAssertEqual(request.header("host"), "test")
    }

    func testTheServerOwnsTheFramingHeaders() throws {
        try start { _, responder in
            responder.respond(HTTPServerResponse(
                status: 200,
                headers: [
                    ("Content-Length", "999"), ("Connection", "close"), ("X-Split", "a\r\nInjected: yes"),
                    ("X-Ok", "1"),
                ],
                body: Array("abc".utf8)))
        }
        let client = try TestClient(port: port)
        let response = try XCTUnwrap(client.request("/"))
        XCTAssertEqual(response.headers["content-length"], "3")
        XCTAssertEqual(response.headers["connection"], "keep-alive")
        XCTAssertNil(response.headers["injected"])
        XCTAssertNil(response.headers["x-split"])
        XCTAssertEqual(response.headers["x-ok"], "1")
        XCTAssertEqual(response.text, "abc")
    }

    func testAResponderAnswersOnceAndADroppedOneAnswers500() throws {
        try start { request, responder in
            if request.path == "/forget" { return }
            responder.respond(HTTPServerResponse(status: 201, body: Array("first".utf8)))
            responder.respond(HTTPServerResponse(status: 202, body: Array("second".utf8)))
            let late = responder.stream(status: 200, headers: [])
            XCTAssertFalse(late.isOpen)
            XCTAssertFalse(late.send(Array("x".utf8)))
        }
        let client = try TestClient(port: port)
        let answered = try XCTUnwrap(client.request("/twice"))
        XCTAssertEqual(answered.status, 201)
        XCTAssertEqual(answered.text, "first")
        let forgotten = try XCTUnwrap(client.request("/forget"))
        XCTAssertEqual(forgotten.status, 500)
        XCTAssertEqual(forgotten.text, "the server did not answer this request\n")
        XCTAssertEqual(client.request("/again")?.status, 201)  // and the connection goes on
    }

    func testASlowHandlerDoesNotHoldOtherConnections() throws {
        let release = DispatchSemaphore(value: 0)
        try start { request, responder in
            if request.path == "/slow" { release.wait() }
            ServerTestCase.echo(request, responder)
        }
        let slow = try TestClient(port: port)
        slow.get("/slow")
        waitUntil("the slow request reached the handler") { requestCount == 1 }
        let other = try TestClient(port: port)
        XCTAssertEqual(other.request("/quick")?.text, "GET /quick 0")
        release.signal()
        XCTAssertEqual(slow.readResponse()?.text, "GET /slow 0")
    }

    func testAnAnswerFromAnotherThreadLater() throws {
        let parked = Mutex<(any HTTPResponder)?>(nil)
        try start { _, responder in parked.withLock { $0 = responder } }
        let client = try TestClient(port: port)
        client.get("/later")
        waitUntil("the request was parked") { parked.withLock { $0 != nil } }
        Thread.detachNewThread {
            parked.withLock { $0?.respond(HTTPServerResponse(status: 204)) }
        }
        let response = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(response.status, 204)
        XCTAssertNil(response.headers["content-length"])
        parked.withLock { $0 = nil }
    }

    func testAClientThatHalfClosesAfterItsRequestsGetsEveryAnswer() throws {
        try start()
        let client = try TestClient(port: port)
        client.send("\r\nGET /a HTTP/1.1\r\nHost: t\r\n\r\n\r\nGET /b HTTP/1.1\r\nHost: t\r\n\r\n")
        shutdown(client.fd, Int32(SHUT_WR))  // as `printf … | nc` does
        XCTAssertEqual(client.readResponse()?.text, "GET /a 0")
        XCTAssertEqual(client.readResponse()?.text, "GET /b 0")
        XCTAssertTrue(client.waitForEnd())
        XCTAssertEqual(client.received, [])
        waitForStatistics("closed") { $0.connections == 0 }
    }
}
