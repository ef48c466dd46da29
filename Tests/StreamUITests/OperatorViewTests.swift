@testable import StreamCore
@testable import StreamEngine
@testable import StreamUI
import XCTest

/// What an operator reads at a glance: how long an incident has lasted, errors and reconnects
/// of the last 15 minutes, the health sort, one meaning of savings, the group view, and help
/// that explains every key, colour and column at any size.
final class OperatorViewTests: MonitorTestCase {
    func column(_ column: StreamColumn, width: Int) -> Int {
        let (columns, nameWidth) = StreamTableView.layout(width: width)
        var x = 2
        for each in columns.prefix(while: { $0 != column }) { x += (each == .name ? nameWidth : each.width) + 1 }
        return x
    }

    func testTheStateSaysHowLongTheIncidentHasLastedAndErrorsAreCounted() throws {
        var failed = stream("down", state: .failed(nextAttempt: time.now() + .seconds(9), attempt: 4), errors: 7,
                            reconnects: 3)
        failed.status.incidentSince = time.now() - .seconds(107)
        link.publish([failed, stream("fine")])
        let screen = render(24, 120)
        let line = try XCTUnwrap(row(containing: "Down", in: screen))
        XCTAssertTrue(screen.text[line].contains("failed 1m47s"), screen.text[line])
        XCTAssertFalse(screen.text[line].contains("(9s)"), "the next attempt is in the detail view")
        let titles = screen.text[2]
        XCTAssertTrue(titles.contains("ERR") && titles.contains("RECON"), titles)
        let err = column(.errors, width: 120)
        XCTAssertEqual(String(screen.text[line].dropFirst(err).prefix(4)), "   7", screen.text[line])
        let recon = column(.reconnects, width: 120)
        XCTAssertEqual(String(screen.text[line].dropFirst(recon).prefix(5)), "    3", screen.text[line])
        press(.enter)
        let detail = render(24, 120)
        XCTAssertNotNil(row(containing: "attempt 5 in 9s", in: detail), detail.text.joined(separator: "\n"))
        XCTAssertNotNil(row(containing: "3 in 15 min", in: detail))
        XCTAssertNotNil(row(containing: "errors 7 in 15 min", in: detail))
    }

    /// A stream whose attempts keep failing is red while it connects and opens between them,
    /// not yellow and green.
    func testAStreamThatKeepsFailingStaysRed() {
        link.publish([
            stream("a-flap", state: .connecting(attempt: 3), broken: true), stream("b-open", broken: true),
            stream("c-healthy"), stream("d-selected"),
        ])
        _ = render()
        press(.end)
        let screen = render(24, 120)
        let x = column(.state, width: 120)
        XCTAssertEqual(screen[3, x].style.role, .stateFailed, screen.line(3))
        XCTAssertEqual(screen[4, x].style.role, .stateFailed, screen.line(4))
        // Not "open for a minute": flapping, in an incident that began a minute ago.
        XCTAssertTrue(screen.text[3].contains("flapping 1m00s"), screen.text[3])
        XCTAssertTrue(screen.text[4].contains("flapping 1m00s"), screen.text[4])
        XCTAssertEqual(screen[5, x].style.role, .stateOpen, screen.line(5))
    }

    /// Sorting by STATE is the health sort: streams in an incident first, the longest first,
    /// then the others from the furthest from open; stopped last.
    func testTheHealthSortPutsTheLongestIncidentFirst() {
        var short = stream("short", state: .failed(nextAttempt: time.now() + .seconds(5), attempt: 1))
        short.status.incidentSince = time.now() - .seconds(30)
        var long = stream("long", state: .stalled(nextAttempt: time.now() + .seconds(5), attempt: 1))
        long.status.incidentSince = time.now() - .seconds(3_600)
        let flapping = stream("flapping", broken: true)
        link.publish([
            stream("open"), stream("stopped", state: .stopped), short, long, flapping,
            stream("connecting", state: .connecting(attempt: 1)),
        ])
        _ = render()
        press(.character("s"))
        for _ in 0..<StreamColumn.allCases.firstIndex(of: .state)! { press(.down) }
        press(.enter)
        XCTAssertEqual(
            controller.rows.map(\.snapshot.id), ["long", "flapping", "short", "connecting", "open", "stopped"])
    }

