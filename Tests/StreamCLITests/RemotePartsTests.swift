import Foundation
import TestSupport
import XCTest
@testable import StreamCLI
@testable import StreamCore
@testable import StreamEngine
@testable import StreamService
@testable import StreamUI

/// The pieces of an attached monitor that need no engine: rows decoded again only when their
/// STATUS version moved, fetches in the background, and where `--attach` points.
final class RemoteStreamsTests: XCTestCase {
    /// A `/v1/streams` body as the service writes it.
    func body(
        _ streams: [(id: String, name: String, version: Int)], disk: DiskStatus? = nil, at wall: Double = 1_000_000
    ) -> JSONValue {
        let time = ManualTimeSource(start: Moment(nanoseconds: 1_000_000_000_000))
        let snapshots = streams.map { stream in
            StreamSnapshot(
                id: stream.id, name: stream.name, url: "http://127.0.0.1:1/x", mode: .sse, group: nil,
                status: StreamStatus(state: .open, since: time.now() - .seconds(5)),
                metrics: MetricsSnapshot(nothingAt: time.now()), version: stream.version)
        }
        let status = StatusBody(time: time, wall: FixedWall(seconds: wall))
        return status.streams(version: 7, snapshots: snapshots, disk: disk)
    }

    struct FixedWall: WallClock {
        var seconds: Double
        func now() -> UTCTime { UTCTime(secondsSinceEpoch: seconds) }
    }

    func testOnlyStreamsWhoseVersionMovedAreDecodedAgain() {
        var streams = RemoteStreams()
        let wall = WallTime(offset: 999_995)
        XCTAssertTrue(streams.update(from: body([("a", "A", 1), ("b", "B", 1)]), fresh: true, wall: wall))
        XCTAssertEqual(streams.snapshots.map(\.name), ["A", "B"])
        // The same versions: kept as decoded (the new name is not read, which proves it).
        XCTAssertFalse(streams.update(from: body([("a", "A2", 1), ("b", "B2", 1)]), fresh: false, wall: wall))
        XCTAssertEqual(streams.snapshots.map(\.name), ["A", "B"])
        XCTAssertTrue(streams.update(from: body([("a", "A2", 1), ("b", "B2", 2)]), fresh: false, wall: wall))
        XCTAssertEqual(streams.snapshots.map(\.name), ["A", "B2"])
        XCTAssertEqual(streams.version(of: "b"), 2)
        // An edited stream gets a new runner counting from 1 again: the same version, published
        // later, is read again.
        let later = body([("a", "A-edited", 1), ("b", "B9", 2)], at: 1_000_060)
        XCTAssertTrue(streams.update(from: later, fresh: false, wall: wall))
        XCTAssertEqual(streams.snapshots.map(\.name), ["A-edited", "B9"])
        XCTAssertTrue(streams.update(from: body([("a", "A", 1), ("b", "B2", 2)]), fresh: false, wall: wall))
        XCTAssertEqual(streams.snapshots.map(\.name), ["A", "B2"])
        // A stream added in the middle: the others are kept as they were.
        XCTAssertTrue(streams.update(from: body([("a", "A9", 1), ("ab", "AB", 1), ("b", "B9", 2)]), fresh: false,
                                     wall: wall))
        XCTAssertEqual(streams.snapshots.map(\.name), ["A", "AB", "B2"])
        // A fresh snapshot (another engine, versions counted again) decodes everything.
        XCTAssertTrue(streams.update(from: body([("a", "A3", 1)]), fresh: true, wall: wall))
        XCTAssertEqual(streams.snapshots.map(\.name), ["A3"])
        XCTAssertNil(streams.version(of: "b"))
    }

