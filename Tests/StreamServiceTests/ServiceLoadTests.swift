import Foundation
import Synchronization
import HTTPServer
import StreamCore
import StreamEngine
import StreamService
import TestSupport
import XCTest

/// The API under many clients and under clients that stop reading.
final class ServiceLoadTests: XCTestCase {
    /// A client that stops reading `/v1/events` is dropped once its backlog passes the bound;
    /// the server never holds more than that for it, and a reading client carries on.
    func testAClientThatStopsReadingEventsIsDropped() throws {
        var limits = HTTPServer.Limits()
        limits.maxStreamBacklog = 256 << 10
        let fixture = try ServiceFixture(limits: limits)
        defer { fixture.stop() }
        let stalled = try PlainSocketClient(path: fixture.socketPath)
        stalled.get("/v1/events")
        stalled.readEvents(count: 1)  // subscribed; from now on it reads nothing
        let reader = try PlainSocketClient(path: fixture.socketPath)
        reader.get("/v1/events")
        reader.readEvents(count: 1)
        waitUntil("both subscribed") { fixture.service.events.clientCount == 2 }

        let message = String(repeating: "x", count: 8 << 10)
        var published = 0
        var largestBuffer = 0
        while fixture.service.events.clientCount == 2 && published < 4_000 {
            for _ in 0..<10 { fixture.engine.store.publishAlert(stream: "s", message: message, recovered: false) }
            published += 10
            // The reader keeps up; the stalled client does not.
            reader.read { reader.events.filter { $0.type == "alert" }.count >= published }
            largestBuffer = max(largestBuffer, fixture.service.transport.bufferedBytes)
        }
        waitUntil("the stalled client dropped") { fixture.service.events.clientCount == 1 }
        XCTAssertLessThan(published, 4_000, "dropped long before 32 MB of alerts")
        XCTAssertLessThanOrEqual(largestBuffer, 2 * limits.maxStreamBacklog, "bounded by the backlogs")
        fixture.engine.store.publishAlert(stream: "s", message: "after", recovered: true)
        reader.read { reader.events.contains { $0.data.contains("\"after\"") } }
        XCTAssertTrue(reader.events.contains { $0.data.contains("\"after\"") }, "the reader still gets alerts")
    }

    /// 100 clients at once, each asking several times on one kept-alive connection: every
    /// answer complete and right.
    func testAHundredConcurrentClients() throws {
        let fixture = try ServiceFixture(specs: [
            StreamSpec(id: "quotes", name: "Quotes", url: "UPSTREAM/sse/quotes", autostart: true),
        ])
        defer { fixture.stop() }
        fixture.engine.startAutostart()
        let failures = Mutex<[String]>([])
        let socketPath = fixture.socketPath
        DispatchQueue.concurrentPerform(iterations: 100) { index in
            do {
                let client = try PlainSocketClient(path: socketPath)
                for round in 0..<5 {
                    let path = round % 2 == 0 ? "/v1/streams/quotes" : "/v1/health"
                    client.get(path)
                    let body = client.readResponse()
                    guard body.status == 200, (try? JSONParser.parse(body.body)) != nil else {
                        failures.withLock { $0.append("client \(index) round \(round): \(body.status)") }
                        return
                    }
                }
            } catch {
                failures.withLock { $0.append("client \(index): \(error)") }
            }
        }
        XCTAssertEqual(failures.withLock { $0 }, [])
        XCTAssertEqual(try fixture.client.request("GET", "/v1/health").status, 200)
    }
}
