@testable import StreamCore
@testable import StreamEngine
@testable import StreamUI
import XCTest

/// The stream table on the in-memory screen: layout at common sizes, sorting, filtering,
/// selection, wide characters, state colours, and text from the network.
final class StreamTableTests: MonitorTestCase {
    func testLayoutAtCommonSizesNeverOverflows() {
        link.publish((0..<40).map { stream("s\($0)", events: $0 + 1, size: 100 * ($0 + 1)) })
        for (rows, columns) in [(20, 60), (24, 80), (60, 200)] {
            let screen = render(rows, columns)
            XCTAssertEqual(screen.text.count, rows)
            for line in screen.text { XCTAssertLessThanOrEqual(DisplayWidth.of(line), columns, "\(columns): \(line)") }
            XCTAssertTrue(screen.text[0].hasPrefix("streamtop  40 streams  40 open"), screen.text[0])
            let titles = screen.text[2]
            XCTAssertTrue(titles.contains("NAME") && titles.contains("STATE") && titles.contains("WIRE"), titles)
            // Every row between the titles and the status line is a stream; the rest go by scrolling.
            XCTAssertEqual(controller.pageSize, rows - 5)
            XCTAssertTrue(screen.text[3].contains("S0"), screen.text[3])
            XCTAssertTrue(screen.text[rows - 1].hasPrefix("Enter Detail"), screen.text[rows - 1])
            // Help and quit stay in the key bar however narrow (other keys give way first).
            XCTAssertTrue(screen.text[rows - 1].contains("? Help  q Quit"), "\(columns): \(screen.text[rows - 1])")
        }
        // Narrow terminals drop the least important columns first; wide ones show all.
        XCTAssertFalse(render(20, 60).text[2].contains("MEAN"))
        XCTAssertTrue(render(20, 60).text[2].contains("IN/S"))
        for column in StreamColumn.allCases { XCTAssertTrue(render(60, 200).text[2].contains(column.title), column.title) }
    }

    func testSelectionStaysOnItsStreamThroughSortFilterAndUpdates() {
        link.publish([stream("alpha", events: 5, size: 100), stream("beta", events: 50, size: 400), stream("gamma", events: 20, size: 50)])
        _ = render()
        XCTAssertEqual(controller.rows.map(\.snapshot.id), ["alpha", "beta", "gamma"])
        press(.down)
        XCTAssertEqual(controller.state.selectedID, "beta")

        // Sort by wire bytes (picker: s, move to WIRE, Enter): largest first.
        press(.character("s"))
        let wire = StreamColumn.allCases.firstIndex(of: .wire)!
        for _ in 0..<wire { press(.down) }
        press(.enter)
        XCTAssertEqual(controller.rows.map(\.snapshot.id), ["beta", "gamma", "alpha"])
        XCTAssertEqual(controller.state.selectedID, "beta")
        XCTAssertTrue(render().text[2].contains("WIRE▼"))
        press(.character("S"))
        XCTAssertEqual(controller.rows.map(\.snapshot.id), ["alpha", "gamma", "beta"])
        XCTAssertEqual(controller.state.selectedID, "beta")

        // An update that reorders the rows keeps the selection on beta.
        link.publish([stream("alpha", events: 90, size: 900), stream("beta", events: 50, size: 400), stream("gamma", events: 20, size: 50)])
        _ = render()
        XCTAssertEqual(controller.rows.map(\.snapshot.id), ["gamma", "beta", "alpha"])
        XCTAssertEqual(controller.state.selectedID, "beta")

        // Filtering hides beta: the selection moves to a shown row; clearing keeps that one.
        press(.character("/"))
        type("alp")
        press(.enter)
        XCTAssertEqual(controller.rows.map(\.snapshot.id), ["alpha"])
        XCTAssertEqual(controller.state.selectedID, "alpha")
        let filtered = render()
        XCTAssertTrue(filtered.text[0].contains("(1 shown)"), filtered.text[0])
        XCTAssertTrue(filtered.text[22].contains("filter: alp"), filtered.text[22])
        press(.escape)
        XCTAssertEqual(controller.rows.count, 3)
        XCTAssertEqual(controller.state.selectedID, "alpha")
        // Filters match the state and the URL too.
        link.publish([stream("alpha"), stream("beta", state: .stopped), stream("gamma", mode: .poll)])
        press(.character("/"))
        type("stopped")
        _ = render()
        XCTAssertEqual(controller.rows.map(\.snapshot.id), ["beta"])
        press(.escape)
        press(.character("/"))
        type("/poll/")
        _ = render()
        XCTAssertEqual(controller.rows.map(\.snapshot.id), ["gamma"])
    }

    func testScrollingThousandsOfRowsKeepsTheSelectionVisible() {
        link.publish((0..<2_000).map { stream(String(format: "s%04d", $0), events: 1) })
        var screen = render()
        press(.end)
        screen = render()
        XCTAssertEqual(controller.state.selectedID, "s1999")
        XCTAssertNotNil(row(containing: "› S1999", in: screen))
        press(.pageUp)
        screen = render()
        XCTAssertEqual(controller.state.selectedID, "s\(1999 - controller.pageSize)")
        XCTAssertNotNil(row(containing: "› S\(1999 - controller.pageSize)", in: screen))
        press(.home)
        XCTAssertEqual(controller.state.selectedID, "s0000")
    }

