@testable import StreamCore
@testable import StreamEngine
@testable import StreamUI
import TestSupport
import XCTest

/// The monitor on an engine in another process (`MonitorLink.attachment` set): the header
/// says which, `q` detaches without asking, stale rows are dimmed while the engine is out of
/// reach, and data fetched in the background is drawn when it arrives.
final class AttachedMonitorTests: MonitorTestCase {
    func attach(lost: Bool = false) {
        link.attachment = MonitorAttachment(
            target: "/state/streamtop.sock", pid: 4242, startedAt: time.now() - .seconds(2 * 3600),
            lostAt: lost ? time.now() - .seconds(12) : nil, problem: lost ? "connection refused" : nil)
        link.version += 1
    }

    func testTheHeaderSaysWhichEngineAndSinceWhen() {
        link.publish([stream("a"), stream("b", state: .stopped)])
        attach()
        var screen = render(24, 100)
        XCTAssertTrue(screen.text[0].hasPrefix("streamtop  attached to pid 4242, up 2h  2 streams"), screen.text[0])
        XCTAssertTrue(screen.text[23].contains("q Detach"), screen.text[23])

        attach(lost: true)
        screen = render(24, 100)
        XCTAssertTrue(screen.text[0].contains("attached to pid 4242: lost 12s ago, reconnecting"), screen.text[0])
        let line = screen.line(0)
        let column = line.distance(from: line.startIndex, to: line.range(of: "lost")!.lowerBound)
        XCTAssertEqual(screen[0, column].style.role, .stateFailed)
    }

    func testStaleRowsAreDimmedAndLiveOnesAreNot() throws {
        link.publish([stream("a"), stream("b")])
        attach()
        var screen = render(24, 100)
        let row = try XCTUnwrap(row(containing: " B ", in: screen))
        let nameColumn = 2
        XCTAssertEqual(screen[row, nameColumn].style.role, .mainFG, "a running stream, live")
        attach(lost: true)
        screen = render(24, 100)
        XCTAssertEqual(screen[row, nameColumn].style.role, .inactiveFG, "the same row, stale")
    }

    func testQuitDetachesWithoutAskingWhileStreamsRun() {
        link.publish([stream("a"), stream("b")])
        attach()
        _ = render()
        XCTAssertEqual(controller.handle(.character("q")), .quit, "attached: q detaches at once")
        XCTAssertEqual(controller.state.overlay, .none)
        XCTAssertEqual(link.commands, [], "and stops nothing")
    }

    /// The log arrives after the pane asked (a fetch in the background): the pane shows it
    /// when it arrives, though the stream did not publish.
    func testALogThatArrivesLaterIsDrawn() {
        link.publish([stream("a")])
        attach()
        link.log = [LogEntry(time: UTCTime(secondsSinceEpoch: 0), kind: "event", fields: ["id": "1"])]
        link.gate.close("a")
        _ = render()
        press(.character("l"))
        XCTAssertNil(row(containing: "id=\"1\"", in: render(30, 100)))
        link.gate.open("a")
        waitUntil("the log to be drawn") { row(containing: "id=\"1\"", in: render(30, 100)) != nil }
    }

    func testEditingWithoutTheSettingsSaysWhy() {
        link.publish([stream("a")])
        attach()
        _ = render()
        press(.character("e"))
        XCTAssertEqual(controller.state.overlay, .none)
        XCTAssertTrue(render(24, 100).text[22].contains("the settings of a cannot be read from here"))
    }
}
