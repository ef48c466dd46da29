import Dispatch
@testable import StreamCore
@testable import StreamEngine
@testable import StreamUI
import Synchronization
import TestSupport
import XCTest

/// `OnDemandFetch`, the one way the monitor gets what is not in a snapshot: what arrived last
/// at once, the fetch on its own queue, one in flight per stream, a value for a stream no longer
/// shown dropped, a failed fetch keeping what was shown.
final class OnDemandFetchTests: XCTestCase {
    /// Fetches that wait for the test to let each of them finish, and the streams they were for.
    final class Gate: Sendable {
        let opened = DispatchSemaphore(value: 0)
        let calls = Mutex<[String]>([])
    }

    func revision(_ version: Int) -> StreamRevision {
        StreamRevision(version: version, at: Moment(nanoseconds: 0))
    }

    func moment(_ seconds: Int64) -> Moment { Moment(nanoseconds: seconds * 1_000_000_000) }

    func testWhatArrivedLastAtOnceAndTheFetchOnItsOwnQueue() {
        let fetch = OnDemandFetch<String>(label: "test", interval: .seconds(1))
        let gate = Gate()
        func ask(version: Int, at seconds: Int64, answer: String) -> String? {
            fetch.update(id: "a", revision: revision(version), now: moment(seconds)) { id in
                gate.calls.withLock { $0.append(id) }
                gate.opened.wait()
                return answer
            }.value.value
        }
        XCTAssertNil(ask(version: 1, at: 0, answer: "first"), "nothing arrived: loading at once, the fetch waits")
        XCTAssertNil(ask(version: 2, at: 5, answer: "second"), "one fetch in flight at a time")
        gate.opened.signal()
        waitUntil("the first value to arrive") { fetch.ended == 1 }
        XCTAssertEqual(gate.calls.withLock { $0 }, ["a"])
        XCTAssertEqual(ask(version: 1, at: 5, answer: "unused"), "first", "the stream did not publish: no fetch")
        XCTAssertEqual(ask(version: 2, at: 0, answer: "unused"), "first", "published, but within the interval")
        XCTAssertFalse(fetch.isFetching)
        XCTAssertEqual(ask(version: 2, at: 6, answer: "second"), "first", "published and due: fetched, the old shown")
        gate.opened.signal()
        waitUntil("the second value to arrive") { fetch.ended == 2 }
        XCTAssertEqual(ask(version: 2, at: 6, answer: "unused"), "second")
        XCTAssertEqual(gate.calls.withLock { $0 }, ["a", "a"])
    }

    /// The engine did not answer: what was shown stays, and a later refresh asks again.
    func testAFailedFetchKeepsWhatWasShown() {
        struct Unreachable: Error {}
        let fetch = OnDemandFetch<String>(label: "test", interval: .seconds(1))
        func ask(_ answer: String?, version: Int, at seconds: Int64) -> String? {
            fetch.update(id: "a", revision: revision(version), now: moment(seconds)) { _ in
                guard let answer else { throw Unreachable() }
                return answer
            }.value.value
        }
        _ = ask("kept", version: 1, at: 0)
        waitUntil("the value to arrive") { fetch.ended == 1 }
        XCTAssertEqual(ask(nil, version: 2, at: 2), "kept")
        waitUntil("the failed fetch to end") { fetch.ended == 2 }
        XCTAssertEqual(ask(nil, version: 2, at: 2), "kept", "and no second fetch within the interval")
        XCTAssertEqual(fetch.ended, 2)
        XCTAssertEqual(ask("again", version: 2, at: 4), "kept", "asked again once the interval passed")
        waitUntil("the new value to arrive") { fetch.ended == 3 }
        XCTAssertEqual(ask(nil, version: 2, at: 4), "again")
    }

    /// The person moves from a to b to c while a's fetch is held: a's value arrives and is
    /// dropped, b's fetch (queued behind it) is skipped, and c's is what is shown.
    func testAValueForAStreamNoLongerShownIsDropped() {
        let fetch = OnDemandFetch<String>(label: "test", interval: .zero)
        let gate = Gate()
        func show(_ id: String?) -> (value: Fetched<String>, moved: Bool) {
            fetch.update(id: id, revision: revision(1), now: moment(0)) { id in
                gate.calls.withLock { $0.append(id) }
                gate.opened.wait()
                return "value of \(id)"
            }
        }
        XCTAssertNil(show("a").value.value)
        waitUntil("a's fetch to start") { gate.calls.withLock { $0 } == ["a"] }
        XCTAssertNil(show("b").value.value)
        let shown = show("c")
        XCTAssertNil(shown.value.value, "not a's value")
        XCTAssertTrue(show("c").moved == false && shown.moved, "moving on moves what is shown (to loading)")
        gate.opened.signal()
        waitUntil("c's fetch to start") { gate.calls.withLock { $0 } == ["a", "c"] }
        XCTAssertNil(show("c").value.value, "a's value was dropped")
        gate.opened.signal()
        waitUntil("c's value to arrive") { show("c").value.value != nil }
        XCTAssertEqual(show("c").value.value, "value of c")
        XCTAssertEqual(fetch.ended, 3, "a's fetched and dropped, b's skipped, c's kept")
        XCTAssertEqual(gate.calls.withLock { $0 }, ["a", "c"])
        XCTAssertNil(show(nil).value.value, "nothing shown: nothing kept")
    }

    /// What the fetches go by moves with every publication, also an edited stream's new
    /// runner's, whose versions count from 1 again.
    func testTheRevisionMovesWithEveryPublication() {
        func snapshot(version: Int, at seconds: Int64) -> StreamSnapshot {
            let at = moment(seconds)
            return StreamSnapshot(
                id: "a", name: "A", url: "http://127.0.0.1:1/x", mode: .sse, group: nil,
                status: StreamStatus(state: .idle, since: at), metrics: MetricsSnapshot(nothingAt: at),
                version: version)
        }
        let first = StreamRevision(snapshot(version: 1, at: 10))
        XCTAssertEqual(StreamRevision(snapshot(version: 1, at: 10)), first)
        XCTAssertNotEqual(StreamRevision(snapshot(version: 2, at: 10)), first)
        XCTAssertNotEqual(StreamRevision(snapshot(version: 1, at: 20)), first, "a new runner's first publication")
    }
}
