import Foundation
@testable import StreamCore
@testable import StreamEngine
@testable import StreamUI
import XCTest

/// The mouse on the in-memory screen: a press where a row is drawn selects that row's stream,
/// a press on a column's title sorts by it, the wheel moves as the arrow keys do.
final class MouseTests: MonitorTestCase {
    func press(row: Int, column: Int) -> MonitorController.Effect {
        controller.handle(MouseEvent(.press, row: row, column: column))
    }

    func testAPressOnARowSelectsIt() throws {
        link.publish((0..<30).map { stream(String(format: "s%02d", $0)) })
        var screen = render()
        let row = try XCTUnwrap(self.row(containing: "S05", in: screen))
        XCTAssertEqual(press(row: row, column: 40), .redraw)
        XCTAssertEqual(controller.state.selectedID, "s05")
        screen = render()
        XCTAssertTrue(screen.text[row].hasPrefix("› S05"), screen.text[row])
        XCTAssertEqual(press(row: row, column: 3), .none, "the selected row again: nothing changes")

        // Scrolled down, a row's position names the row shown there, not the one at that index.
        press(.end)
        screen = render()
        let shown = try XCTUnwrap(self.row(containing: "S20", in: screen))
        _ = press(row: shown, column: 2)
        XCTAssertEqual(controller.state.selectedID, "s20")

        // Around the table: the header, the status line and the footer do nothing.
        for row in [0, 1, 22, 23] { XCTAssertEqual(press(row: row, column: 5), .none, "row \(row)") }
        XCTAssertEqual(controller.state.selectedID, "s20")
    }

    func testAPressBelowTheLastRowDoesNothing() {
        link.publish([stream("a"), stream("b")])
        _ = render()
        XCTAssertEqual(press(row: 10, column: 5), .none)
        XCTAssertEqual(controller.state.selectedID, "a")
    }

    /// Each column's title sits inside the span a press finds it by, at every width.
    func testTheTitlesLieInTheirColumnsSpans() {
        link.publish([stream("a")])
        for width in [40, 60, 80, 120, 200] {
            let screen = render(24, width)
            let spans = StreamTableView.columnSpans(in: Rect(top: 2, left: 0, height: 20, width: width))
            for span in spans {
                let cells = span.range.map { screen[2, $0].scalar }
                let text = String(String.UnicodeScalarView(cells)).trimmingCharacters(in: .whitespaces)
                let title = text.trimmingCharacters(in: CharacterSet(charactersIn: "▼…"))
                XCTAssertTrue(span.column.title.hasPrefix(title), "\(width): \(span.column) spans \(text)")
                XCTAssertFalse(text.isEmpty, "\(width) columns: \(span.column)")
            }
        }
    }

    func testAPressOnATitleSortsByItsColumnAndAgainReverses() throws {
        link.publish([
            stream("alpha", events: 5, size: 100), stream("beta", events: 50, size: 400),
            stream("gamma", events: 20, size: 50),
        ])
        var screen = render(24, 120)
        let wire = try XCTUnwrap(screen.text[2].range(of: "WIRE")).lowerBound
        let x = screen.text[2].distance(from: screen.text[2].startIndex, to: wire)
        XCTAssertEqual(press(row: 2, column: x), .redraw)
        XCTAssertEqual(controller.state.sort, .wire)
        XCTAssertFalse(controller.state.reversed)
        XCTAssertEqual(controller.rows.map(\.snapshot.id), ["beta", "gamma", "alpha"])
        screen = render(24, 120)
        XCTAssertTrue(screen.text[2].contains("WIRE▼"), screen.text[2])
        _ = press(row: 2, column: x + 1)
        XCTAssertTrue(controller.state.reversed, "the sorted column again: the other way round")
        XCTAssertEqual(controller.rows.map(\.snapshot.id), ["alpha", "gamma", "beta"])
        XCTAssertEqual(press(row: 2, column: 0), .none, "the marker's cells are no column")
    }

    func testTheWheelMovesAsTheArrowKeysDo() {
        link.publish((0..<30).map { stream(String(format: "s%02d", $0)) })
        _ = render()
        XCTAssertEqual(controller.handle(MouseEvent(.wheelDown, row: 5, column: 5)), .redraw)
        XCTAssertEqual(controller.state.selectedID, String(format: "s%02d", MouseAction.wheelLines))
        _ = controller.handle(MouseEvent(.wheelUp, row: 5, column: 5))
        _ = controller.handle(MouseEvent(.wheelUp, row: 5, column: 5))
        XCTAssertEqual(controller.state.selectedID, "s00", "stops at the first row")

        // In the detail view the wheel scrolls it; there is no table to press on.
        press(.enter)
        _ = render()
        _ = controller.handle(MouseEvent(.wheelDown, row: 5, column: 5))
        XCTAssertEqual(controller.state.detailScroll, MouseAction.wheelLines)
        XCTAssertEqual(press(row: 5, column: 5), .none)
        XCTAssertEqual(controller.state.selectedID, "s00")
    }

    func testTheLogPaneScrollsAndTheTableAboveItStillSelects() throws {
        link.publish([stream("a"), stream("b"), stream("c")])
        link.log = logEntries(50)
        _ = render(30, 100)
        press(.character("l"))
        var screen = render(30, 100)
        _ = controller.handle(MouseEvent(.wheelUp, row: 25, column: 5))
        XCTAssertNotNil(controller.state.logTop, "the wheel scrolled the log back")
        let row = try XCTUnwrap(self.row(containing: "  C ", in: screen))
        _ = press(row: row, column: 5)
        XCTAssertEqual(controller.state.selectedID, "c")
        XCTAssertTrue(controller.state.logOpen)
        screen = render(30, 100)
        XCTAssertNotNil(self.row(containing: "log: C", in: screen))
    }

    /// Dialogs and prompts take no mouse: a press neither closes them nor moves what is behind.
    func testDialogsAndPromptsTakeNoMouse() {
        link.publish([stream("a"), stream("b")])
        _ = render()
        press(.character("?"))
        XCTAssertEqual(press(row: 4, column: 5), .none)
        XCTAssertEqual(controller.state.overlay, .help)
        press(.escape)
        press(.character("/"))
        XCTAssertEqual(press(row: 4, column: 5), .none)
        XCTAssertEqual(controller.handle(MouseEvent(.wheelDown, row: 4, column: 5)), .none)
        XCTAssertEqual(controller.state.selectedID, "a")
        XCTAssertTrue(controller.state.editingFilter)
        XCTAssertEqual(controller.state.filter, "")
    }

    func testTheMouseSettingIsRememberedBesideTheOthers() throws {
        let directory = NSTemporaryDirectory() + "/streamtop-ui-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ui.json"
        XCTAssertTrue(UISettings().mouse, "on unless turned off")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(#"{"mouse": false}"#.utf8).write(to: URL(fileURLWithPath: path))
        var settings = UISettings.load(path: path)
        XCTAssertFalse(settings.mouse)
        // Choosing a theme saves the file again: the mouse stays off.
        settings.theme = "light"
        settings.save(path: path)
        XCTAssertEqual(UISettings.load(path: path), settings)
        XCTAssertFalse(UISettings.load(path: path).mouse)
    }
}

extension MonitorTestCase {
    /// `count` log entries, a second apart, with ids 0…
    func logEntries(_ count: Int) -> [LogEntry] {
        (0..<count).map {
            LogEntry(time: UTCTime(secondsSinceEpoch: Double($0)), kind: "event", fields: ["id": .string("\($0)")])
        }
    }
}
