import XCTest
@testable import StreamCore
@testable import StreamEngine

/// The STATUS the engine serves (status.json, the API): a stream's counters and times move with
/// every publication, its measured numbers (rates, means) at most every `measuredBeat`, or
/// when its state changes.
final class StatusCacheTests: XCTestCase {
    let start = Moment(nanoseconds: 1_000 * 1_000_000_000)
    let wall = WallTime(offset: 1_789_000_000)

    /// The stream after `events` events a second apart, each larger than the last.
    func snapshot(events: Int, state: StreamState = .open) -> StreamSnapshot {
        var metrics = StreamMetrics(start: start)
        metrics.stateChanged(open: true, running: true, at: start)
        for index in 0..<events {
            metrics.record(Observation(
                kind: index == 0 ? .snapshot : .patch, payloadBytes: 100 + 10 * index, operations: 1, changed: true,
                document: nil), at: start + .seconds(Int64(index)))
        }
        return StreamSnapshot(
            id: "quotes", name: "Quotes", url: "http://127.0.0.1:1/q", mode: .sse, group: nil,
            status: StreamStatus(state: state, since: start),
            metrics: metrics.snapshot(at: start + .seconds(Int64(events))), version: events)
    }

    func json(_ text: StatusText) throws -> JSONValue { try JSONParser.parse(text.bytes) }

    func testMeasuredNumbersMoveOnTheirOwnBeat() throws {
        let cache = StatusCache(wall: wall)
        let first = snapshot(events: 3)
        XCTAssertEqual(cache.text(for: first), first.statusText(wall: wall), "the first is the snapshot's own")
        // A second later: new counters and times, the rates and means of a second ago.
        let second = snapshot(events: 4)
        let kept = try json(cache.text(for: second))
        let own = try json(second.statusText(wall: wall))
        XCTAssertEqual(kept["events"], 4)
        XCTAssertEqual(kept["updatedAt"], own["updatedAt"])
        XCTAssertEqual(kept["lastEventAt"], own["lastEventAt"])
        XCTAssertNotEqual(own["patchSizes"]?["mean"], try json(first.statusText(wall: wall))["patchSizes"]?["mean"])
        for key in ["eventsPerSecond", "wireBytesPerSecond", "changesPerHour"] {
            XCTAssertEqual(kept[key], try json(first.statusText(wall: wall))[key], key)
        }
        XCTAssertEqual(kept["patchSizes"]?["mean"], try json(first.statusText(wall: wall))["patchSizes"]?["mean"])
        XCTAssertEqual(kept["patchSizes"]?["count"], own["patchSizes"]?["count"], "a count is not measured")
        // The same snapshot again: the same text.
        XCTAssertEqual(cache.text(for: second), cache.text(for: second))
        // Past the beat, the snapshot's own numbers again.
        let later = snapshot(events: 3 + Int(StatusCache.measuredBeat.seconds))
        XCTAssertEqual(cache.text(for: later), later.statusText(wall: wall))
        // A new state is said with its own numbers at once.
        let broken = snapshot(events: 4 + Int(StatusCache.measuredBeat.seconds), state: .stopped)
        XCTAssertEqual(cache.texts(for: [broken]), [broken.statusText(wall: wall)])
    }
}
