import Dispatch
import Foundation
import TestSupport
import XCTest
@testable import LocalServer
@testable import StreamCore
@testable import StreamEngine

/// SSE connections against LocalServer: events, resumption, and every way a stream ends.
final class SSEConnectionTests: XCTestCase {
    var server: LocalServer!
    var loop: CurlLoop!

    override func setUpWithError() throws {
        server = try LocalServer(configuration: .init(apis: [.init(name: "quotes", kind: "quotes", period: .milliseconds(50))], retryMilliseconds: 50))
        loop = try CurlLoop()
    }

    override func tearDownWithError() throws {
        loop.shutdown()
        server.stop()
    }

    /// Runs a connection until `done` holds for its reports (or it finishes), then stops it.
    func reports(_ path: String, configure: (inout SSEConnection.Options) -> Void = { _ in }, until done: @escaping ([SSEConnection.Report]) -> Bool) -> [SSEConnection.Report] {
        var options = SSEConnection.Options(url: server.baseURL + path)
        configure(&options)
        let collected = Collected()
        let reached = expectation(description: "reports")
        let connection = SSEConnection(options: options, loop: loop, queue: DispatchQueue(label: "test-stream")) { report in
            if collected.append(report, check: done) { reached.fulfill() }
        }
        connection.start()
        wait(for: [reached], timeout: 20)
        connection.stop()
        return collected.all
    }

    final class Collected: @unchecked Sendable {  // guarded by lock
        private let lock = NSLock()
        private var reports: [SSEConnection.Report] = []
        private var reached = false

        func append(_ report: SSEConnection.Report, check: ([SSEConnection.Report]) -> Bool) -> Bool {
            lock.withLock {
                reports.append(report)
                if case .finished = report, !reached { reached = true; return true }
                if !reached && check(reports) { reached = true; return true }
                return false
            }
        }

        var all: [SSEConnection.Report] { lock.withLock { reports } }
    }

    func events(_ reports: [SSEConnection.Report]) -> [SSEEvent] {
        reports.compactMap { if case .item(.event(let event)) = $0 { return event } else { return nil } }
    }

    func closes(_ reports: [SSEConnection.Report]) -> [(String, SSEConnection.Ending)] {
        reports.compactMap { if case .closed(let reason, let ending, _) = $0 { return (reason, ending) } else { return nil } }
    }

    func testSnapshotThenPatchesApply() {
        let got = reports("/sse/quotes") { self.events($0).count >= 4 }
        guard case .connecting(1, nil) = got.first else { return XCTFail("\(got)") }
        XCTAssertTrue(got.contains { if case .open(200, "text/event-stream") = $0 { return true } else { return false } })
        var document = Document()
        for event in events(got) {
            if case .failure(let error) = document.consume(event) { XCTFail("\(error)") }
        }
        XCTAssertEqual(events(got).first?.type, "data")
        XCTAssertEqual(events(got).dropFirst().first?.type, "patch")
    }

    /// gzip is offered by default and decoded as bytes arrive; `compress = false` does not
    /// offer it, and the same events come plain.
    func testCompressionIsOfferedUnlessTurnedOff() {
        func encoding(_ reports: [SSEConnection.Report]) -> String? {
            for case .response(_, let headers, _) in reports { return headers.first { $0.name == "content-encoding" }?.value ?? "identity" }
            return nil
        }
        for compress in [true, false] {
            let got = reports("/sse/quotes", configure: { $0.compress = compress }) { self.events($0).count >= 3 }
            XCTAssertEqual(encoding(got), compress ? "gzip" : "identity")
            var document = Document()
            for event in events(got) {
                if case .failure(let error) = document.consume(event) { XCTFail("\(error)") }
            }
            XCTAssertNotNil(document.current)
        }
    }

