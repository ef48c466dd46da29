import Foundation
@testable import LocalServer
@testable import StreamCore
@testable import StreamEngine
@testable import StreamUI
import TestSupport
import XCTest

/// A frame never waits for the engine: the detail view and the log pane draw what was fetched
/// for the selected stream off the main thread, say "loading…" until it arrives, and never show
/// what arrives for a stream no longer selected. (`FixedLink` fails a test that fetches on the
/// main thread; `EngineLink` and `RemoteLink` stop such a call in debug builds.)
final class NoIOWhileDrawingTests: MonitorTestCase {
    func entry(_ id: String, second: Double = 0) -> LogEntry {
        LogEntry(time: UTCTime(secondsSinceEpoch: second), kind: "event", fields: ["id": .string(id)])
    }

    func lines(_ screen: ScreenBuffer) -> String { screen.text.joined(separator: "\n") }

    func testAFrameWithTheDetailViewAndLogPaneOpenNeverWaitsForAFetch() {
        link.publish([stream("a")])
        let minutes = (0..<120).map { TimeBuckets.Counters(wireBytes: Int64($0) * 100, changes: Int64($0 % 3)) }
        link.setHistory(StreamHistory(at: time.now(), minutes: minutes, changeWindows: []), of: "a")
        link.log = [entry("7")]
        link.gate.close("a")
        _ = render()
        press(.enter, .character("l"))
        _ = render(60, 100)
        waitUntil("the history, document and log fetches to be held") { link.gate.calls("a") == 3 }
        var screen = render(60, 100)
        var text = lines(screen)
        XCTAssertTrue(text.contains("A  (a, sse)"), text)
        XCTAssertTrue(text.contains("Bytes/min       loading…"), text)
        let events = try? XCTUnwrap(row(containing: "Last events", in: screen))
        XCTAssertEqual(events.map { screen.text[$0 + 1].trimmingCharacters(in: .whitespaces) }, "loading…", text)
        let document = try? XCTUnwrap(row(containing: "Document", in: screen))
        XCTAssertEqual(document.map { screen.text[$0 + 1].trimmingCharacters(in: .whitespaces) }, "loading…", text)
        XCTAssertTrue(text.contains("─ log: A ─ loading…"), text)
        XCTAssertFalse(text.contains("id=\"7\""), text)

        link.gate.open("a")
        waitUntil("the next frame to show what arrived") {
            screen = render(60, 100)
            text = lines(screen)
            return !text.contains("loading…")
        }
        XCTAssertTrue(text.contains("─ log: A ─ 1 entries, following"), text)
        XCTAssertNotNil(row(containing: "00:00:00 info  event id=\"7\"", in: screen), text)
        let bytes = screen.text.first { $0.hasPrefix("Bytes/min") } ?? ""
        XCTAssertTrue(bytes.contains("█"), "the sparkline: \(bytes)")
        XCTAssertNotNil(row(containing: "Changes/min", in: screen), text)
        XCTAssertTrue(text.contains("\"symbol\": \"ACME\""), text)
        XCTAssertEqual(link.gate.calls("a"), 3, "fetched once: the stream did not publish since")
    }

    /// The log pane asks for a's log, which is held; the person closes it, moves to b and opens
    /// it again. a's log arrives after that and is not shown; b's is.
    func testWhatArrivesForAStreamNoLongerSelectedIsNotShown() {
        link.publish([stream("a"), stream("b")])
        link.setLog([entry("from-a")], of: "a")
        link.setLog([entry("from-b")], of: "b")
        link.gate.close("a")
        link.gate.close("b")
        _ = render()
        press(.character("l"))
        _ = render(30, 100)
        waitUntil("a's log fetch to be held") { link.gate.calls("a") == 1 }
        press(.character("l"), .down, .character("l"))
        var screen = render(30, 100)
        XCTAssertEqual(controller.state.selectedID, "b")
        XCTAssertTrue(lines(screen).contains("─ log: B ─ loading…"), lines(screen))

        link.gate.open("a")
        // One queue fetches logs, in order: b's fetch starts once a's ended (its value dropped).
        waitUntil("b's log fetch to be held") { link.gate.calls("b") == 1 }
        screen = render(30, 100)
        XCTAssertNil(row(containing: "from-a", in: screen), lines(screen))
        XCTAssertTrue(lines(screen).contains("─ log: B ─ loading…"), lines(screen))

        link.gate.open("b")
        waitUntil("b's log to be shown") {
            screen = render(30, 100)
            return row(containing: "from-b", in: screen) != nil
        }
        XCTAssertNil(row(containing: "from-a", in: screen), lines(screen))
    }

    /// The monitor on an engine in this process, streaming from LocalServer: the detail view
    /// and the log pane show the stream's history, last events, document and log once fetched.
    func testTheEngineLinkShowsTheLogAndHistoryOnceFetched() throws {
        let server = try LocalServer(configuration: .init(apis: [
            .init(name: "quotes", kind: "quotes", period: .milliseconds(50)),
        ], retryMilliseconds: 50))
        defer { server.stop() }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("streamtop-ui-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spec = StreamSpec(id: "quotes", name: "Quotes", url: server.baseURL + "/sse/quotes", autostart: true)
        let engine = try Engine(specs: [spec], stateDirectory: directory)
        defer { engine.shutdown() }
        engine.startAutostart()
        controller = MonitorController(link: EngineLink(engine: engine), time: SystemTimeSource())
        waitUntil("three patches") {
            (engine.store.latest().snapshots.first?.metrics.patches ?? 0) >= 3
        }
        _ = render()
        press(.enter, .character("l"))
        var screen = render(60, 120)
        waitUntil("the history, the last events, the document and the log to be drawn") {
            screen = render(60, 120)
            let text = lines(screen)
            return !text.contains("loading…") && text.contains("info  event")
        }
        let text = lines(screen)
        let bytes = screen.text.first { $0.hasPrefix("Bytes/min") } ?? ""
        XCTAssertFalse(bytes.trimmingCharacters(in: .whitespaces) == "Bytes/min", "the sparkline: \(bytes)")
        let events = try XCTUnwrap(row(containing: "Last events", in: screen), text)
        XCTAssertTrue(screen.text[events + 1].contains("info  event"), text)
        XCTAssertNotNil(controller.details.document.value ?? nil, "the quotes document, folded")
        let pane = try XCTUnwrap(row(containing: "─ log: Quotes ─", in: screen), text)
        XCTAssertFalse(screen.text[pane].contains("─ 0 entries"), screen.text[pane])
        XCTAssertTrue(screen.text[(pane + 1)...].contains { $0.contains("info  event") }, text)
    }
}
