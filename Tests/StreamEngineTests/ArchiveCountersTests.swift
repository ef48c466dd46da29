import Foundation
import TestSupport
import XCTest
@testable import LocalServer
@testable import StreamCore
@testable import StreamEngine

/// What `streamtop report` reads besides the events: each stream's counters, archived every
/// minute while it runs and when it stops, equal to what the monitor shows; and polls with
/// their sizes. The engine runs on a manual clock: every minute is one the test made.
final class ArchiveCountersTests: XCTestCase {
    var server: LocalServer!
    var directory: String!

    override func setUpWithError() throws {
        server = try LocalServer(configuration: .init(apis: [
            .init(name: "quotes", kind: "quotes", period: .milliseconds(50)),
        ], retryMilliseconds: 50))
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("streamtop-counters-\(UUID().uuidString)").path
    }

    override func tearDownWithError() throws {
        server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    func records(_ stream: String) throws -> [JSONValue] {
        let streamDirectory = "\(directory!)/archive/\(stream)"
        return try FileManager.default.contentsOfDirectory(atPath: streamDirectory).sorted()
            .filter { ArchivePart(name: $0) != nil }
            .flatMap { try JSONLinesReader.readFile(path: "\(streamDirectory)/\($0)").records }
    }

    func testCountersAreArchivedEveryMinuteAndAtStop() throws {
        let time = ManualScheduler()
        let engine = try Engine(specs: [
            StreamSpec(id: "poller", name: "Poller", url: server.baseURL + "/poll/quotes", mode: .poll, interval: 1,
                       group: "quotes", autostart: true),
        ], stateDirectory: directory, time: time)
        defer { engine.shutdown() }
        engine.startAutostart()
        waitUntil("three polls") {
            time.advance(by: .milliseconds(200))
            return (engine.store.snapshot(id: "poller")?.metrics.polls ?? 0) >= 3
        }
        XCTAssertEqual(try records("poller").filter { $0["kind"] == "counters" }.count, 1, "the run's start")
        // The minute's chores run once the minute has passed on the stream's clock.
        let minuteCounters = { try self.records("poller").filter { $0["kind"] == "counters" }.count >= 2 }
        waitUntil("the minute's counters") {
            time.advance(by: .seconds(1))
            return (try? minuteCounters()) ?? false
        }
        XCTAssertNil(engine.stop(id: "poller"))
        waitUntil("the stream to stop") {
            time.advance(by: .milliseconds(100))
            return engine.store.snapshot(id: "poller")?.status.state == .stopped
        }
        let shown = try XCTUnwrap(engine.store.snapshot(id: "poller")?.metrics)
        let all = try records("poller")
        let counters = all.filter { $0["kind"] == "counters" }
        let last = try XCTUnwrap(counters.last)
        XCTAssertEqual(all.last, last, "stopping ends with the counters")
        XCTAssertEqual(last["name"], "Poller")
        XCTAssertEqual(last["group"], "quotes")
        XCTAssertEqual(last["mode"], "poll")
        XCTAssertEqual(Set(counters.map { $0["run"] }).count, 1, "one run")
        XCTAssertEqual(last["polls"]?.numberValue?.intValue.map(Int64.init), shown.polls)
        XCTAssertEqual(last["wireBytes"]?.numberValue?.intValue.map(Int64.init), shown.wireBytes)
        XCTAssertEqual(last["pollBodyBytes"]?.numberValue?.intValue.map(Int64.init), shown.pollBodyBytes)
        XCTAssertEqual(last["wouldBePatchBytes"]?.numberValue?.intValue.map(Int64.init), shown.wouldBePatchBytes)
        XCTAssertEqual(last["changes"]?.numberValue?.intValue.map(Int64.init), shown.changes)
        XCTAssertEqual(last["running"]?.numberValue?.doubleValue, shown.runningTime.seconds)
        // Each body polled is archived with its sizes: together, the counters' bytes.
        let polls = all.filter { $0["kind"] == "poll" }
        XCTAssertEqual(Int64(polls.count), shown.polls, "bodies and 304s")
        XCTAssertEqual(Int64(polls.filter { $0["status"] == 304 }.count), shown.notModified)
        func total(_ field: String) -> Double { polls.compactMap { $0[field]?.numberValue?.doubleValue }.reduce(0, +) }
        XCTAssertEqual(total("bodyBytes"), Double(shown.pollBodyBytes))
        XCTAssertEqual(total("wireBytes"), Double(shown.wireBytes))
        XCTAssertEqual(polls.first?["changed"], true)
        XCTAssertNotNil(polls.first?["body"]?.objectValue)
        // Stopped: the segment ended, for the keeper to compress and the uploader to send.
        XCTAssertEqual(time.pendingCount, 0, "no chores left ticking for a stopped stream")
    }
}
