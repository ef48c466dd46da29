import Foundation
import Synchronization
import TestSupport
import XCTest
@testable import HTTPServer

/// Streamed responses: the head, pieces as sent, finishing, clients that go, a bounded backlog.
final class StreamTests: ServerTestCase {
    /// The streams the handler opened, and how many close actions ran.
    final class Streams: Sendable {
        let open = Mutex<[any HTTPResponseStream]>([])
        let closed = Atomic(0)

        var count: Int { open.withLock { $0.count } }
        var last: (any HTTPResponseStream)? { open.withLock { $0.last } }
        var closedCount: Int { closed.load(ordering: .acquiring) }
    }

    let streams = Streams()

    func startStreaming(limits: HTTPServer.Limits = .init(), keep: Bool = true) throws {
        let streams = self.streams
        try start(limits: limits) { request, responder in
            let stream = responder.stream(status: 200, headers: [("Content-Type", "text/event-stream")])
            stream.onClose { streams.closed.add(1, ordering: .releasing) }
            if keep { streams.open.withLock { $0.append(stream) } }
        }
    }

    func testPiecesAsSentThenFinishCloses() throws {
        try startStreaming()
        let client = try TestClient(port: port)
        client.get("/v1/events")
        waitUntil("the stream began") { streams.count == 1 }
        let stream = try XCTUnwrap(streams.last)
        XCTAssertTrue(stream.send(Array("data: one\n\n".utf8)))
        let head = try XCTUnwrap(client.readHeadOnly())
        XCTAssertTrue(head.head.hasPrefix("HTTP/1.1 200 OK\r\n"), head.head)
        XCTAssertTrue(head.head.contains("Content-Type: text/event-stream"))
        XCTAssertTrue(head.head.contains("Connection: close"))
        XCTAssertFalse(head.head.contains("Content-Length"))
        XCTAssertEqual(client.read(atLeast: 11), Array("data: one\n\n".utf8))
        XCTAssertTrue(stream.send(Array("data: two\n\n".utf8)))
        XCTAssertEqual(client.read(atLeast: 22), Array("data: one\n\ndata: two\n\n".utf8))
        XCTAssertEqual(server.statistics().streams, 1)
        stream.finish()
        XCTAssertFalse(stream.send(Array("late".utf8)))
        XCTAssertFalse(stream.isOpen)
        XCTAssertTrue(client.waitForEnd())
        XCTAssertEqual(client.received.count, 22)
        waitUntil("onClose ran") { streams.closedCount == 1 }
        // Registered after the end: runs at once.
        let late = Atomic(false)
        stream.onClose { late.store(true, ordering: .releasing) }
        XCTAssertTrue(late.load(ordering: .acquiring))
    }

    func testAClientHangingUpFiresOnClose() throws {
        try startStreaming()
        var client: TestClient? = try TestClient(port: port)
        client?.get("/v1/events")
        waitUntil("the stream began") { streams.count == 1 }
        XCTAssertNotNil(client?.readHeadOnly())
        client = nil
        waitUntil("onClose ran") { streams.closedCount == 1 }
        XCTAssertFalse(try XCTUnwrap(streams.last).send([1]))
        waitForStatistics("forgotten") { $0.connections == 0 }
    }

    func testAStreamNobodyHoldsEndsAndHeadGetsTheHeadOnly() throws {
        try startStreaming(keep: false)
        let dropped = try TestClient(port: port)
        dropped.get("/v1/events")
        XCTAssertNotNil(dropped.readHeadOnly())
        XCTAssertTrue(dropped.waitForEnd())
        waitUntil("onClose ran") { streams.closedCount == 1 }

        let head = try TestClient(port: port)
        head.send("HEAD /v1/events HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertNotNil(head.readHeadOnly())
        XCTAssertTrue(head.waitForEnd())
        XCTAssertEqual(head.received, [])
        waitUntil("onClose ran") { streams.closedCount == 2 }
    }

    func testAClientThatNeverReadsIsDroppedAtTheBacklogBound() throws {
        var limits = HTTPServer.Limits()
        limits.maxStreamBacklog = 256 << 10
        try startStreaming(limits: limits)
        let client = try TestClient(port: port)
        var small: Int32 = 4_096
        setsockopt(client.fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        client.get("/v1/events")
        waitUntil("the stream began") { streams.count == 1 }
        let stream = try XCTUnwrap(streams.last)
        let piece = [UInt8](repeating: 46, count: 16 << 10)
        var accepted = 0
        var largestHeld = 0
        // The kernel's buffers fill first, then the backlog; a bounded loop, never a wait. Each
        // look at the statistics comes after the loop took the piece sent before it.
        while accepted < 10_000, stream.send(piece) {
            accepted += 1
            largestHeld = max(largestHeld, server.statistics().bufferedBytes)
        }
        XCTAssertLessThan(accepted, 10_000, "never dropped")
        XCTAssertLessThanOrEqual(largestHeld, limits.maxStreamBacklog)
        XCTAssertGreaterThan(largestHeld, limits.maxStreamBacklog - piece.count * 2)  // it did fill
        XCTAssertFalse(stream.isOpen)
        XCTAssertFalse(stream.send(piece))
        waitUntil("onClose ran") { streams.closedCount == 1 }
        waitForStatistics("the connection and its bytes are gone") { $0.connections == 0 && $0.bufferedBytes == 0 }
    }

    /// A first piece larger than the backlog limit (the first snapshot of a large status) goes
    /// out to a client that keeps up; a second one while the first still waits drops the client.
    func testOnePieceLargerThanTheBacklogPassesWhenNothingWaits() throws {
        var limits = HTTPServer.Limits()
        limits.maxStreamBacklog = 64 << 10
        try startStreaming(limits: limits)
        let client = try TestClient(port: port)
        var small: Int32 = 4_096
        setsockopt(client.fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        client.get("/v1/events")
        waitUntil("the stream began") { streams.count == 1 }
        let stream = try XCTUnwrap(streams.last)
        // More than the kernel's buffers on both sides hold: part of it waits in the server.
        let large = [UInt8](repeating: 46, count: 32 << 20)
        XCTAssertTrue(stream.send(large), "nothing waited")
        XCTAssertFalse(stream.send(large), "the first still waits: past the bound")
        XCTAssertFalse(stream.isOpen)
        waitUntil("onClose ran") { streams.closedCount == 1 }
    }

    func testStopClosesOpenStreams() throws {
        try startStreaming()
        let clients = try (0..<3).map { _ in try TestClient(port: port) }
        for client in clients { client.get("/v1/events") }
        waitUntil("the streams began") { streams.count == 3 }
        server.stop()
        XCTAssertEqual(streams.closedCount, 3)  // before stop returned
        for client in clients { XCTAssertTrue(client.waitForEnd()) }
        XCTAssertFalse(try XCTUnwrap(streams.last).send([1]))
        XCTAssertEqual(server.statistics(), HTTPServer.Statistics())
    }
}
