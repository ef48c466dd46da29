import Dispatch
import Foundation
import Synchronization
import TestSupport
import XCTest
@testable import LocalServer
@testable import StreamCore
@testable import StreamEngine

/// Pollers against LocalServer: one request in flight, and what each poll says a streaming
/// proxy would have sent.
final class PollConnectionTests: XCTestCase {
    var server: LocalServer!
    var loop: CurlLoop!

    override func setUpWithError() throws {
        // A manual clock that never moves: the API never changes, however long a poll takes.
        server = try LocalServer(
            configuration: .init(apis: [.init(name: "status", kind: "status", period: .seconds(3600))]),
            time: ManualTimeSource())
        loop = try CurlLoop()
    }

    override func tearDownWithError() throws {
        loop.shutdown()
        server.stop()
    }

    /// A response slower than the interval: the ticks that find it in flight are skipped and
    /// counted, never sent as more requests. The schedule runs on a manual clock: five
    /// intervals pass with the first request held, exactly.
    func testOneRequestInFlightAndSkippedTicksAreCounted() throws {
        let time = ManualScheduler()
        var options = PollConnection.Options(url: server.baseURL + "/poll/status?fault=hold")
        options.interval = .seconds(1)
        let polled = expectation(description: "poll")
        let result = Mutex<PollConnection.Poll?>(nil)
        let queue = DispatchQueue(label: "test-poller")
        let poller = PollConnection(options: options, loop: loop, queue: queue, time: time) { report in
            guard case .poll(let poll) = report else { return }
            result.withLock { $0 = poll }
            polled.fulfill()
        }
        poller.start()
        queue.sync {}  // started: the first tick is scheduled
        time.runDue()
        waitUntil("the first request") { server.requestCount(path: "/poll/status") == 1 }
        time.advance(by: .seconds(5))
        XCTAssertEqual(server.requestCount(path: "/poll/status"), 1, "one request in flight")
        server.releaseHeldPolls()
        wait(for: [polled], timeout: 30)
        poller.stop()
        let poll = try XCTUnwrap(result.withLock { $0 })
        XCTAssertNil(poll.error)
        XCTAssertEqual(poll.skipped, 5)
    }

    /// A stopped poller lets go of its next tick at once: nothing holds it until the tick's time.
    func testAStoppedPollerIsNotHeldByItsSchedule() throws {
        let time = ManualScheduler()
        var options = PollConnection.Options(url: server.baseURL + "/poll/status")
        options.interval = .seconds(86_400)
        options.initialDelay = .seconds(86_400)
        let finished = expectation(description: "finished")
        let queue = DispatchQueue(label: "test-poller")
        var poller: PollConnection? = PollConnection(options: options, loop: loop, queue: queue, time: time) { report in
            if case .finished = report { finished.fulfill() }
        }
        weak let watched = poller
        poller?.start()
        queue.sync {}
        XCTAssertEqual(time.pendingCount, 1)
        poller?.stop()
        wait(for: [finished], timeout: 30)
        poller = nil
        queue.sync {}
        XCTAssertEqual(time.pendingCount, 0, "the tick was cancelled")
        XCTAssertNil(watched, "freed without waiting a day")
    }

    /// The first body is what a streaming proxy sends first, the snapshot; a 304 or an
    /// unchanged body an empty patch; never nothing.
    func testEachPollSaysWhatAStreamingProxyWouldHaveSent() throws {
        var options = PollConnection.Options(url: server.baseURL + "/poll/status")
        options.interval = .milliseconds(20)
        let polls = Mutex<[PollConnection.Poll]>([])
        let done = expectation(description: "polls")
        let poller = PollConnection(options: options, loop: loop, queue: DispatchQueue(label: "test-poller")) { report in
            guard case .poll(let poll) = report else { return }
            if polls.withLock({ $0.append(poll); return $0.count == 2 }) { done.fulfill() }
        }
        poller.start()
        wait(for: [done], timeout: 20)
        poller.stop()
        let (first, second) = polls.withLock { ($0[0], $0[1]) }
        let document = try XCTUnwrap(first.document?.value)
        XCTAssertEqual(first.patch, JSONPatch([.add(path: .root, value: document)]))
        XCTAssertEqual(first.patchBytes, JSONWriter.data(first.patch.json).count)
        XCTAssertEqual(first.patchBytes, #"[{"op":"add","path":"","value":}]"#.utf8.count + JSONWriter.data(document).count)
        XCTAssertTrue(first.changed)
        XCTAssertEqual(second.status, 304)
        XCTAssertEqual(second.patch, JSONPatch())
        XCTAssertEqual(second.patchBytes, 2)
        XCTAssertFalse(second.changed)
    }

    /// The bodies (status 200) a poller saw, in order.
    final class Bodies: @unchecked Sendable {  // guarded by lock
        private let lock = NSLock()
        private var polls: [PollConnection.Poll] = []

        /// Adds a poll; returns how many bodies there are now.
        func append(_ poll: PollConnection.Poll) -> Int {
            lock.withLock {
                polls.append(poll)
                return polls.count
            }
        }

        var all: [PollConnection.Poll] { lock.withLock { polls } }
    }

    /// JSON equality is exact: a body whose only change is a string's normalization changed.
    func testAChangeOfNormalizationAloneIsAChangeWithAPatch() throws {
        let clock = ManualTimeSource(start: Moment(nanoseconds: 1_000_000_000_000))
        let api = LocalServer.APIConfiguration(name: "name", kind: "spelling", period: .seconds(1))
        let server = try LocalServer(configuration: .init(apis: [api]), time: clock)
        defer { server.stop() }
        let loop = try CurlLoop()
        defer { loop.shutdown() }
        var options = PollConnection.Options(url: server.baseURL + "/poll/name")
        options.interval = .milliseconds(20)
        let bodies = Bodies()
        let first = expectation(description: "the first body")
        let second = expectation(description: "the second body")
        let finished = expectation(description: "finished")
        let queue = DispatchQueue(label: "poll-spelling")
        let poller = PollConnection(options: options, loop: loop, queue: queue) { report in
            if case .finished = report { return finished.fulfill() }
            guard case .poll(let poll) = report, poll.status == 200 else { return }  // 304s until the clock moves
            switch bodies.append(poll) {
            case 1: first.fulfill()
            case 2: second.fulfill()
            default: break
            }
        }
        poller.start()
        wait(for: [first], timeout: 20)
        server.advance(clock, by: .seconds(1))  // "Zoë" composed becomes "Zoë" decomposed, nothing else changes
        wait(for: [second], timeout: 20)
        poller.stop()
        wait(for: [finished], timeout: 10)

        let polls = bodies.all
        let composed: JSONValue = .string("Zo\u{EB}")
        let decomposed: JSONValue = .string("Zoe\u{308}")
        XCTAssertEqual(polls[0].document?.value, ["name": composed])
        XCTAssertEqual(polls[1].document?.value, ["name": decomposed])
        XCTAssertTrue(polls[1].changed)
        XCTAssertEqual(polls[1].patch, JSONPatch([.replace(path: JSONPointer(tokens: ["name"]), value: decomposed)]))
        XCTAssertGreaterThan(polls[1].patchBytes, 0)
    }
}
