import XCTest
@testable import StreamCore
@testable import StreamEngine

/// The store hands every reader the snapshots in the order of ids, whatever order streams
/// were added and removed in, and each id finds its own.
final class SnapshotStoreTests: XCTestCase {
    func snapshot(_ id: String, version: Int) -> StreamSnapshot {
        let at = Moment(nanoseconds: 0)
        return StreamSnapshot(
            id: id, name: id.uppercased(), url: "http://x/\(id)", mode: .sse, group: nil,
            status: StreamStatus(state: .idle, since: at), metrics: MetricsSnapshot(nothingAt: at), version: version)
    }

    func testReadersGetTheOrderOfIdsAfterAddsRemovesAndUpdates() {
        let store = SnapshotStore()
        var expected: [String: Int] = [:]
        var random = SplitMix64(seed: 7)
        for step in 0..<2_000 {
            let id = "s\(Int.random(in: 0..<300, using: &random))"
            if step % 7 == 3 {
                store.remove(id: id)
                expected[id] = nil
            } else {
                store.publish(snapshot(id, version: step))
                expected[id] = step
            }
            if step % 50 == 0 {
                let held = store.latest().snapshots  // a reader holding the array meanwhile
                XCTAssertEqual(held.map(\.id), expected.keys.sorted())
            }
            XCTAssertEqual(store.snapshot(id: id)?.version, expected[id])
        }
        let (version, snapshots) = store.latest()
        XCTAssertEqual(snapshots.map(\.id), expected.keys.sorted())
        XCTAssertEqual(snapshots.map(\.version), expected.keys.sorted().map { expected[$0]! })
        XCTAssertEqual(store.counts().streams, expected.count)
        store.remove(id: "not there")
        XCTAssertEqual(store.latest().version, version, "removing nothing moves nothing")
    }
}