    /// A piece of the body is counted on the wire when it arrives, not when the next one
    /// does: a stream that sends its snapshot and then waits must not show 0 bytes meanwhile.
    func testWireBytesOfAPieceAreKnownWhenItArrives() {
        for compress in [false, true] {
            let got = reports("/sse/quotes", configure: { $0.compress = compress }) { reports in
                reports.contains { if case .received = $0 { return true } else { return false } }
            }
            guard let (payload, wire) = got.lazy.compactMap({ report -> (Int, Int64)? in
                if case .received(let payload, let wire) = report { return (payload, wire) } else { return nil }
            }).first else { return XCTFail("no piece arrived") }
            XCTAssertGreaterThan(payload, 0)
            // The headers (a status line and a few fields) and the body so far: plain, all of
            // the payload; gzip, its encoded form.
            XCTAssertGreaterThan(wire, 60 + (compress ? 0 : Int64(payload)), "compress: \(compress)")
        }
    }

    func testReconnectsWithLastEventIDAfterTheServerDropsTheConnection() {
        let got = reports("/sse/quotes?fault=drop") { reports in
            reports.contains { if case .connecting(2, _) = $0 { return true } else { return false } }
        }
        XCTAssertEqual(closes(got).first?.0, "the server closed the stream")
        XCTAssertEqual(closes(got).first?.1, .closedByServer, "a clean close after events is not a failure")
        let delays = got.compactMap { if case .reconnecting(let delay) = $0 { return delay } else { return nil } }
        XCTAssertEqual(delays.first, .milliseconds(50), "the server's retry")
        // Reports go on arriving after the second attempt began (its response, under load):
        // the attempt is found, not taken to be the last report.
        guard let second = got.firstIndex(where: { if case .connecting(2, _) = $0 { true } else { false } }),
              case .connecting(2, let lastID) = got[second] else { return XCTFail("\(got)") }
        XCTAssertEqual(lastID, events(Array(got[..<second])).last?.lastEventID, "resumes from the last event seen")
        XCTAssertNotNil(lastID)
    }

    /// Attempts that end in an error grow the backoff, even when the server closes politely
    /// or the consumer asked for a fresh snapshot; the server's huge `retry` is capped.
    func testAttemptsThatEndInAnErrorGrowTheBackoff() {
        let empty = reports("/sse/quotes?fault=empty") { reports in
            reports.filter { if case .reconnecting = $0 { return true } else { return false } }.count >= 4
        }
        let delays = empty.compactMap { if case .reconnecting(let delay) = $0 { return delay } else { return nil } }
        // The server's retry is 50 ms: steps of 50, 100, 200, 400 ms, jittered over their upper half.
        XCTAssertGreaterThanOrEqual(delays[3], .milliseconds(200), "\(delays)")
        XCTAssertTrue(closes(empty).allSatisfy { $0.1 == .failed })
    }

    func testTheWaysAStreamEnds() {
        func end(_ path: String, stall: Duration = .seconds(90)) -> (reason: String, ending: SSEConnection.Ending?, reports: [SSEConnection.Report]) {
            let got = reports(path, configure: { $0.reconnect = false; $0.stall = stall }) { _ in false }
            let close = closes(got).first.map { ($0.0, Optional($0.1)) } ?? ("(none)", nil)
            return (close.0, close.1, got)
        }
        let noContent = end("/sse/quotes?fault=204")
        XCTAssertEqual(noContent.reason, "the server answered 204 No Content: stop")
        XCTAssertTrue(noContent.reports.contains { if case .stoppedByServer = $0 { return true } else { return false } })
        XCTAssertFalse(noContent.reports.contains { if case .reconnecting = $0 { return true } else { return false } })

        XCTAssertEqual(end("/sse/quotes?fault=500").reason, "HTTP 500: simulated failure")
        XCTAssertEqual(end("/sse/quotes?fault=500").ending, .failed)
        XCTAssertEqual(end("/nope").reason, "HTTP 404: no such endpoint: /nope")
        XCTAssertEqual(end("/sse/quotes?fault=content-type").reason, "wrong content type application/json, expected text/event-stream")
        XCTAssertEqual(end("/redirect-loop").reason, "too many redirects (more than the limit of 10)")
        let stalled = end("/sse/quotes?fault=stall", stall: .milliseconds(300))
        XCTAssertEqual(stalled.reason, "stalled: no data for 300 ms")
        XCTAssertEqual(stalled.ending, .stalled)
        // Connecting and closing at once, politely, is a failure: no event was delivered.
        let empty = end("/sse/quotes?fault=empty")
        XCTAssertEqual(empty.reason, "the server closed the stream before sending any event")
        XCTAssertEqual(empty.ending, .failed)

        let port = server.port
        server.stop()
        var options = SSEConnection.Options(url: "http://127.0.0.1:\(port)/sse/quotes")
        options.reconnect = false
        let collected = Collected()
        let finished = expectation(description: "finished")
        let connection = SSEConnection(options: options, loop: loop, queue: DispatchQueue(label: "refused")) { report in
            if collected.append(report, check: { _ in false }) { finished.fulfill() }
        }
        connection.start()
        wait(for: [finished], timeout: 10)
        XCTAssertEqual(closes(collected.all).first?.0, "connection refused")
    }
}

