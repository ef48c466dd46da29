import Foundation
import XCTest
import CCurl
@testable import LocalServer
@testable import StreamCore
@testable import StreamEngine

/// The libcurl loop against a real HTTP server on loopback (LocalServer), never a mock.
final class CurlLoopTests: XCTestCase {
    var server: LocalServer!
    var loop: CurlLoop!

    override func setUpWithError() throws {
        server = try LocalServer(configuration: .init(retryMilliseconds: 500))
        loop = try CurlLoop()
    }

    override func tearDownWithError() throws {
        loop.shutdown()
        server.stop()
    }

    /// Collects what a transfer reports, from the engine thread.
    final class Recorder: @unchecked Sendable {  // guarded by `lock`
        let lock = NSLock()
        var response: HTTPTransfer.Response?
        var body: [UInt8] = []
        var outcome: HTTPTransfer.Outcome?
        var counts = HTTPTransfer.Counts()
        let completed: XCTestExpectation
        var dataArrived: XCTestExpectation?
        var dataPredicate: ((String) -> Bool)?

        init(_ test: XCTestCase) { completed = test.expectation(description: "completed") }

        func attach(to transfer: HTTPTransfer) {
            transfer.onResponse = { response in self.lock.withLock { self.response = response } }
            transfer.onData = { bytes in
                self.lock.withLock {
                    self.body.append(contentsOf: bytes)
                    if let predicate = self.dataPredicate, predicate(String(decoding: self.body, as: UTF8.self)) {
                        self.dataPredicate = nil
                        self.dataArrived?.fulfill()
                    }
                }
                return .accept
            }
            transfer.onComplete = { outcome, response, counts in
                self.lock.withLock {
                    self.outcome = outcome
                    self.counts = counts
                    if self.response == nil { self.response = response }
                }
                self.completed.fulfill()
            }
        }

        var text: String { lock.withLock { String(decoding: body, as: UTF8.self) } }
    }

    func get(_ path: String, configure: (inout HTTPTransfer.Request) -> Void = { _ in }) -> (HTTPTransfer, Recorder) {
        var request = HTTPTransfer.Request(url: server.baseURL + path)
        configure(&request)
        let transfer = HTTPTransfer(request)
        let recorder = Recorder(self)
        recorder.attach(to: transfer)
        return (transfer, recorder)
    }

    func testPollCompletesWithStatusBodyAndByteCounts() throws {
        let (transfer, recorder) = get("/poll/quotes")
        loop.start(transfer)
        wait(for: [recorder.completed], timeout: 10)
        XCTAssertEqual(recorder.outcome, .completed)
        XCTAssertEqual(recorder.response, .init(status: 200, contentType: "application/json"))
        let document = try JSONParser.parse(recorder.body)
        XCTAssertEqual(document["version"], 1)
        XCTAssertEqual(recorder.counts.payloadBytes, Int64(recorder.body.count))
        XCTAssertGreaterThan(recorder.counts.wireBytes, recorder.counts.payloadBytes, "headers count on the wire")
    }

    func testGzipIsOfferedAndDecodedWhileWireBytesCountTheEncodedBody() throws {
        let (transfer, recorder) = get("/poll/weather")
        loop.start(transfer)
        wait(for: [recorder.completed], timeout: 10)
        XCTAssertEqual(try JSONParser.parse(recorder.body)["station"], "demo-airport")
        // Stored-block gzip is a little larger than its content: the wire count saw the encoded form.
        XCTAssertGreaterThan(recorder.counts.wireBytes - recorder.counts.payloadBytes, 18)
    }