    /// A group's stream and poller: the same savings on both rows, in the header, in the
    /// detail view and in the group view; a dash before a minute of running.
    func testSavingsHaveOneMeaningEverywhere() throws {
        let streamed = stream("quotes", events: 60, size: 50, group: "q")
        let polled = stream("quotes-polled", mode: .poll, events: 12, size: 1_000, group: "q")
        link.publish([streamed, polled])
        let expected = try XCTUnwrap(Savings.group(streamed: streamed.metrics, polled: polled.metrics))
        XCTAssertEqual(expected, 1 - Double(60 * 80) / Double(12 * 1_030), accuracy: 1e-9)
        let percent = HumanUnits.percent(expected)
        var screen = render(24, 200)
        XCTAssertTrue(screen.text[1].contains("streaming: saves \(percent)  patches"), screen.text[1])
        let x = column(.savings, width: 200)
        for line in [3, 4] {
            XCTAssertEqual(
                String(screen.text[line].dropFirst(x).prefix(5)), TextLayout.fit(percent, width: 5, right: true))
        }
        press(.enter)
        screen = render(40, 120)
        XCTAssertNotNil(row(containing: "group q: saves \(percent) of the bytes", in: screen))

        // Half a minute in, nothing is said yet: a dash, not -12,000 %.
        var young = [streamed, polled]
        for index in young.indices { young[index].metrics.runningSince = time.now() - .seconds(30) }
        link.publish(young)
        press(.escape)
        screen = render(24, 200)
        XCTAssertTrue(screen.text[1].contains("streaming: —  patches"), screen.text[1])
        XCTAssertEqual(String(screen.text[3].dropFirst(x).prefix(5)), "    —", screen.text[3])
        XCTAssertTrue(render(24, 200, glyphs: .ascii).text[1].contains("streaming: -  patches"))

        // One group of age, another not yet: the header waits for both rather than show the
        // first one's figure for a moment and then everyone's.
        var other = [
            stream("weather", events: 6, group: "w"), stream("weather-polled", mode: .poll, events: 6, group: "w"),
        ]
        for index in other.indices { other[index].metrics.runningSince = time.now() - .seconds(30) }
        link.publish([streamed, polled] + other)
        screen = render(24, 200)
        XCTAssertTrue(screen.text[1].contains("streaming: —  patches"), screen.text[1])
        XCTAssertEqual(String(screen.text[3].dropFirst(x).prefix(5)), TextLayout.fit(percent, width: 5, right: true))
    }

    func testTheGroupViewShowsEachAPIsStreamAndPollerSideBySide() throws {
        link.publish([
            stream("quotes", events: 60, size: 50, group: "q"),
            stream("quotes-polled", mode: .poll, events: 12, size: 1_000, group: "q"),
            stream("weather", events: 6, group: "w"), stream("weather-polled", mode: .poll, events: 6, group: "w"),
            stream("lone"),
        ])
        _ = render()
        press(.character("g"))
        var screen = render(24, 80)
        XCTAssertTrue(screen.text[2].contains("GROUP") && screen.text[2].contains("MISSED/h"), screen.text[2])
        let everything = screen.text.joined(separator: "\n")
        let q = try XCTUnwrap(row(containing: "q (Quotes / Quotes-Polled)", in: screen), everything)
        // 60 changes a minute seen by the stream, 12 by the poller: 2,880 missed an hour.
        for figure in ["3.6k", "720", "2.9k"] { XCTAssertTrue(screen.text[q].contains(figure), screen.text[q]) }
        XCTAssertNotNil(row(containing: "w (Weather / Weather-Poll…", in: screen), everything)
        XCTAssertTrue(screen.text[23].contains("Enter Streams"), screen.text[23])
        for line in screen.text { XCTAssertLessThanOrEqual(DisplayWidth.of(line), 80, line) }
        // At 60 columns the least needed figures go; the savings stay whole.
        let narrow = render(20, 60)
        XCTAssertTrue(narrow.text[2].hasSuffix("SAVED"), narrow.text[2])
        XCTAssertTrue(narrow.text[3].hasSuffix("61%"), narrow.text[3])
        for line in narrow.text { XCTAssertLessThanOrEqual(DisplayWidth.of(line), 60, line) }
        // Enter: the group's streams in the table; Esc: every stream again.
        press(.down, .enter)
        screen = render(24, 80)
        XCTAssertEqual(controller.rows.map(\.snapshot.id), ["weather", "weather-polled"])
        XCTAssertTrue(screen.text[0].contains("(2 shown)"), screen.text[0])
        XCTAssertTrue(screen.text[22].contains("group w"), screen.text[22])
        press(.escape)
        XCTAssertEqual(controller.rows.count, 5)
        press(.character("g"), .escape)
        XCTAssertFalse(controller.state.showingGroups)
    }

    /// Help explains every key, every colour and every column, and scrolls to all of it on a
    /// small terminal; any other key closes it.
    func testHelpIsCompleteAndScrollsAtSmallSizes() {
        link.publish([stream("a")])
        for (rows, columns) in [(24, 80), (20, 60)] {
            _ = render(rows, columns)
            press(.character("?"))
            var seen: [String] = []
            var previous: [String] = []
            while true {
                let screen = render(rows, columns)
                for line in screen.text { XCTAssertLessThanOrEqual(DisplayWidth.of(line), columns, line) }
                if screen.text == previous { break }
                previous = screen.text
                seen += screen.text
                press(.down)
            }
            let all = seen.joined(separator: "\n")
            let words = { (text: String) in text.split(separator: " ").map(String.init) }
            for binding in KeyMap.bindings {
                XCTAssertTrue(words(binding.help).allSatisfy(all.contains), "\(columns): \(binding.help)")
            }
            for column in StreamColumn.allCases {
                XCTAssertTrue(all.contains(column.title), "\(columns): \(column.title)")
                XCTAssertTrue(words(column.meaning).allSatisfy(all.contains), "\(columns): \(column.meaning)")
            }
            for word in ["open", "connecting", "reconnect", "stalled", "failed", "stopped", "dimmed", "Savings"] {
                XCTAssertTrue(all.contains(word), word)
            }
            press(.end)
            XCTAssertTrue(render(rows, columns).text.joined().contains("changes the poller missed an hour"))
            let headings = [
                "Keys on every screen", "Keys in the table", "Keys in the group view", "Keys in the log pane",
            ]
            for heading in headings {
                XCTAssertTrue(all.contains(heading), heading)
            }
            XCTAssertTrue(all.contains("mouse"))
            press(.home)
            XCTAssertEqual(controller.state.helpTop, 0)
            press(.character("x"))
            XCTAssertEqual(controller.state.overlay, .none)
        }
    }
}
