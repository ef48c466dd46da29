import Foundation
import TestSupport
import XCTest
@testable import LocalServer
@testable import StreamCore
@testable import StreamEngine

/// A server sending JSON that would take far more memory than its size (a small gzip body
/// that decodes to `[[0],[0],…]`): a document is a tree, which takes at most 4× its text, so
/// such a body is taken up to the 64 MiB a document may take; past that, the poll fails with
/// an error that names the limit, and every other stream carries on.
final class HostileBodyTests: XCTestCase {
    func testAPollOfTinyContainersIsRefusedAndOtherStreamsCarryOn() throws {
        let weather = LocalServer.APIConfiguration(name: "weather", kind: "weather", period: .milliseconds(50))
        let server = try LocalServer(configuration: .init(apis: [weather]))
        defer { server.stop() }
        func poller(_ id: String, bytes: Int) -> StreamSpec {
            let url = server.baseURL + "/hostile/arrays1?bytes=\(bytes)"
            return StreamSpec(id: id, name: id, url: url, mode: .poll, interval: 1, autostart: true)
        }
        let specs = [
            poller("hostile", bytes: 16 << 20 - 1_000),
            poller("taken", bytes: 4 << 20),
            // The same shape, small enough to be taken (every document may take 1 MiB).
            poller("small", bytes: 40_000),
            // Past the limit on a body (the was 63 MiB in 64 KB of gzip).
            poller("huge", bytes: 17 << 20),
            StreamSpec(id: "weather", name: "Weather", url: server.baseURL + "/sse/weather", autostart: true),
        ]
        let engine = try Engine(specs: specs, stateDirectory: nil)
        defer { engine.shutdown() }
        engine.startAutostart()
        var seen: [String: StreamSnapshot] = [:]
        waitUntil("the hostile polls failed, the small one succeeded, the stream has events") {
            seen = Dictionary(uniqueKeysWithValues: engine.store.latest().snapshots.map { ($0.id, $0) })
            return seen["hostile"]?.status.lastError != nil && seen["huge"]?.status.lastError != nil
                && (seen["small"]?.metrics.polls ?? 0) >= 1 && (seen["taken"]?.metrics.polls ?? 0) >= 1
                && (seen["weather"]?.metrics.patches ?? 0) >= 2
        }
        let hostile = try XCTUnwrap(seen["hostile"])
        XCTAssertEqual(hostile.status.lastError, "body refused: the document would take more than 64.0 MiB in memory "
                       + "(the most any document is allowed; its text is 16.0 MiB): too many small values")
        if case .failed = hostile.status.state {} else { XCTFail("\(hostile.status.state)") }
        XCTAssertLessThan(hostile.metrics.wireBytes, 256 << 10, "16 MiB of body came compressed")
        XCTAssertNil(seen["taken"]?.status.lastError, "4 MiB of [[0],…] is a tree of 16 MiB")
        XCTAssertNil(engine.document(id: "hostile"))
        XCTAssertEqual(seen["huge"]?.status.lastError, "body larger than the limit of 16777216 bytes")
        XCTAssertNil(seen["small"]?.status.lastError)
        XCTAssertEqual(engine.document(id: "small")?.arrayValue?.count, 9_999)
        XCTAssertEqual(seen["weather"]?.status.state, .open)
        XCTAssertNil(seen["weather"]?.status.lastError)
    }
}