    func testEventStreamDeliversEventsUntilCancelled() throws {
        let (transfer, recorder) = get("/sse/quotes") { $0.freshConnection = true; $0.headers = [("Accept", "text/event-stream")] }
        recorder.dataArrived = expectation(description: "snapshot")
        recorder.dataPredicate = { $0.contains("event: data") && $0.hasSuffix("\n\n") }
        loop.start(transfer)
        wait(for: [recorder.dataArrived!], timeout: 10)
        XCTAssertEqual(recorder.response?.contentType, "text/event-stream")
        XCTAssertTrue(recorder.text.hasPrefix("retry: 500\n\nevent: data\nid: "))
        loop.cancel(transfer)
        wait(for: [recorder.completed], timeout: 10)
        XCTAssertEqual(recorder.outcome, .failed("cancelled"))
    }

    func testErrorsAreClear() throws {
        let (missing, missingRecorder) = get("/nope")
        loop.start(missing)
        let (loopy, loopRecorder) = get("/redirect-loop")
        loop.start(loopy)
        let (moved, movedRecorder) = get("/redirect/poll/quotes")
        loop.start(moved)
        wait(for: [missingRecorder.completed, loopRecorder.completed, movedRecorder.completed], timeout: 10)
        XCTAssertEqual(missingRecorder.outcome, .completed)
        XCTAssertEqual(missingRecorder.response?.status, 404)
        XCTAssertEqual(loopRecorder.outcome, .failed("too many redirects (more than the limit of 10)"))
        XCTAssertEqual(movedRecorder.response?.status, 200, "redirects are followed")

        let port = server.port
        server.stop()
        let (refused, refusedRecorder) = { () -> (HTTPTransfer, Recorder) in
            let transfer = HTTPTransfer(.init(url: "http://127.0.0.1:\(port)/poll/quotes"))
            let recorder = Recorder(self)
            recorder.attach(to: transfer)
            return (transfer, recorder)
        }()
        loop.start(refused)
        wait(for: [refusedRecorder.completed], timeout: 10)
        XCTAssertEqual(refusedRecorder.outcome, .failed("connection refused"))
    }

    /// A server's endless or giant headers end the transfer with words for people, not
    /// libcurl's "Out of memory", and are never kept whole.
    func testOversizedResponseHeadersAreSaidSo() {
        let (line, lineRecorder) = get("/big-header?bytes=204800")
        loop.start(line)
        let (many, manyRecorder) = get("/big-header?bytes=1000&lines=400")
        loop.start(many)
        wait(for: [lineRecorder.completed, manyRecorder.completed], timeout: 20)
        XCTAssertEqual(lineRecorder.outcome, .failed("response header too large (a line over 100 KiB)"))
        XCTAssertEqual(manyRecorder.outcome, .failed("response headers too large (over 256 KiB in all)"))
        XCTAssertNil(manyRecorder.response, "no response is reported")
    }

    /// libcurl's failures reach people through the engine's words, not libcurl's.
    func testAServerThatHangsUpIsSaidSo() {
        let (transfer, recorder) = get("/hang-up")
        loop.start(transfer)
        wait(for: [recorder.completed], timeout: 20)
        XCTAssertEqual(recorder.outcome, .failed("the server closed the connection without answering"))
    }

    func testManyStreamsAtOnce() throws {
        var recorders: [Recorder] = []
        var transfers: [HTTPTransfer] = []
        var arrivals: [XCTestExpectation] = []
        for _ in 0..<200 {
            let (transfer, recorder) = get("/sse/weather") { $0.freshConnection = true }
            recorder.dataArrived = expectation(description: "snapshot")
            recorder.dataPredicate = { $0.contains("event: data") && $0.hasSuffix("\n\n") }
            arrivals.append(recorder.dataArrived!)
            recorders.append(recorder)
            transfers.append(transfer)
            loop.start(transfer)
        }
        wait(for: arrivals, timeout: 30)
        XCTAssertEqual(server.connectionCount(), 200)
        for transfer in transfers { loop.cancel(transfer) }
        wait(for: recorders.map(\.completed), timeout: 30)
    }

    func testTransfersStartedAfterShutdownFailAtOnce() {
        loop.shutdown()
        let (transfer, recorder) = get("/poll/quotes")
        loop.start(transfer)
        wait(for: [recorder.completed], timeout: 10)
        XCTAssertEqual(recorder.outcome, .failed("the engine stopped"))
        loop.shutdown()  // idempotent
    }

