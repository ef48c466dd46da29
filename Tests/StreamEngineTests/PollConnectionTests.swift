import Dispatch
import Foundation
import XCTest
@testable import LocalServer
@testable import StreamCore
@testable import StreamEngine

/// A poller against LocalServer, whose APIs move only when the test moves its clock.
final class PollConnectionTests: XCTestCase {
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
        clock.advance(by: .seconds(1))
        server.tick()  // "Zoë" composed becomes "Zoë" decomposed, and nothing else changes
        wait(for: [second], timeout: 20)
        poller.stop()
        wait(for: [finished], timeout: 10)

        let polls = bodies.all
        let composed: JSONValue = .string("Zo\u{EB}")
        let decomposed: JSONValue = .string("Zoe\u{308}")
        XCTAssertEqual(polls[0].document, ["name": composed])
        XCTAssertEqual(polls[1].document, ["name": decomposed])
        XCTAssertTrue(polls[1].changed)
        XCTAssertEqual(polls[1].patch, JSONPatch([.replace(path: JSONPointer(tokens: ["name"]), value: decomposed)]))
        XCTAssertGreaterThan(polls[1].patchBytes, 0)
    }
}