/// Calls `body` with the options of a connection (that does not reconnect) to a LocalServer
/// serving `stream` once, and a loop to read it with.
func withFirehose<T>(_ stream: String, _ body: (SSEConnection.Options, CurlLoop) throws -> T) throws -> T {
    var configuration = LocalServer.Configuration(apis: [])
    configuration.firehose = Array(stream.utf8)
    let server = try LocalServer(configuration: configuration)
    defer { server.stop() }
    let loop = try CurlLoop()
    defer { loop.shutdown() }
    var options = SSEConnection.Options(url: server.baseURL + "/firehose")
    options.reconnect = false
    return try body(options, loop)
}

/// A slow consumer pauses its own transfer instead of growing memory, and loses nothing:
/// whether it runs on the connection's queue or on its own, events parsed ahead of it.
final class BackpressureTests: XCTestCase {
    func testASlowConsumerPausesTheTransferAndLosesNothing() throws {
        try slowConsumer(onItsOwnQueue: false)
    }

    func testASlowConsumerOnItsOwnQueuePausesTheTransferAndLosesNothing() throws {
        try slowConsumer(onItsOwnQueue: true)
    }

    func slowConsumer(onItsOwnQueue: Bool) throws {
        // A 2 MB stream of 4,000 events, read by a consumer that stops until told to go on.
        var stream = "retry: 1000\n\n"
        for index in 1...4_000 { stream += "id: \(index)\ndata: \(String(repeating: "x", count: 480))\n\n" }
        try withFirehose(stream) { options, loop in try slowConsumer(options, loop, onItsOwnQueue: onItsOwnQueue) }
    }

    func slowConsumer(_ options: SSEConnection.Options, _ loop: CurlLoop, onItsOwnQueue: Bool) throws {
        var options = options
        options.maxBufferedBytes = 64 << 10
        if onItsOwnQueue { options.prepare = JSONParser.Options() }
        let gate = DispatchSemaphore(value: 0)
        let finished = expectation(description: "finished")
        final class Count: @unchecked Sendable { var events = 0; var lastID = "" }  // on the consumer's queue
        let count = Count()
        let consumer = DispatchQueue(label: "consumer")
        let connection = SSEConnection(
            options: options, loop: loop, queue: onItsOwnQueue ? DispatchQueue(label: "parsing") : consumer,
            deliveryQueue: onItsOwnQueue ? consumer : nil
        ) { report in
            dispatchPrecondition(condition: .onQueue(consumer))
            var id: String?
            switch report {
            case .item(.event(let event)): id = event.lastEventID
            case .prepared(let prepared): id = prepared.event.lastEventID
            case .finished: finished.fulfill()
            default: break
            }
            guard let id else { return }
            count.events += 1
            count.lastID = id
            if count.events == 1 { gate.wait() }  // the consumer stalls on its first event
        }
        connection.start()
        // While the consumer is stuck, the engine fills its buffer and pauses the transfer.
        waitUntil("the transfer to pause") { connection.pauses.load(ordering: .relaxed) > 0 }
        gate.signal()
        wait(for: [finished], timeout: 30)
        XCTAssertEqual(count.events, 4_000, "nothing lost")
        XCTAssertEqual(count.lastID, "4000")
    }
}

