import Dispatch
import Foundation
import TestSupport
import XCTest
@testable import LocalServer
@testable import StreamCore
@testable import StreamEngine

/// Nothing outlives its use: a transfer is freed when it ends, a connection or poller when it
/// has finished, a removed stream's runner with them. A poller at 1 s or a stream that
/// reconnects every few seconds makes thousands of transfers a day; one kept per transfer is a
/// leak that grows for as long as the engine runs.
final class LifetimeTests: XCTestCase {
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

    /// Holds a weak reference; `waitUntilFreed` waits for the object's last owner, which may be
    /// a block still queued on another thread, to let go.
    final class Watched<Object: AnyObject>: @unchecked Sendable {  // guarded by lock
        private let lock = NSLock()
        private weak var object: Object?

        init(_ object: Object) { self.object = object }

        var isFreed: Bool { lock.withLock { object == nil } }

        func waitUntilFreed(_ what: String, file: StaticString = #filePath, line: UInt = #line) {
            waitUntil("\(what) to be freed", file: file, line: line) { isFreed }
        }
    }

    /// A transfer whose handlers capture the transfer itself, as the connections' do.
    func selfCapturingTransfer(_ url: String, completed: XCTestExpectation) -> HTTPTransfer {
        let transfer = HTTPTransfer(.init(url: url))
        transfer.onResponse = { _ in _ = transfer.responseHeaders }
        transfer.onData = { _ in _ = transfer.wireBytesSoFar; return .accept }
        transfer.onComplete = { _, _, _ in _ = transfer.counts; completed.fulfill() }
        return transfer
    }

    func testTransfersAreFreedHoweverTheyEnd() throws {
        let refused = try LocalServer(configuration: .init(apis: []))
        let closedPort = refused.port
        refused.stop()
        let cases: [(String, String, Bool)] = [
            ("completed", server.baseURL + "/poll/quotes", false),
            ("failed", "http://127.0.0.1:\(closedPort)/", false),
            ("cancelled", server.baseURL + "/sse/quotes", true),
        ]
        for (name, url, cancel) in cases {
            let completed = expectation(description: name)
            var transfer: HTTPTransfer? = selfCapturingTransfer(url, completed: completed)
            let watched = Watched(transfer!)
            loop.start(transfer!)
            if cancel { loop.cancel(transfer!) }
            transfer = nil
            wait(for: [completed], timeout: 10)
            watched.waitUntilFreed("a \(name) transfer")
        }
        loop.shutdown()
        let completed = expectation(description: "after shutdown")
        var late: HTTPTransfer? = selfCapturingTransfer(server.baseURL + "/poll/quotes", completed: completed)
        let watched = Watched(late!)
        loop.start(late!)
        late = nil
        wait(for: [completed], timeout: 10)
        watched.waitUntilFreed("a transfer started after shutdown")
    }

    func testAConnectionThatReconnectedIsFreedWithItsTransfersOnceFinished() {
        let options = SSEConnection.Options(url: server.baseURL + "/sse/quotes?fault=drop")
        let finished = expectation(description: "finished")
        let reconnected = expectation(description: "three connections")
        let opened = ManagedAtomicCounter()
        var connection: SSEConnection? = SSEConnection(options: options, loop: loop, queue: DispatchQueue(label: "lifetime-sse")) { report in
            switch report {
            case .open: if opened.increment() == 3 { reconnected.fulfill() }
            case .finished: finished.fulfill()
            default: break
            }
        }
        let watched = Watched(connection!)
        connection!.start()
        wait(for: [reconnected], timeout: 20)
        connection!.stop()
        connection = nil
        wait(for: [finished], timeout: 10)
        watched.waitUntilFreed("a finished SSE connection")
    }

    func testAPollerIsFreedOnceFinished() {
        var options = PollConnection.Options(url: server.baseURL + "/poll/quotes")
        options.interval = .milliseconds(20)
        let polled = expectation(description: "three polls")
        let finished = expectation(description: "finished")
        let polls = ManagedAtomicCounter()
        var poller: PollConnection? = PollConnection(options: options, loop: loop, queue: DispatchQueue(label: "lifetime-poll")) { report in
            switch report {
            case .poll: if polls.increment() == 3 { polled.fulfill() }
            case .finished: finished.fulfill()
            }
        }
        let watched = Watched(poller!)
        poller!.start()
        wait(for: [polled], timeout: 20)
        poller!.stop()
        poller = nil
        wait(for: [finished], timeout: 10)
        watched.waitUntilFreed("a finished poller")
    }

    func testARemovedStreamsRunnerIsFreed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-lifetime-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let specs = [
            StreamSpec(id: "dropping", name: "dropping", url: server.baseURL + "/sse/quotes?fault=drop", autostart: true),
            StreamSpec(id: "polled", name: "polled", url: server.baseURL + "/poll/quotes", mode: .poll, interval: 1, autostart: true),
        ]
        let engine = try Engine(specs: specs, stateDirectory: directory)
        defer { engine.shutdown() }
        engine.startAutostart()
        func busy(_ snapshots: [StreamSnapshot]) -> Bool {
            let byID = Dictionary(uniqueKeysWithValues: snapshots.map { ($0.id, $0) })
            return (byID["dropping"]?.metrics.reconnects ?? 0) >= 2 && (byID["polled"]?.metrics.polls ?? 0) >= 2
        }
        waitUntil("the streams to reconnect and poll") { busy(engine.store.latest().snapshots) }
        let watched = engine.runners.withLock { runners in specs.map { Watched(runners[$0.id]!) } }
        for spec in specs { try engine.remove(id: spec.id) }
        for (spec, runner) in zip(specs, watched) { runner.waitUntilFreed("removed stream \(spec.id)'s runner") }
    }
}

/// A counter shared with handlers that run on other threads.
final class ManagedAtomicCounter: @unchecked Sendable {  // guarded by lock
    private let lock = NSLock()
    private var value = 0

    /// Adds one and returns the new value.
    func increment() -> Int { lock.withLock { value += 1; return value } }
}
