import Foundation
import StreamCore
import Synchronization
import TestSupport
import XCTest
@testable import HTTPServer

/// Every limit's answer on a real socket, and the timeouts through the manual scheduler.
/// `server.statistics()` goes through the loop, so once it returns, what the loop did for the
/// bytes a client already received (setting a deadline) is done: the tests advance the clock
/// after it.
final class LimitsTests: ServerTestCase {
    let limits = HTTPServer.Limits()

    /// Sends `text` on a fresh connection and returns the answer, checking the server closed.
    func answer(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> TestResponse {
        let client = try TestClient(port: port)
        client.send(text)
        let response = try XCTUnwrap(client.readResponse(), file: file, line: line)
        XCTAssertEqual(response.headers["connection"], "close", file: file, line: line)
        XCTAssertTrue(client.waitForEnd(), "the server closes after an error", file: file, line: line)
        return response
    }

    func testEachLimitAnswersItsStatus() throws {
        try start()
        let longLine = "GET /" + String(repeating: "a", count: limits.maxRequestLine) + " HTTP/1.1\r\n"
        let uri = try answer(longLine)  // answered before the line even ends
        XCTAssertEqual(uri.status, 414)
        XCTAssertEqual(uri.text, "the request line is longer than 8192 bytes\n")

        let padding = "X-Pad: " + String(repeating: "p", count: 1_000) + "\r\n"
        XCTAssertEqual(try answer("GET / HTTP/1.1\r\nHost: t\r\n" + String(repeating: padding, count: 17)).status, 431)
        let lines = "GET / HTTP/1.1\r\nHost: t\r\n" + String(repeating: "A: b\r\n", count: limits.maxHeaderLines)
        XCTAssertEqual(try answer(lines + "\r\n").status, 431)

        // A declared length past the limit is refused before any of the body is sent.
        let large = try answer("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: \(limits.maxBody + 1)\r\n\r\n")
        XCTAssertEqual(large.status, 413)
        let chunk = String(limits.maxBody + 1, radix: 16)
        let chunked = try answer("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n\(chunk)\r\n")
        XCTAssertEqual(chunked.status, 413)

        XCTAssertEqual(try answer("NOT HTTP AT ALL\r\n\r\n").status, 400)
        XCTAssertEqual(try answer("GET / HTTP/1.1\r\n\r\n").status, 400)  // no Host
        XCTAssertEqual(requestCount, 0)
        // HEAD errors have no body either.
        let head = try TestClient(port: port)
        head.send("HEAD / HTTP/1.1\r\nHost: t\r\nContent-Length: x\r\n\r\n")
        XCTAssertEqual(head.readHeadOnly()?.status, 400)
        XCTAssertTrue(head.waitForEnd())
        XCTAssertEqual(head.received, [])
    }

    func testABodyOfExactlyTheLimitIsServed() throws {
        try start()
        let client = try TestClient(port: port)
        client.send("POST /max HTTP/1.1\r\nHost: t\r\nContent-Length: \(limits.maxBody)\r\n\r\n")
        client.send([UInt8](repeating: 65, count: limits.maxBody))
        XCTAssertEqual(client.readResponse()?.text, "POST /max \(limits.maxBody)")
    }

    func testErrorAnswersGoThroughErrorResponse() throws {
        server = try HTTPServer(
            listeners: [.tcp(host: "127.0.0.1", port: 0)], time: scheduler,
            errorResponse: { status, message in
                HTTPServerResponse(
                    status: status, headers: [("Content-Type", "application/json")],
                    body: Array("{\"error\": {\"status\": \(status), \"message\": \"\(message)\"}}".utf8))
            },
            handler: ServerTestCase.echo)
        let response = try answer("GET / HTTP/2.0\r\nHost: t\r\n\r\n")
        XCTAssertEqual(response.status, 505)
        XCTAssertEqual(response.headers["content-type"], "application/json")
        XCTAssertEqual(
            response.text, "{\"error\": {\"status\": 505, \"message\": \"this server speaks HTTP/1.1 and HTTP/1.0\"}}")
    }

    func testASlowlorisClientTimesOutWithoutDelayingAnother() throws {
        try start()
        let slow = try TestClient(port: port)
        slow.send("GET /slow HTTP/1.1\r\nHo")
        let good = try TestClient(port: port)
        XCTAssertEqual(good.request("/good")?.text, "GET /good 0")
        slow.send("st: t\r\nX-Drip: 1\r\n")
        waitForStatistics("the slow head is in hand") { $0.partialRequests == 1 }
        XCTAssertEqual(good.request("/again")?.text, "GET /again 0")

        scheduler.advance(by: limits.requestTimeout)
        let timedOut = try XCTUnwrap(slow.readResponse())
        XCTAssertEqual(timedOut.status, 408)
        XCTAssertEqual(timedOut.text, "the request did not arrive in full within 10 s\n")
        XCTAssertTrue(slow.waitForEnd())
        XCTAssertEqual(requestCount, 2)
        XCTAssertEqual(good.request("/still")?.status, 200)  // the good one's own timers were not touched
    }

    func testARequestJustInTimeIsServedAndTheNextGetsAFreshDeadline() throws {
        try start()
        let client = try TestClient(port: port)
        client.send("POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nab")
        waitForStatistics("the partial request is in hand") { $0.partialRequests == 1 }
        scheduler.advance(by: limits.requestTimeout - .milliseconds(1))
        client.send("cd")
        XCTAssertEqual(client.readResponse()?.text, "POST /slow 4")
        client.send("GET /next HTTP/1.1\r\n")
        waitForStatistics("the next request is in hand") { $0.partialRequests == 1 }
        scheduler.advance(by: limits.requestTimeout - .milliseconds(1))
        client.send("Host: t\r\n\r\n")
        XCTAssertEqual(client.readResponse()?.text, "GET /next 0")
    }

    /// A connection that never says anything has the request timeout, not the idle one: a
    /// crowd of silent connections cannot hold the server's connections for a minute each.
    func testASilentNewConnectionGetsTheRequestTimeout() throws {
        try start()
        let silent = try TestClient(port: port)
        waitForStatistics("accepted") { $0.connections == 1 }
        scheduler.advance(by: limits.requestTimeout)
        XCTAssertEqual(silent.readResponse()?.status, 408)
        XCTAssertTrue(silent.waitForEnd())
        _ = server.statistics()
        scheduler.advance(by: limits.lingerTimeout)  // what the client might still send is drained
        waitForStatistics("forgotten") { $0.connections == 0 }
    }

    func testAnIdleConnectionClosesAfterTheIdleTimeout() throws {
        try start()
        let client = try TestClient(port: port)
        waitForStatistics("accepted") { $0.connections == 1 }
        scheduler.advance(by: limits.requestTimeout - .seconds(1))
        XCTAssertEqual(client.request("/first")?.status, 200)
        _ = server.statistics()
        scheduler.advance(by: limits.idleTimeout - .seconds(1))
        XCTAssertEqual(client.request("/a")?.status, 200)
        _ = server.statistics()  // the idle deadline is set again once the answer is out
        scheduler.advance(by: limits.idleTimeout - .seconds(1))
        XCTAssertEqual(client.request("/b")?.status, 200)
        _ = server.statistics()
        scheduler.advance(by: limits.idleTimeout)
        XCTAssertTrue(client.waitForEnd())
        XCTAssertEqual(client.received, [])  // closed without an answer: there was no request
        waitForStatistics("forgotten") { $0.connections == 0 }
    }

    /// TCP clients cannot take the connections kept for the Unix socket's.
    func testTCPLeavesRoomForTheUnixSocket() throws {
        var limits = HTTPServer.Limits()
        limits.maxConnections = 3
        limits.reservedForUnix = 1
        let path = socketPath()
        try start(listeners: [.tcp(host: "127.0.0.1", port: 0), .unix(path: path, allowedUID: nil)], limits: limits)
        let tcpPort = try XCTUnwrap(server.tcpPorts.first)
        let clients = try (0..<2).map { _ in try TestClient(port: tcpPort) }
        waitForStatistics("two open") { $0.connections == 2 }
        let refused = try TestClient(port: tcpPort)
        XCTAssertTrue(refused.waitForEnd(), "the third TCP client is past TCP's share")
        XCTAssertEqual(try TestClient(unixPath: path).request("/local")?.status, 200, "the reserved one")
        for client in clients { XCTAssertEqual(client.request("/tcp")?.status, 200) }
    }

    func testConnectionsPastTheLimitAreClosedAtOnce() throws {
        var limits = HTTPServer.Limits()
        limits.maxConnections = 2
        limits.reservedForUnix = 0
        try start(limits: limits)
        var first: TestClient? = try TestClient(port: port)
        let second = try TestClient(port: port)
        waitForStatistics("two open") { $0.connections == 2 }
        let third = try TestClient(port: port)
        XCTAssertTrue(third.waitForEnd())
        XCTAssertEqual(third.received, [])
        XCTAssertEqual(server.statistics().refusedOverLimit, 1)
        XCTAssertEqual(first?.request("/1")?.status, 200)
        XCTAssertEqual(second.request("/2")?.status, 200)
        first = nil
        waitForStatistics("one open") { $0.connections == 1 }
        XCTAssertEqual(try TestClient(port: port).request("/3")?.status, 200)
    }

    func testAClientThatReadsNoneOfALargeResponseIsDroppedAfterTheIdleTimeout() throws {
        let big = [UInt8](repeating: 120, count: 16 << 20)
        try start { _, responder in responder.respond(HTTPServerResponse(status: 200, body: big)) }
        let client = try TestClient(port: port)
        client.get("/big")
        waitForStatistics("the answer is stuck in the server") { $0.bufferedBytes > 0 && $0.awaitingAnswers == 0 }
        scheduler.advance(by: limits.idleTimeout)
        waitForStatistics("dropped") { $0.connections == 0 }
    }

    func testRequestsScheduleNoTimersOfTheirOwn() throws {
        let counting = CountingScheduler(scheduler)
        server = try HTTPServer(
            listeners: [.tcp(host: "127.0.0.1", port: 0)], time: counting, handler: ServerTestCase.echo)
        let client = try TestClient(port: port)
        for index in 0..<50 {
            XCTAssertEqual(client.request("/\(index)")?.status, 200)
        }
        // One sweep for every deadline: 100 deadlines set, one timer scheduled.
        XCTAssertEqual(counting.scheduled, 1)
        scheduler.advance(by: .seconds(3))
        XCTAssertEqual(counting.scheduled, 4)
    }
}

/// Counts what is scheduled, and schedules it on a manual scheduler.
final class CountingScheduler: Scheduler {
    let base: ManualScheduler
    private let count = Atomic(0)

    init(_ base: ManualScheduler) { self.base = base }

    var scheduled: Int { count.load(ordering: .acquiring) }

    func now() -> Moment { base.now() }

    @discardableResult
    func schedule(
        after delay: Duration, on queue: DispatchQueue, _ work: @escaping @Sendable () -> Void
    ) -> ScheduledWork {
        count.add(1, ordering: .acquiringAndReleasing)
        return base.schedule(after: delay, on: queue, work)
    }
}
