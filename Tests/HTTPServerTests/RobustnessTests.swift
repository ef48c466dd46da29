import Foundation
import StreamCore
import Synchronization
import TestSupport
import XCTest
@testable import HTTPServer

/// What hostile or unlucky clients do to the server: random and truncated bytes, resets in the
/// middle of an answer, many clients at once, and running out of descriptors.
final class RobustnessTests: ServerTestCase {
    /// Pieces of HTTP to build near-misses from, with raw random bytes between them.
    static let vocabulary = [
        "GET ", "POST ", "HEAD ", "/", "/v1/streams", "?a=%20&b", "%", "%zz", " HTTP/1.1", " HTTP/1.0",
        " HTTP/2.0", "\r\n", "\r\n\r\n", "\n", "\r", "Host: t", "Content-Length: ", "Transfer-Encoding: chunked",
        "Expect: 100-continue", "Connection: close", ":", " ", "0", "5", "ffffffff", ";x", "\r\n0\r\n\r\n", "hello",
    ]

    func randomBytes(_ generator: inout SplitMix64) -> [UInt8] {
        var bytes: [UInt8] = []
        for _ in 0..<Int.random(in: 1...40, using: &generator) {
            if Int.random(in: 0..<4, using: &generator) == 0 {
                let count = Int.random(in: 1...64, using: &generator)
                bytes += (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            } else {
                bytes += Array(Self.vocabulary.randomElement(using: &generator)!.utf8)
            }
        }
        return bytes
    }

    func testSeededRandomAndTruncatedBytesNeverBreakTheServer() throws {
        try start()
        var generator = SplitMix64(seed: 0x5EED_0011)
        let good = Array(
            "POST /good HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n".utf8)
        for round in 0..<300 {
            let client = try TestClient(port: port)
            let bytes: [UInt8]
            switch round % 3 {
            case 0: bytes = randomBytes(&generator)
            case 1: bytes = Array(good.prefix(Int.random(in: 0..<good.count, using: &generator)))  // truncated
            default:
                var mutated = good
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    let index = Int.random(in: 0..<mutated.count, using: &generator)
                    mutated[index] = UInt8.random(in: 0...255, using: &generator)
                }
                bytes = mutated
            }
            // In a few pieces, as a network would deliver them.
            var rest = bytes[...]
            while !rest.isEmpty {
                let count = Int.random(in: 1...max(1, rest.count), using: &generator)
                client.send(Array(rest.prefix(count)))
                rest = rest.dropFirst(count)
            }
            switch Int.random(in: 0..<3, using: &generator) {
            case 0: client.reset()  // RST, maybe while the server answers
            case 1: shutdown(client.fd, Int32(SHUT_WR))  // FIN with the request incomplete
            default: break  // plain close
            }
        }
        let client = try TestClient(port: port)
        client.send(good)
        XCTAssertEqual(client.readResponse()?.text, "POST /good 5")
        XCTAssertEqual(client.request("/again")?.status, 200)
        waitForStatistics("every fuzzed connection is gone and its bytes with it") {
            $0.connections == 1 && $0.bufferedBytes == 0
        }
    }

    func testAHundredConcurrentClientsWithKeptAliveRequests() throws {
        try start()
        let clients = try (0..<100).map { _ in try TestClient(port: port) }
        for round in 0..<5 {
            // Every client's request is in flight at once; then every answer is read.
            for (index, client) in clients.enumerated() { client.get("/c\(index)/r\(round)") }
            for (index, client) in clients.enumerated() {
                XCTAssertEqual(client.readResponse()?.text, "GET /c\(index)/r\(round) 0")
            }
        }
        let statistics = server.statistics()
        XCTAssertEqual(statistics.accepted, 100)
        XCTAssertEqual(statistics.requests, 500)
    }

    func testResetsInTheMiddleOfAnAnswerAreHarmless() throws {
        let big = [UInt8](repeating: 120, count: 8 << 20)
        try start { request, responder in
            if request.path == "/big" {
                responder.respond(HTTPServerResponse(status: 200, body: big))
            } else {
                let stream = responder.stream(status: 200, headers: [])
                DispatchQueue.global().async {
                    // Sends until the client's reset is noticed (EPIPE or ECONNRESET, never SIGPIPE).
                    while stream.send([UInt8](repeating: 46, count: 64 << 10)) {}
                }
            }
        }
        for path in ["/big", "/stream", "/big", "/stream"] {
            let client = try TestClient(port: port)
            client.get(path)
            XCTAssertGreaterThan(client.read(atLeast: 1_000).count, 0)
            client.reset()
        }
        waitForStatistics("the reset connections are gone") { $0.connections == 0 }
        XCTAssertEqual(try TestClient(port: port).request("/big")?.body.count, big.count)
    }

    func testOutOfDescriptorsAcceptingPausesAndResumes() throws {
        try start()
        let clients = (0..<3).map { _ in TestClient(unconnected: ()) }
        var saved = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &saved)
        let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").compactMap { Int32($0) }
        var lowered = saved
        lowered.rlim_cur = rlim_t(open.max()! + 16)
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &lowered)
        var fillers: [Int32] = []
        while true {
            let fd = Glibc.open("/dev/null", O_RDONLY)
            if fd < 0 { break }
            fillers.append(fd)
        }
        for client in clients { XCTAssertTrue(client.connect(port: port)) }  // queued by the kernel
        waitForStatistics("accepting paused") { $0.acceptPaused }
        // Paused, the loop wakes once per query at most; a loop retrying accept would spin
        // through many turns while the test thread waits for each answer.
        let turns = server.statistics().loopTurns
        for _ in 0..<100 { _ = server.statistics() }
        XCTAssertLessThanOrEqual(server.statistics().loopTurns - turns, 101)
        XCTAssertEqual(server.statistics().acceptPauses, 1)

        for fd in fillers { close(fd) }
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &saved)
        scheduler.advance(by: HTTPServer.Limits().acceptBackoff)
        for (index, client) in clients.enumerated() {
            XCTAssertEqual(client.request("/after\(index)")?.status, 200)
        }
        XCTAssertFalse(server.statistics().acceptPaused)
    }

    func testAnswersAfterStopAreDropped() throws {
        let parked = Mutex<[any HTTPResponder]>([])
        try start { _, responder in parked.withLock { $0.append(responder) } }
        let clients = try (0..<2).map { _ in try TestClient(port: port) }
        for client in clients { client.get("/parked") }
        waitUntil("both requests parked") { parked.withLock { $0.count } == 2 }
        server.stop()
        let responders = parked.withLock { $0 }
        responders[0].respond(HTTPServerResponse(status: 200))
        XCTAssertFalse(responders[1].stream(status: 200, headers: []).isOpen)
        parked.withLock { $0 = [] }  // dropped after stop: nothing to answer
        for client in clients { XCTAssertTrue(client.waitForEnd()) }
    }
}