/// Events parsed on the connection's queue reach a handler on its own queue with everything
/// else, in the order a handler on the connection's queue gets it.
final class DeliveryQueueTests: XCTestCase {
    /// What a handler gets, as text: one entry per report, events by type, id and outcome.
    func reports(of stream: String, parsedAhead: Bool) throws -> [String] {
        try withFirehose(stream) { options, loop in reports(options, loop, parsedAhead: parsedAhead) }
    }

    func reports(_ options: SSEConnection.Options, _ loop: CurlLoop, parsedAhead: Bool) -> [String] {
        var options = options
        if parsedAhead { options.prepare = JSONParser.Options() }
        final class Seen: @unchecked Sendable {  // touched on `consumer` only
            var reports: [String] = []
            var document = Document()
        }
        let seen = Seen()
        let consumer = DispatchQueue(label: "consumer")
        let finished = expectation(description: "finished")
        let connection = SSEConnection(
            options: options, loop: loop, queue: parsedAhead ? DispatchQueue(label: "parsing") : consumer,
            deliveryQueue: parsedAhead ? consumer : nil
        ) { report in
            dispatchPrecondition(condition: .onQueue(consumer))
            func outcome(_ prepared: PreparedEvent) -> String {
                let event = prepared.event
                switch seen.document.consume(prepared) {
                case .success(let observation): return "\(event.type) \(event.lastEventID) \(observation.changed)"
                case .failure(let error): return "\(event.type) \(event.lastEventID) \(error.reason)"
                }
            }
            switch report {
            case .item(.event(let event)): seen.reports.append(outcome(Document.prepare(event, options: .init())))
            case .prepared(let prepared): seen.reports.append(outcome(prepared))
            case .received, .pieceHandled, .response: break  // as many as the pieces read
            case .finished:
                seen.reports.append("finished")
                finished.fulfill()
            default: seen.reports.append("\(report)")
            }
        }
        connection.start()
        wait(for: [finished], timeout: 30)
        return consumer.sync { seen.reports + [JSONWriter.string(seen.document.current ?? .null)] }
    }

    func testEventsParsedAheadArriveInOrderWithEverythingElse() throws {
        var stream = "retry: 1500\n\nevent: data\nid: 0\ndata: {\"list\":[],\"n\":0}\n\n"
        for index in 1...2_000 {
            stream += "event: patch\nid: \(index)\ndata: [{\"op\":\"add\",\"path\":\"/list/-\",\"value\":\(index)},"
                + "{\"op\":\"replace\",\"path\":\"/n\",\"value\":\(index)}]\n\n"
            if index == 700 { stream += "event: patch\nid: bad\ndata: [{\"op\":\"remove\",\"path\":\"/nope\"}]\n\n" }
            if index == 900 { stream += "event: data\nid: again\ndata: {\"list\":[0],\"n\":0}\n\n: comment\n\n" }
        }
        let inPlace = try reports(of: stream, parsedAhead: false)
        let ahead = try reports(of: stream, parsedAhead: true)
        XCTAssertEqual(ahead, inPlace)
        let others = ahead.filter { !$0.hasPrefix("patch ") && !$0.hasPrefix("data ") }
        XCTAssertEqual(ahead.count - others.count, 2_003, "every event")
        XCTAssertEqual(
            others.map { String($0.prefix(8)) },
            ["connecti", "open(sta", "item(Str", "bytes(St", "closed(r", "finished", "{\"list\":"],
            "everything else in its place: \(others)")
        XCTAssertTrue(ahead.contains { $0.hasPrefix("patch bad patch failed") }, "\(ahead.prefix(3))")
    }
}