    func testLongNamesAndWideCharactersAlign() throws {
        link.publish([
            stream("a", name: "株式市場データストリーム東京証券取引所"), stream("b", name: "🚀 rockets launch feed"),
            stream("c", name: String(repeating: "very-long-name-", count: 10)), stream("d", name: "plain"),
        ])
        let screen = render(24, 100)
        let (columns, nameWidth) = StreamTableView.layout(width: 100)
        var x = 2
        for column in columns.prefix(while: { $0 != .state }) { x += (column == .name ? nameWidth : column.width) + 1 }
        // The state column starts at the same cell on every row: "open" lines up.
        for row in 3..<7 {
            XCTAssertEqual(screen[row, x].character, "o", screen.line(row))
            XCTAssertLessThanOrEqual(DisplayWidth.of(screen.line(row)), 100)
        }
        XCTAssertNotNil(row(containing: "株式市場データ", in: screen), screen.text.joined(separator: "\n"))
        XCTAssertNotNil(row(containing: "🚀 rockets", in: screen))
        let long = try XCTUnwrap(row(containing: "very-long-name-", in: screen))
        XCTAssertTrue(screen.text[long].contains("…"), "a name too long for its column ends with an ellipsis")
    }

    func testEveryStateHasItsColourAndBrokenRowsAreRed() {
        let states: [StreamState] = [
            .open, .connecting(attempt: 1), .reconnecting(nextAttempt: time.now() + .seconds(3), attempt: 1),
            .stalled(nextAttempt: time.now() + .seconds(5), attempt: 2), .failed(nextAttempt: time.now() + .seconds(9), attempt: 3), .stopped,
        ]
        link.publish(states.enumerated().map { stream("s\($0.offset)", state: $0.element) })
        _ = render()
        press(.end)  // the selection (drawn in its own colour) on the last row
        let screen = render(24, 120)
        let (columns, nameWidth) = StreamTableView.layout(width: 120)
        var x = 2
        for column in columns.prefix(while: { $0 != .state }) { x += (column == .name ? nameWidth : column.width) + 1 }
        let expected: [ThemeRole] = [.stateOpen, .stateConnecting, .stateReconnecting, .stateStalled, .stateFailed]
        for (offset, role) in expected.enumerated() {
            XCTAssertEqual(screen[3 + offset, x].style.role, role, screen.line(3 + offset))
        }
        // A broken stream says how long its incident has lasted; the next attempt is in the detail view.
        XCTAssertTrue(screen.text[6].contains("stalled 1m00s"), screen.text[6])
        XCTAssertTrue(screen.text[7].contains("failed 1m00s"), screen.text[7])
        XCTAssertEqual(screen[6, 2].style.role, .stateFailed, "a stalled stream's name is red")
        XCTAssertEqual(screen[7, 2].style.role, .stateFailed)
        XCTAssertEqual(screen[3, 2].style.role, .mainFG)
        XCTAssertEqual(screen[8, 2].style.role, .selectedFG)
        XCTAssertTrue(screen[8, 2].style.reverse)
    }

    func testAPollerWaitingForItsFirstPollSaysWhen() throws {
        link.publish([stream("p", mode: .poll, state: .waiting(firstPoll: time.now() + .seconds(12)), events: 0)])
        let screen = render(24, 120)
        let line = try XCTUnwrap(row(containing: "poll waiting", in: screen), screen.text.joined(separator: "\n"))
        XCTAssertTrue(screen.text[0].contains("1 waiting"), screen.text[0])
        XCTAssertNotNil(screen.line(line).range(of: "poll"))
        // When the first poll comes is in the detail view.
        press(.enter)
        let detail = render(24, 120)
        XCTAssertNotNil(
            row(containing: "waiting for 1m, first poll in 12s", in: detail), detail.text.joined(separator: "\n"))
    }

    func testTextFromTheNetworkIsSanitized() {
        link.publish([stream("evil", name: "evil\u{1B}]0;pwned\u{07}", state: .failed(nextAttempt: time.now(), attempt: 1), lastError: "HTTP 500: \u{1B}[31mred\u{1B}[2J")])
        var screen = render()
        let all = screen.text.joined(separator: "\n")
        XCTAssertFalse(all.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, all)
        XCTAssertTrue(all.contains("evil␛]0;pwned␇"), all)
        XCTAssertTrue(all.contains("HTTP 500: ␛[31mred␛[2J"), all)
        press(.enter)
        screen = render()
        XCTAssertTrue(screen.text.contains { $0.contains("Last error      HTTP 500: ␛[31mred␛[2J") }, screen.text.joined(separator: "\n"))
    }

    func testATooSmallTerminalSaysSo() {
        link.publish([stream("a")])
        let screen = render(8, 30)
        XCTAssertTrue(screen.text.contains { $0.contains("Terminal too small") })
        XCTAssertTrue(screen.text.contains { $0.contains("30×8; need 40×10") })
    }

    func testAsciiGlyphsWithoutUTF8() {
        link.publish([stream("a"), stream("b")])
        let screen = render(24, 80, glyphs: .ascii)
        XCTAssertTrue(screen.text[2].contains("NAMEv"), screen.text[2])
        XCTAssertTrue(screen.text[3].hasPrefix(">"), screen.text[3])
        XCTAssertFalse(screen.text.joined().unicodeScalars.contains { $0.value > 0x7E && $0.value != 0xD7 })
    }
}
