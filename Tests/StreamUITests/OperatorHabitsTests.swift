@testable import StreamCore
@testable import StreamEngine
@testable import StreamUI
import XCTest

/// What operators of htop and k9s expect: 80×24 complete, the display frozen with Z, messages
/// that clear themselves (errors once read), and lines that do not say a word twice.
final class OperatorHabitsTests: MonitorTestCase {
    func testEightyByTwentyFourKeepsModeSavingsAndTheKeysThatMatter() throws {
        link.publish([
            stream("quotes", events: 60, size: 50, group: "q"),
            stream("quotes-polled", mode: .poll, events: 12, size: 1_000, group: "q"),
        ])
        let screen = render(24, 80)
        for line in screen.text { XCTAssertLessThanOrEqual(DisplayWidth.of(line), 80, line) }
        let titles = screen.text[2]
        for title in ["NAME", "M ", "STATE", "ERR", "WIRE", "IN/S", "SAVED"] {
            XCTAssertTrue(titles.contains(title), "\(title) in \(titles)")
        }
        XCTAssertTrue(screen.text[3].contains(" s open"), screen.text[3])
        XCTAssertTrue(screen.text[4].contains(" p open"), screen.text[4])
        let footer = screen.text[23]
        for entry in ["Enter Detail", "Space Start/Stop", "l Log", "? Help  q Quit"] {
            XCTAssertTrue(footer.contains(entry), "\(entry) in \(footer)")
        }
        // Sixty columns: the name keeps 16 of them; help and quit stay.
        let narrow = render(20, 60)
        for line in narrow.text { XCTAssertLessThanOrEqual(DisplayWidth.of(line), 60, line) }
        XCTAssertGreaterThanOrEqual(StreamTableView.layout(width: 60).nameWidth, 16)
        XCTAssertTrue(narrow.text[3].contains("Quotes          "), narrow.text[3])
        XCTAssertTrue(narrow.text[19].hasSuffix("? Help  q Quit") || narrow.text[19].contains("? Help  q Quit"),
                      narrow.text[19])
        // Narrower still, the labels go before the keys do.
        let entries = KeyMap.footerEntries(for: .table, glyphs: .unicode)
        XCTAssertEqual(FooterView.fitting(entries, width: 6).map(\.key), ["?", "q"])
        // The status line is cut to the terminal, never wrapped onto the footer.
        controller.setStatus(String(repeating: "long message ", count: 20), kind: .info)
        let cut = render(24, 80)
        XCTAssertLessThanOrEqual(DisplayWidth.of(cut.text[22]), 80)
        XCTAssertTrue(cut.text[23].hasPrefix("Enter Detail"), cut.text[23])
    }

    func testZFreezesTheDisplayAndKeysStillAct() {
        link.publish([stream("a", events: 10)])
        _ = render()
        press(.character("Z"))
        link.publish([stream("a", events: 50)])
        var screen = render(24, 120)
        XCTAssertTrue(screen.text[0].contains("FROZEN (Z resumes)"), screen.text[0])
        XCTAssertEqual(controller.snapshots.first?.metrics.events, 10, "the numbers are those of the moment it froze")
        press(.character(" "))
        XCTAssertEqual(link.commands, ["stop a"], "a key that acts still acts")
        time.advance(by: .seconds(3))
        press(.character("Z"))
        screen = render(24, 120)
        XCTAssertFalse(screen.text[0].contains("FROZEN"))
        XCTAssertEqual(controller.snapshots.first?.metrics.events, 50)
    }

    func testMessagesClearAfterFiveSecondsAndErrorsOnceRead() {
        link.publish([stream("a")])
        _ = render()
        controller.setStatus("registered a", kind: .info)
        _ = render()
        time.advance(by: .milliseconds(4_900))
        XCTAssertNotNil(row(containing: "registered a", in: render()))
        time.advance(by: .milliseconds(200))
        XCTAssertNil(row(containing: "registered a", in: render()))

        controller.setStatus("a failed: HTTP 503", kind: .error)
        _ = render()
        time.advance(by: .seconds(60))
        XCTAssertNotNil(row(containing: "a failed: HTTP 503", in: render()), "an error stays until read")
        press(.down)
        XCTAssertNil(row(containing: "a failed: HTTP 503", in: render()), "a key read it")

        // An error that has just come is not taken away by the key pressed at that moment.
        controller.setStatus("b failed: HTTP 500", kind: .error)
        _ = render()
        press(.down)
        XCTAssertNotNil(row(containing: "b failed: HTTP 500", in: render()))
    }

    func testABrokenStreamIsSaidWithoutDoubledWords() {
        link.publish([stream("a")])
        _ = render()
        link.publish([stream("a", state: .stalled(nextAttempt: time.now() + .seconds(5), attempt: 1),
                            lastError: "stalled: no data for 30s")])
        let line = render(24, 120).text[22]
        XCTAssertTrue(line.hasPrefix("A stalled: no data for 30s"), line)
        link.publish([stream("a")])
        _ = render()
        link.publish([stream("a", state: .failed(nextAttempt: time.now() + .seconds(5), attempt: 1),
                            lastError: "HTTP 503")])
        XCTAssertTrue(render(24, 120).text[22].hasPrefix("A failed: HTTP 503"))
        let message = Notifier.Message(
            stream: "a", url: "http://x/", state: "stalled", reason: "stalled: no data for 30s",
            since: UTCTime(secondsSinceEpoch: 0), recovered: false)
        XCTAssertEqual(message.summary, "a is stalled since 1970-01-01T00:00:00.000Z (http://x/): no data for 30s")
    }

    /// What the operator who tried the demo tripped over, one by one.
    func testWhatAnOperatorTrippedOver() throws {
        link.publish([stream("a", errors: 3), stream("b")])
        _ = render()
        // F10 quits from every screen, as in htop (q is "back" there).
        press(.enter)
        XCTAssertEqual(controller.handle(.function(10)), .redraw)
        XCTAssertEqual(controller.state.overlay, .confirmQuit(running: 2))
        press(.character("n"), .escape, .character("g"))
        _ = controller.handle(.function(10))
        XCTAssertEqual(controller.state.overlay, .confirmQuit(running: 2))
        press(.character("n"), .escape)

        // The key that closes help has not read an error that came meanwhile.
        controller.setStatus("a failed: HTTP 503", kind: .error)
        press(.character("?"))
        time.advance(by: .seconds(10))
        _ = render()
        press(.character("x"))
        XCTAssertNotNil(row(containing: "a failed: HTTP 503", in: render()))

        // The sort picker takes Home and End; a sorted narrow title keeps its arrow.
        press(.character("s"), .end)
        XCTAssertEqual(controller.state.overlay, .sortPicker(selection: StreamColumn.allCases.count - 1))
        press(.home)
        XCTAssertEqual(controller.state.overlay, .sortPicker(selection: 0))
        press(.escape)
        controller.sort(by: .errors)
        XCTAssertTrue(render(24, 80).text[2].contains("ER▼"), render(24, 80).text[2])

        // Dialogs cover the whole width; a detail line cut at the edge says so.
        press(.character("?"))
        let help = render(24, 80)
        XCTAssertTrue(help.text.contains { $0.hasPrefix("──") && $0.hasSuffix("──") }, "the box spans the width")
        press(.escape, .enter)
        let detail = render(24, 60)
        let line = try XCTUnwrap(detail.text.first { $0.hasPrefix("Reconnects") }, detail.text.joined(separator: "\n"))
        XCTAssertTrue(line.hasSuffix("…"), line)
    }
}
