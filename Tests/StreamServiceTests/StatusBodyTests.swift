import StreamCore
import StreamEngine
import StreamService
import XCTest

/// The cached `/v1/streams` text and the stream-by-stream `/v1/events` patch give exactly the
/// bytes of the whole body written at once and of the diff of two whole bodies.
final class StatusBodyTests: XCTestCase {
    private let start = Moment(nanoseconds: 1_000 * 1_000_000_000)
    private var body: StatusBody!

    override func setUp() {
        body = StatusBody(time: ManualTimeSource(start: start + .seconds(30)), wall: SystemWallClock())
    }

    /// A stream's snapshot after `events` events a second apart, taken `10 × events` seconds in:
    /// snapshots with other counts are further apart than `StatusCache.measuredBeat`, so each
    /// STATUS is its snapshot's own (the beat is `StatusCacheTests`').
    private func snapshot(
        _ id: String, name: String? = nil, mode: StreamSpec.Mode = .sse, group: String? = nil,
        state: StreamState = .open, lastError: String? = nil, events: Int = 3, version: Int? = nil
    ) -> StreamSnapshot {
        var metrics = StreamMetrics(start: start)
        for index in 0..<events {
            let moment = start + .seconds(index)
            metrics.recordWire(bytes: 120 + 7 * index, at: moment)
            metrics.record(
                Observation(
                    kind: index == 0 ? .snapshot : .patch, payloadBytes: 90 + 5 * index, operations: 2,
                    changed: index % 2 == 0, document: nil),
                at: moment)
        }
        return StreamSnapshot(
            id: id, name: name ?? "Stream \(id)", url: "http://127.0.0.1:1/sse/\(id)", mode: mode, group: group,
            status: StreamStatus(state: state, since: start, lastError: lastError),
            metrics: metrics.snapshot(at: start + .seconds(10 * events)), version: version ?? events)
    }

    /// Streams of every kind: a group of a streamed and a polled stream (so `groups` has a
    /// member), a failed one, names that need escaping.
    private func streams() -> [StreamSnapshot] {
        [
            snapshot("a", name: "Quotes \"live\" 株式", group: "g"),
            snapshot("b", mode: .poll, group: "g", events: 5),
            snapshot("c", state: .failed(nextAttempt: start + .seconds(9), attempt: 2), lastError: "HTTP 500\nagain"),
            snapshot("d", state: .stopped, events: 0),
            snapshot("e", name: "Zoe\u{0308}", events: 2),
        ]
    }

    private func written(_ version: Int, _ snapshots: [StreamSnapshot], _ disk: DiskStatus?) -> [UInt8] {
        JSONWriter.data(body.streams(version: version, snapshots: snapshots, disk: disk))
    }

    /// Equal texts; otherwise a failure that shows where they part.
    private func assertSameText(
        _ a: [UInt8], _ b: [UInt8], _ what: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        guard a != b else { return }
        let at = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        func around(_ text: [UInt8]) -> String {
            String(decoding: text[max(0, at - 60)..<min(text.count, at + 60)], as: UTF8.self)
        }
        XCTFail("\(what): differs at byte \(at) of \(a.count) and \(b.count): \(around(a)) | \(around(b))",
                file: file, line: line)
    }

    func testTheListIsTheWholeBodyWrittenAtOnce() {
        var snapshots = streams()
        let disk = DiskStatus(budget: 1 << 30, used: 12_345)
        assertSameText(body.data(version: 7, snapshots: snapshots, disk: disk), written(7, snapshots, disk), "first")
        // Two streams published: their text is new, the others' kept.
        snapshots[0] = snapshot("a", name: "Quotes \"live\" 株式", group: "g", events: 4)
        snapshots[2] = snapshot("c", state: .open, events: 6)
        assertSameText(body.data(version: 8, snapshots: snapshots, disk: nil), written(8, snapshots, nil), "two moved")
        // Edited: its runner starts again, at the same version and time (a manual clock), with
        // another name, different only in its scalars (U+00EB against e + U+0308).
        snapshots[4] = snapshot("e", name: "Zo\u{00EB}", events: 2)
        XCTAssertEqual(snapshots[4].version, 2)
        assertSameText(body.data(version: 9, snapshots: snapshots, disk: disk), written(9, snapshots, disk), "edited")
        // One removed, one added.
        snapshots.remove(at: 1)
        snapshots.append(snapshot("f", events: 1))
        let swapped = body.data(version: 10, snapshots: snapshots, disk: disk)
        assertSameText(swapped, written(10, snapshots, disk), "swapped")
        assertSameText(body.data(version: 11, snapshots: [], disk: nil), written(11, [], nil), "none")
    }

    func testEventPatchesAreTheDiffOfTheWholeBodies() throws {
        var snapshots = streams()
        var disk: DiskStatus? = nil
        var parts = body.parts(version: 1, snapshots: snapshots, disk: disk, reusing: nil)
        var version = 1
        func step(_ what: String, reuse: Bool = true, file: StaticString = #filePath, line: UInt = #line) throws {
            version += 1
            let next = body.parts(version: version, snapshots: snapshots, disk: disk, reusing: reuse ? parts : nil)
            let whole = written(version, snapshots, disk)
            assertSameText(JSONWriter.data(next.json), whole, "\(what): the body", file: file, line: line)
            assertSameText(body.data(next), whole, "\(what): its text", file: file, line: line)
            let diff = JSONDiff.diff(from: parts.json, to: next.json)
            let patch = StatusParts.patch(from: parts, to: next)
            assertSameText(patch, JSONWriter.data(diff.json), "\(what): the patch", file: file, line: line)
            // Written in place as `/v1/events` sends it, whatever room was reserved.
            for capacity in [0, patch.count + 64] {
                let frame = StatusParts.patchFrame(
                    from: parts, to: next, event: "patch", id: version, reservingCapacity: capacity)
                assertSameText(
                    frame, SSEFrame.event("patch", id: String(version), data: patch), "\(what): the frame",
                    file: file, line: line)
            }
            XCTAssertEqual(
                try parts.json.applying(try JSONPatch(text: String(decoding: patch, as: UTF8.self))), next.json,
                "\(what): applied", file: file, line: line)
            parts = next
        }
        snapshots[0] = snapshot("a", name: "Quotes \"live\" 株式", group: "g", events: 4)
        snapshots[3] = snapshot("d", state: .connecting(attempt: 1), events: 0, version: 1)
        try step("two streams published")
        try step("nothing published")
        snapshots[1] = snapshot("b", mode: .poll, group: "g", events: 9)  // the group's savings move
        try step("a group's stream published")
        disk = DiskStatus(budget: 1 << 30, used: 99)
        try step("the disk appears")
        disk?.used = 100
        snapshots[2] = snapshot("c", state: .open, events: 6)
        try step("the disk and a stream")
        snapshots[4] = snapshot("e", name: "Zo\u{00EB}", events: 2)
        try step("edited, at the same version")
        snapshots.insert(snapshot("bb", events: 2), at: 2)
        try step("a stream added")
        snapshots.remove(at: 0)
        snapshots[0] = snapshot("b", mode: .poll, group: "g", events: 10)
        try step("a stream removed, another published")
        snapshots[1] = snapshot("bb", events: 3)
        try step("built without the last body", reuse: false)
        disk = nil
        try step("the disk goes")
    }
}
