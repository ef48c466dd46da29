import StreamCore
import StreamEngine
import StreamService
import TestSupport
import XCTest

/// `/v1/events` with thousands of streams, whose first event (the whole `/v1/streams` body)
/// is larger than the HTTP server's default backlog for a streamed answer.
final class LargeBodyTests: XCTestCase {
    func testTheFirstEventOfFiveThousandStreamsArrivesWhole() throws {
        let specs = (0..<5_000).map {
            StreamSpec(id: "s\($0)", name: "Stream \($0)", url: "UPSTREAM/sse/quotes", autostart: false)
        }
        let fixture = try ServiceFixture(specs: specs)
        defer { fixture.stop() }
        waitUntil("every stream published") { fixture.engine.store.latest().snapshots.count == 5_000 }
        let listed = try XCTUnwrap(fixture.expect(200, "GET", "/v1/streams"))
        XCTAssertGreaterThan(JSONWriter.data(listed).count, 4 << 20, "larger than the default backlog")
        let raw = try PlainSocketClient(path: fixture.socketPath)
        raw.get("/v1/events")
        let events = raw.readEvents(count: 1)
        XCTAssertEqual(events.first?.type, "data", "the stream ended first: \(raw.text.prefix(300))")
        let first = try JSONParser.parse(events.first?.data ?? "")
        XCTAssertEqual(first["streams"]?.arrayValue?.count, 5_000)
    }
}