    /// What the engine counts on the wire is exactly what the server wrote: status line and
    /// headers included, the body as sent (gzip-encoded or not).
    func testWireBytesEqualWhatTheServerSent() throws {
        for (path, gzip) in [("/poll/quotes", false), ("/poll/weather", true), ("/redirect/poll/quotes", false)] {
            let before = server.bytesSent()
            let (transfer, recorder) = get(path) { $0.acceptEncoding = gzip }
            loop.start(transfer)
            wait(for: [recorder.completed], timeout: 10)
            // A redirect's first response is part of what crossed the wire too.
            XCTAssertEqual(recorder.counts.wireBytes, Int64(server.bytesSent() - before), path)
        }
    }
}

/// What a person is told about open files and failed connections.
final class OpenFileLimitTests: XCTestCase {
    func testTheWarningSaysHowManyFilesTheStreamsNeed() {
        XCTAssertEqual(OpenFileLimit.needed(streams: 300), 964)
        XCTAssertNil(OpenFileLimit.warning(streams: 300, limit: 1_024))
        XCTAssertEqual(OpenFileLimit.warning(streams: 400, limit: 1_024),
                       "the open-file limit (1024) is too low for 400 streams, which need about 1264: raise it (ulimit -n, or LimitNOFILE= in a systemd unit) or run fewer streams")
    }

    /// Raising takes the soft limit up to the hard one (at most the cap), and never down.
    func testRaisingNeverLowersTheLimit() throws {
        var original = rlimit()
        XCTAssertEqual(getrlimit(OpenFileLimit.resource, &original), 0)
        defer { _ = setrlimit(OpenFileLimit.resource, &original) }
        let hard = Int(clamping: original.rlim_max)
        try XCTSkipIf(hard < 512, "the hard limit (\(hard)) leaves no room to lower and raise")
        var lowered = original
        lowered.rlim_cur = 256
        XCTAssertEqual(setrlimit(OpenFileLimit.resource, &lowered), 0)
        XCTAssertEqual(OpenFileLimit.current, 256)
        XCTAssertEqual(OpenFileLimit.raise(cap: 400), 400, "up to the cap")
        XCTAssertEqual(OpenFileLimit.raise(cap: 300), 400, "a smaller cap never lowers it")
        XCTAssertEqual(OpenFileLimit.raise(), min(hard, 1 << 20), "up to the hard limit")
    }

    func testFailedConnectionsAreToldApartByTheSystemsError() {
        XCTAssertEqual(CurlLoop.describe(CURLE_COULDNT_CONNECT, systemError: ECONNREFUSED), "connection refused")
        XCTAssertEqual(CurlLoop.describe(CURLE_COULDNT_CONNECT, systemError: EMFILE), "cannot open a connection: too many open files (raise the open-file limit, ulimit -n)")
        XCTAssertEqual(CurlLoop.describe(CURLE_COULDNT_CONNECT, systemError: ENFILE), "cannot open a connection: too many open files (raise the open-file limit, ulimit -n)")
        XCTAssertEqual(CurlLoop.describe(CURLE_COULDNT_CONNECT, systemError: EHOSTUNREACH), "host unreachable")
        XCTAssertEqual(TransferFailure.tooManyRedirects(limit: 10).message, "too many redirects (more than the limit of 10)")
        XCTAssertEqual(CurlLoop.describe(CURLE_RECV_ERROR, systemError: ECONNRESET), "the server reset the connection")
        XCTAssertEqual(CurlLoop.describe(CURLE_PARTIAL_FILE),
                       "the server closed the connection before the end of the body")
        XCTAssertEqual(CurlLoop.describe(CURLE_WEIRD_SERVER_REPLY), "the server's answer is not HTTP")
        XCTAssertFalse(CurlLoop.outOfFileDescriptors())
    }
}