    /// What `/v1/events` sends (bodies in pieces, patches between them as `StatusParts` writes
    /// them), applied to the rows: the same rows, and the same body, as reading each whole body.
    /// Leaves are set where they are; streams added, removed or renamed go through the body.
    func testPatchesOfTheEventsFeedGiveTheRowsOfTheirBody() throws {
        let start = Moment(nanoseconds: 1_000_000_000_000)
        let body = StatusBody(time: ManualTimeSource(start: start), wall: FixedWall(seconds: 1_000_000))
        let wall = WallTime(offset: 999_990)
        func snapshots(_ step: Int) -> [StreamSnapshot] {
            var ids = ["a", "b", "c"]
            if (3...4).contains(step) { ids.insert("bb", at: 2) }
            if step >= 6 { ids.removeFirst() }
            return ids.enumerated().map { index, id in
                let at = start + .seconds(Int64(step))
                var metrics = StreamMetrics(start: start)
                metrics.stateChanged(open: true, running: true, at: start)
                for event in 0...(step * (index + 1)) {
                    metrics.record(Observation(
                        kind: event == 0 ? .snapshot : .patch, payloadBytes: 100 + event * 7 % 13,
                        operations: 2, changed: event % 2 == 0, document: nil),
                        at: start + .milliseconds(Int64(event * 300)))
                }
                var status = StreamStatus(state: .open, since: start)
                if id == "c" && step >= 2 {
                    status = StreamStatus(state: .reconnecting(nextAttempt: at + .seconds(2), attempt: step), since: at)
                    status.lastError = "HTTP 503 (\(step))"
                }
                return StreamSnapshot(
                    id: id, name: step == 5 && id == "b" ? "Bee" : id.uppercased(), url: "http://127.0.0.1:1/\(id)",
                    mode: .sse, group: nil, status: status, metrics: metrics.snapshot(at: at), version: step + 1)
            }
        }
        var streams = RemoteStreams()
        var parts = body.parts(version: 0, snapshots: snapshots(0), disk: nil, reusing: nil)
        XCTAssertTrue(streams.update(from: parts.json, fresh: true, wall: wall))
        for step in 1...7 {
            let disk = step >= 4 ? DiskStatus(budget: 1000, used: 100 * step) : nil
            let next = body.parts(version: step, snapshots: snapshots(step), disk: disk, reusing: parts)
            let text = String(decoding: StatusParts.patch(from: parts, to: next), as: UTF8.self)
            XCTAssertTrue(try streams.apply(JSONPatch(text: text), wall: wall), "step \(step)")
            var whole = RemoteStreams()
            _ = whole.update(from: next.json, fresh: true, wall: wall)
            XCTAssertEqual(streams.snapshots, whole.snapshots, "step \(step)")
            XCTAssertEqual(streams.disk, whole.disk, "step \(step)")
            XCTAssertEqual(streams.body, next.json, "step \(step)")
            parts = next
        }
        // A patch that does not apply changes nothing.
        let before = streams.snapshots
        let bad = try JSONPatch(text: #"[{"op":"replace","path":"/streams/0/wireBytes","value":1},"#
            + #"{"op":"remove","path":"/streams/9"}]"#)
        XCTAssertThrowsError(try streams.apply(bad, wall: wall))
        XCTAssertEqual(streams.snapshots, before)
    }

    func testTheDiskIsRead() throws {
        var streams = RemoteStreams()
        var disk = DiskStatus(budget: 1000, used: 900)
        disk.pruning = true
        disk.keptSince = UTCTime(iso8601: "2026-11-29T09:05:07Z")
        disk.removedFiles = 3
        XCTAssertTrue(streams.update(from: body([], disk: disk), fresh: true, wall: WallTime(offset: 0)))
        XCTAssertEqual(streams.disk, disk)
    }
}

final class AttachTargetTests: XCTestCase {
    func testSocketsDirectoriesAndAddresses() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("st-target-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        XCTAssertEqual(try AttachTarget.endpoint(directory, tokenFile: nil, environment: [:]),
                       .unix(path: directory + "/streamtop.sock"))
        XCTAssertEqual(try AttachTarget.endpoint("/run/st.sock", tokenFile: nil, environment: [:]),
                       .unix(path: "/run/st.sock"))
        let withToken = ["STREAMTOP_TOKEN": "abc"]
        XCTAssertEqual(try AttachTarget.endpoint("http://127.0.0.1:7878", tokenFile: nil, environment: withToken),
                       .tcp(baseURL: "http://127.0.0.1:7878", token: "abc"))
        try Data("from-file\n".utf8).write(to: URL(fileURLWithPath: directory + "/token"))
        XCTAssertEqual(try AttachTarget.endpoint("http://h:1", tokenFile: directory + "/token", environment: withToken),
                       .tcp(baseURL: "http://h:1", token: "from-file"), "the file before the environment")
        XCTAssertThrowsError(try AttachTarget.endpoint("https://h:1", tokenFile: nil, environment: [:])) { error in
            XCTAssertTrue("\(error)".contains("streamtop serves no TLS"), "\(error)")
        }
        XCTAssertThrowsError(try AttachTarget.endpoint("ftp://h:1", tokenFile: nil, environment: [:]))
        let missing = directory + "/none"
        XCTAssertThrowsError(try AttachTarget.endpoint("http://h:1", tokenFile: missing, environment: [:])) { error in
            XCTAssertEqual("\(error)", "--token-file: \(directory)/none does not exist")
        }
    }
}
